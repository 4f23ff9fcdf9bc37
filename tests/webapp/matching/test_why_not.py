"""Reasons for what was not proposed: the run page with case numbers, and GET why-not."""
from __future__ import annotations

from tests.factories import ident
from webapp.models import Category, NeedCard


def number(db, need) -> str:
    """The case number behind a need card (the fixture's instance may be detached)."""
    return db.session.get(NeedCard, ident(need)).case.number


def _scarce_fire_fund(published_need, listed_resource):
    """Two fire needs in 梁村镇 and one fund with room for one; a medical project elsewhere."""
    urgent = published_need("梁村镇", category=Category.FIRE, needed="3000", urgency=4,
                       title="火灾家庭急需生活物资", story="住房火灾，衣物口粮被烧毁。")
    later = published_need("梁村镇", category=Category.FIRE, needed="3000", urgency=2,
                      title="火灾家庭需要修缮房屋", story="厨房失火，屋顶烧毁。")
    fund = listed_resource("fund", title="火灾救急基金", description="火灾受灾家庭生活救助。",
                        categories=("fire",), amount="3000", per_case_cap="3000")
    project = listed_resource("project", title="清平镇大病医疗救助项目",
                           description="为清平镇重病住院家庭补助医疗费用。", towns=("清平镇",))
    return urgent, later, fund, project


def test_run_page_names_each_rule_and_the_competing_case(client, auth, published_need, listed_resource,
                                                        run_batch_via_api, db):
    urgent, later, _fund, _project = _scarce_fire_fund(published_need, listed_resource)
    run = run_batch_via_api()
    item = next(i for i in run.skipped if i["kind"] == "need" and i["id"] == ident(later))
    assert item["case_number"] == number(db, later)
    assert item["reasons"]["capacity_used"] == 1 and item["reasons"]["category"] >= 1
    assert item["competitors"] == [{"need_id": ident(urgent),
                                    "case_number": number(db, urgent)}]
    auth.login("officer")
    html = client.get(f"/matching/runs/{run.id}").get_data(as_text=True)
    row = html[html.index(f'id="skipped-need-{ident(later)}"'):]
    row = row[:row.index("</tr>")]
    assert number(db, later) in row and number(db, urgent) in row
    assert "资源额度已被其他需求用完：1 项资源" in row
    assert "资源不覆盖该救助类别" in row
    assert 'id="rule-totals"' in html


def test_why_not_answers_with_the_rule_or_the_competing_need(client, api_token, published_need,
                                                             listed_resource, run_batch_via_api,
                                                             db):
    urgent, later, fund, project = _scarce_fire_fund(published_need, listed_resource)
    run_batch_via_api()
    headers = api_token("officer")
    url = f"/api/v1/needs/{ident(later)}/why-not"
    body = client.get(f"{url}?resource=project:{ident(project)}", headers=headers).get_json()
    assert (body["rule"], body["label"]) == ("category", "资源不覆盖该救助类别")
    body = client.get(f"{url}?resource=fund:{ident(fund)}", headers=headers).get_json()
    assert body["rule"] == "taken"
    assert [c["case_number"] for c in body["competitors"]] == [number(db, urgent)]
    mine = client.get(f"/api/v1/needs/{ident(urgent)}/why-not?resource=fund:{ident(fund)}",
                      headers=headers).get_json()
    assert mine["rule"] == "proposed"


def test_why_not_rejects_bad_input_and_unknown_ids(client, api_token, published_need, listed_resource):
    urgent, _later, fund, _project = _scarce_fire_fund(published_need, listed_resource)
    headers = api_token("officer")
    url = f"/api/v1/needs/{ident(urgent)}/why-not"
    bad = client.get(f"{url}?resource=cake:1", headers=headers)
    assert bad.status_code in (400, 422)
    assert bad.content_type.startswith("application/problem+json")
    assert client.get(f"{url}?resource=fund:999999", headers=headers).status_code == 404
    assert client.get(f"/api/v1/needs/999999/why-not?resource=fund:{ident(fund)}",
                      headers=headers).status_code == 404


def test_why_not_is_for_officers_only(client, api_token, published_need, listed_resource):
    urgent, _later, fund, _project = _scarce_fire_fund(published_need, listed_resource)
    response = client.get(f"/api/v1/needs/{ident(urgent)}/why-not?resource=fund:{ident(fund)}",
                          headers=api_token("charity"))
    assert response.status_code == 403


def test_why_not_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/needs/{need_id}/why-not"]["get"]
    assert any(p["name"] == "resource" for p in operation["parameters"])


def test_run_report_shows_fairness_by_town_and_category(client, auth, published_need, listed_resource,
                                                       run_batch_via_api, api_token):
    _scarce_fire_fund(published_need, listed_resource)
    run = run_batch_via_api()
    [row] = run.fairness
    assert (row["town"], row["category"], row["n_open"]) == ("梁村镇", "fire", 2)
    assert row["share_proposed"] == 0.5 and row["share_proposed_greedy"] == 0.5
    auth.login("officer")
    html = client.get(f"/matching/runs/{run.id}").get_data(as_text=True)
    table = html[html.index('id="fairness"'):]
    table = table[:table.index("</table>")]
    assert "梁村镇" in table and "火灾" in table and "50%" in table
    body = client.get(f"/api/v1/matching/runs/{run.id}", headers=api_token()).get_json()
    assert body["fairness"][0]["median_covered_greedy"] == 0.5

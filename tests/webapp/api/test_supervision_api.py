"""Supervision orders (督办单) in the JSON API: who may list, issue, reply and close, and bad
input as problem+json with nothing changed."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from webapp.models import AuditEvent, SupervisionOrder


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def case_in_liangcun(db, reported_case):
    """(id, town_id, number) of a case accepted in 梁村镇 (plain values: each request ends
    the session the model was loaded in)."""
    case = reported_case(actions=["accept"])
    db.session.commit()
    return SimpleNamespace(id=case.id, town_id=case.town_id, number=case.number)


def issue(client, headers, case, **changes):
    body = {"subject_kind": "case", "subject_id": case.id, "recipient_id": case.town_id,
            "request": "请尽快完成核查"} | changes
    return client.post("/api/v1/supervision-orders", json=body, headers=headers)


def test_officer_issues_and_the_town_window_replies(client, api_token, db, case_in_liangcun):
    created = issue(client, api_token("officer"), case_in_liangcun)
    assert created.status_code == 201, created.get_json()
    order = created.get_json()
    assert (order["level"], order["status"], order["case_number"]) == (
        "remind", "open", case_in_liangcun.number)
    intake = api_token("intake")
    listed = client.get("/api/v1/supervision-orders", headers=intake).get_json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]
    replied = client.post(f"/api/v1/supervision-orders/{order['id']}/reply",
                          json={"reply": "已入户核查，明日提交审批"}, headers=intake)
    assert replied.status_code == 200, replied.get_json()
    assert replied.get_json()["status"] == "replied"
    closed = client.post(f"/api/v1/supervision-orders/{order['id']}/close",
                         headers=api_token("officer"))
    assert closed.get_json()["status"] == "closed"
    assert client.get("/api/v1/supervision-orders?status=closed",
                      headers=api_token("auditor")).get_json()["meta"]["total"] == 1


def test_other_towns_and_departments_do_not_see_the_order(client, api_token, case_in_liangcun):
    order = issue(client, api_token("officer"), case_in_liangcun).get_json()
    for user in ("intake2", "health"):
        headers = api_token(user)
        assert client.get("/api/v1/supervision-orders",
                          headers=headers).get_json()["items"] == []
        seen = client.get(f"/api/v1/supervision-orders/{order['id']}", headers=headers)
        assert seen.status_code == 404
        assert seen.mimetype == "application/problem+json"
    reply = client.post(f"/api/v1/supervision-orders/{order['id']}/reply",
                        json={"reply": "不是我们的"}, headers=api_token("intake2"))
    assert reply.status_code == 404


def test_only_officers_issue_and_close(client, api_token, case_in_liangcun):
    refused = issue(client, api_token("intake"), case_in_liangcun)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    order = issue(client, api_token("officer"), case_in_liangcun).get_json()
    assert client.post(f"/api/v1/supervision-orders/{order['id']}/close",
                       headers=api_token("auditor")).status_code == 403


@pytest.mark.parametrize(("change", "status", "where"), [
    ({"recipient_id": "health"}, 400, "recipient_id"),     # does not handle the case
    ({"request": ""}, 422, "request"),
    ({"subject_kind": "weather"}, 422, "subject_kind"),
    ({"reply_due_on": "2020-01-01"}, 400, "reply_due_on"),
    ({"reply_due_on": "tomorrow"}, 422, "reply_due_on"),
    ({"subject_id": 999999}, 404, "督办事项不存在"),
])
def test_bad_order_is_problem_json_and_changes_nothing(client, api_token, db, staff,
                                                       case_in_liangcun, change, status, where):
    if change.get("recipient_id") == "health":
        change = {"recipient_id": staff["org"]("高唐县卫生健康局").id}
    headers = api_token("officer")
    before = (count(db, SupervisionOrder), count(db, AuditEvent))
    response = issue(client, headers, case_in_liangcun, **change)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert where in str(response.get_json())
    assert (count(db, SupervisionOrder), count(db, AuditEvent)) == before


def test_reply_after_the_order_is_closed_is_409(client, api_token, db, case_in_liangcun):
    order = issue(client, api_token("officer"), case_in_liangcun).get_json()
    client.post(f"/api/v1/supervision-orders/{order['id']}/close", headers=api_token("officer"))
    intake = api_token("intake")
    before = count(db, AuditEvent)
    response = client.post(f"/api/v1/supervision-orders/{order['id']}/reply",
                           json={"reply": "已办"}, headers=intake)
    assert response.status_code == 409
    assert "已办结" in response.get_json()["detail"]
    assert count(db, AuditEvent) == before
    assert db.session.get(SupervisionOrder, order["id"]).reply is None


def test_orders_and_rules_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/supervision-orders", "/api/v1/supervision-orders/{order_id}/reply",
                 "/api/v1/county-rules", "/api/v1/county-rules/calendar",
                 "/api/v1/county-rules/schemes/{scheme_id}"):
        assert path in paths

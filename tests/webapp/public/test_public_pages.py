"""The public site: needs order, filters, anonymity, detail progress, transparency."""
import json
import re
from decimal import Decimal

import pytest

from webapp.models import NeedStatus
from webapp.services import browse

pytestmark = pytest.mark.usefixtures("demo_base")


def _need_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-need-id="(\d+)"', html)]


def test_index_redirects_to_public_home(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")


def test_home_shows_urgent_needs_and_featured_projects(client, need_card, make_project):
    need_card(title="火灾受灾家庭急需生活物资", urgency=4)
    make_project(title="推荐的大病救助项目")
    html = client.get("/home").get_data(as_text=True)
    assert "火灾受灾家庭急需生活物资" in html and "推荐的大病救助项目" in html


def test_needs_lists_published_cards_only(client, need_card):
    shown = need_card(title="已公开的需求").id
    need_card(title="草稿需求", status=NeedStatus.DRAFT)
    html = client.get("/needs").get_data(as_text=True)
    assert _need_ids(html) == [shown] and "草稿需求" not in html


def test_needs_order_urgency_then_gap_then_waiting(client, need_card):
    small = need_card(urgency=3, needed="1000").id
    big = need_card(urgency=3, needed="50000").id
    critical = need_card(urgency=4, needed="500").id
    low = need_card(urgency=1, needed="90000").id
    assert _need_ids(client.get("/needs").get_data(as_text=True)) == [critical, big, small, low]


def test_needs_waiting_lifts_an_old_need_to_the_next_urgency(client, need_card):
    fresh = need_card(urgency=3, needed="1000").id
    recent = need_card(urgency=2, needed="5000", days_waiting=6).id
    old = need_card(urgency=2, needed="5000", days_waiting=15).id
    assert _need_ids(client.get("/needs").get_data(as_text=True)) == [old, fresh, recent]


def test_waiting_boost_is_capped_at_one_level():
    assert [browse.waiting_boost(d) for d in (0, 6, 7, 14, 100)] == [0, 0, 0.5, 1.0, 1.0]


def test_needs_filters_by_category_town_urgency_and_gap(client, need_card, town):
    match = need_card(category="fire", town_name="尹集镇", urgency=3, needed="3000").id
    need_card(category="fire", town_name="梁村镇", urgency=3, needed="3000")
    need_card(category="accident", town_name="尹集镇", urgency=3, needed="3000")
    need_card(category="fire", town_name="尹集镇", urgency=1, needed="3000")
    need_card(category="fire", town_name="尹集镇", urgency=3, needed="30000")
    query = f"/needs?category=fire&town={town('尹集镇').id}&urgency=3&gap=0.01-5000"
    assert _need_ids(client.get(query).get_data(as_text=True)) == [match]


def test_needs_bad_filters_are_ignored_not_500(client, need_card):
    need_card()
    response = client.get("/needs?category=x&town=abc&urgency=-1&gap=zz-1e999999&page=abc")
    assert response.status_code == 200 and len(_need_ids(response.get_data(as_text=True))) == 1


def test_needs_pagination(client, need_card):
    for _ in range(14):
        need_card()
    first = _need_ids(client.get("/needs").get_data(as_text=True))
    second = _need_ids(client.get("/needs?page=2").get_data(as_text=True))
    assert len(first) == 12 and len(second) == 2 and not set(first) & set(second)


def test_need_detail_shows_progress_and_no_personal_data(client, need_card):
    need = need_card(needed="10000", covered="4000")
    html = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "¥4,000.00" in html and "¥6,000.00" in html
    for secret in ("张三", "370000199001011234", "13800000000", "GT-T-"):
        assert secret not in html


def test_need_detail_of_unpublished_card_is_404(client, need_card):
    need = need_card(status=NeedStatus.UNPUBLISHED)
    assert client.get(f"/needs/{need.id}").status_code == 404


def test_project_of_draft_is_not_public(client, make_project):
    from webapp.models import ListingStatus
    pid = make_project(status=ListingStatus.DRAFT).id
    assert client.get(f"/projects/{pid}").status_code == 404
    assert "梁村镇大病救助计划" not in client.get("/projects").get_data(as_text=True)


def test_projects_filter_by_remaining_gap(client, make_project):
    make_project(title="小项目", budget="3000", per_case_cap="1000")
    make_project(title="大项目", budget="300000")
    html = client.get("/projects?gap=20000-").get_data(as_text=True)
    assert "大项目" in html and "小项目" not in html


def test_organisation_page_lists_its_projects(client, make_project):
    project = make_project()
    html = client.get(f"/organisations/{project.organisation_id}").get_data(as_text=True)
    assert "高唐县慈善总会" in html and "梁村镇大病救助计划" in html


def test_organisation_page_of_public_pool_is_404(client, db):
    from webapp.services import accounts
    public = accounts.public_organisation(db.session)
    db.session.commit()
    assert client.get(f"/organisations/{public.id}").status_code == 404


def test_transparency_page_passes_chart_data_by_attribute(client, db, need_card, user_named):
    from webapp.services import pledges
    need = need_card(reported_days_ago=3)
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=need, amount="800")
    pledges.confirm_pledge(db.session, user_named("officer"), pledge)
    pledges.fulfil_pledge(db.session, user_named("officer"), pledge)
    db.session.commit()
    html = client.get("/transparency").get_data(as_text=True)
    assert "<script>" not in html
    data = json.loads(re.search(r'id="chart-sources"[^>]*data-chart="([^"]+)"', html)
                      .group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert data["values"][data["labels"].index("个人捐助")] == 800.0
    assert re.search(r'id="cases-helped">1<', html)


def test_transparency_median_days_from_report_to_first_help(db, need_card, user_named):
    from webapp.services import pledges, transparency
    for days in (2, 4, 9):
        need = need_card(reported_days_ago=days)
        pledge = pledges.make_pledge(db.session, user_named("donor"), need=need, amount="100")
        pledges.confirm_pledge(db.session, user_named("officer"), pledge)
        pledges.fulfil_pledge(db.session, user_named("officer"), pledge)
    totals = transparency.county_totals(db.session)
    assert totals.cases_helped == 3
    assert totals.median_days_to_first_help == pytest.approx(4.0, abs=0.1)
    assert totals.money_by_source["donor"] == Decimal("300.00")
    assert totals.money_by_town["梁村镇"] == Decimal("300.00")

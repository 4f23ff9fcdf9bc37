"""Organisation portals and the officers' review queue, through the real pages."""
import pytest
from sqlalchemy import func, select

from webapp.models import ListingStatus, Project
from webapp.models.resources import ListingReview

pytestmark = pytest.mark.usefixtures("demo_base")


def _form(**overrides):
    data = {"title": "尹集镇火灾受灾家庭帮扶", "description": "为火灾受灾家庭提供生活物资。",
            "categories": ["fire"], "budget": "50000", "per_case_cap": "3000",
            "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    data.update(overrides)
    return data


def test_portal_charity_creates_submits_officer_approves_public_finds(client, auth, db, town):
    auth.login("charity")
    response = auth.post("/portal/projects/new", {**_form(), "towns": [str(town("尹集镇").id)]})
    assert response.status_code == 302
    project = db.session.scalars(select(Project)).one()
    pid = project.id
    assert project.status == ListingStatus.DRAFT
    edit_page = f"/portal/projects/{pid}"
    assert auth.post(f"{edit_page}/submit", form_page=edit_page).status_code == 302
    assert client.get("/projects").get_data(as_text=True).count("尹集镇火灾受灾家庭帮扶") == 0
    auth.logout()

    auth.login("officer")
    queue = client.get("/portal/review").get_data(as_text=True)
    assert "尹集镇火灾受灾家庭帮扶" in queue
    review_id = db.session.scalars(select(ListingReview.id)).one()
    response = auth.post(f"/portal/review/{review_id}", {"decision": "approve"})
    assert response.status_code == 302
    auth.logout()

    listing = client.get(f"/projects?category=fire&town={town('尹集镇').id}")
    assert "尹集镇火灾受灾家庭帮扶" in listing.get_data(as_text=True)
    detail = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "¥50,000.00" in detail and "高唐县慈善总会" in detail


def test_portal_form_errors_are_chinese_and_change_nothing(client, auth, db):
    auth.login("charity")
    response = auth.post("/portal/projects/new", _form(budget="-1", per_case_cap="",
                                                       ends_on="2025-01-01"),
                         form_page="/portal/projects/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "总预算必须大于零" in html and "结束日期不能早于开始日期" in html
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_portal_unknown_category_is_a_form_error(client, auth, db):
    auth.login("charity")
    response = auth.post("/portal/projects/new", _form(categories=["ghosts"]),
                         form_page="/portal/projects/new")
    assert response.status_code == 400
    assert "未知的救助类别：ghosts" in response.get_data(as_text=True)


def test_portal_edit_of_another_organisations_project_is_403(client, auth, db, make_project,
                                                              other_charity_user):
    pid = make_project().id
    auth.login("othercharity", "correct-horse-1")
    assert client.get(f"/portal/projects/{pid}").status_code == 403
    token = auth.csrf_token("/portal/projects")
    response = client.post(f"/portal/projects/{pid}",
                           data={**_form(title="篡改"), "csrf_token": token})
    assert response.status_code == 403
    response = client.post(f"/portal/projects/{pid}/status",
                           data={"target": "closed", "csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, pid).title == "梁村镇大病救助计划"
    assert db.session.get(Project, pid).status == ListingStatus.LISTED


def test_portal_lists_only_own_organisations_projects(client, auth, make_project,
                                                      other_charity_user):
    make_project()
    auth.login("othercharity", "correct-horse-1")
    html = client.get("/portal/projects").get_data(as_text=True)
    assert "梁村镇大病救助计划" not in html and "还没有内容" in html


def test_portal_material_edit_goes_back_to_review(client, auth, db, make_project):
    pid = make_project().id
    auth.login("charity")
    page = f"/portal/projects/{pid}"
    response = auth.post(page, {**_form(title="梁村镇大病救助计划（扩大）")}, form_page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, pid).status == ListingStatus.PENDING_REVIEW
    assert client.get(f"/projects/{pid}").status_code == 404


def test_portal_pages_by_role(client, auth, demo_base):
    auth.login("donor")
    assert client.get("/portal/projects").status_code == 403
    auth.logout()
    auth.login("fundmgr")
    assert client.get("/portal/funds").status_code == 200
    assert client.get("/portal/projects").status_code == 403
    auth.logout()
    auth.login("volunteer")
    assert client.get("/portal/offers").status_code == 200
    assert client.get("/portal/review").status_code == 403


def test_review_reject_without_reason_shows_message(client, auth, db, make_project):
    make_project(status=ListingStatus.PENDING_REVIEW)
    review_id = db.session.scalars(select(ListingReview.id)).one()
    auth.login("officer")
    response = auth.post(f"/portal/review/{review_id}", {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "驳回时请填写原因" in response.get_data(as_text=True)


def test_review_reject_shows_reason_to_the_charity(client, auth, db, make_project):
    pid = make_project(status=ListingStatus.PENDING_REVIEW).id
    review_id = db.session.scalars(select(ListingReview.id)).one()
    auth.login("officer")
    auth.post(f"/portal/review/{review_id}", {"decision": "reject", "reason": "请补充预算明细"})
    auth.logout()
    auth.login("charity")
    html = client.get(f"/portal/projects/{pid}").get_data(as_text=True)
    assert "请补充预算明细" in html and "提交审核" in html


def test_dashboard_tiles_for_officer_and_charity(client, auth, make_project):
    make_project(status=ListingStatus.PENDING_REVIEW)
    auth.login("officer")
    assert "待审核的上架申请" in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login("charity")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "我的项目" in html and "待确认的认捐" in html


def test_review_without_a_decision_changes_nothing(client, auth, db, make_project):
    pid = make_project(status=ListingStatus.PENDING_REVIEW).id
    review_id = db.session.scalars(select(ListingReview.id)).one()
    auth.login("officer")
    response = auth.post(f"/portal/review/{review_id}", {"reason": "补充材料"})
    assert response.status_code == 400
    assert "请选择通过或驳回" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, pid).status == ListingStatus.PENDING_REVIEW

"""The resource API: public reads, role- and organisation-checked writes, problem+json."""
import pytest
from sqlalchemy import func, select

from webapp.models import ListingStatus, NeedStatus, Pledge, Project, User

pytestmark = pytest.mark.usefixtures("demo_base")

BODY = {"title": "API 创建的项目", "categories": ["fire"], "towns": [], "budget": "20000",
        "per_case_cap": "2000", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}


def test_api_projects_list_is_public_and_paginated(client, make_project):
    for i in range(3):
        make_project(title=f"项目{i}")
    response = client.get("/api/v1/projects?per_page=2&page=2")
    body = response.get_json()
    assert response.status_code == 200
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert len(body["items"]) == 1 and body["items"][0]["gap"] == "100000.00"


def test_api_per_page_above_100_is_422(client):
    response = client.get("/api/v1/projects?per_page=101")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_api_projects_filter_by_town(client, make_project, town):
    make_project(title="尹集镇项目", towns=[town("尹集镇").id])
    make_project(title="梁村镇项目", towns=[town("梁村镇").id])
    items = client.get(f"/api/v1/projects?town={town('尹集镇').id}").get_json()["items"]
    assert [i["title"] for i in items] == ["尹集镇项目"]


def test_api_create_project_as_charity(client, api_token, db):
    response = client.post("/api/v1/projects", json=BODY, headers=api_token("charity"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["organisation"]["name"] == "高唐县慈善总会"


def test_api_create_project_bad_input_is_400_with_all_errors(client, api_token, db):
    response = client.post("/api/v1/projects", headers=api_token("charity"), json={
        **BODY, "budget": "-1", "ends_on": "2025-01-01", "categories": ["nope"], "towns": [0]})
    body = response.get_json()
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert set(body["errors"]) == {"budget", "ends_on", "categories", "towns"}
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_api_create_project_as_donor_is_403(client, api_token):
    response = client.post("/api/v1/projects", json=BODY, headers=api_token("donor"))
    assert response.status_code == 403


def test_api_patch_other_organisations_project_is_403(client, api_token, make_project,
                                                       other_charity_user):
    pid = make_project().id
    import datetime as dt

    from webapp.extensions import db
    from webapp.services import accounts
    token, _ = accounts.issue_api_token(db.session, other_charity_user,
                                        lifetime=dt.timedelta(hours=1))
    db.session.commit()
    response = client.patch(f"/api/v1/projects/{pid}", json={"title": "篡改"},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert db.session.get(Project, pid).title == "梁村镇大病救助计划"


def test_api_patch_submits_draft_for_review(client, api_token, make_project, db):
    pid = make_project(status=ListingStatus.DRAFT).id
    response = client.patch(f"/api/v1/projects/{pid}", json={"status": "pending_review"},
                            headers=api_token("charity"))
    assert response.status_code == 200 and response.get_json()["status"] == "pending_review"


def test_api_patch_cannot_list_without_review(client, api_token, make_project):
    pid = make_project(status=ListingStatus.DRAFT).id
    response = client.patch(f"/api/v1/projects/{pid}", json={"status": "listed"},
                            headers=api_token("charity"))
    assert response.status_code == 409


def test_api_officer_pause_cannot_be_undone_by_the_owner(client, api_token, make_project, db):
    from webapp.models import ListingReview, ReviewDecision
    from webapp.services import listings
    pid = make_project().id
    paused = client.patch(f"/api/v1/projects/{pid}", json={"status": "paused"},
                          headers=api_token("officer"))
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    resumed = client.patch(f"/api/v1/projects/{pid}", json={"status": "listed"},
                           headers=api_token("charity"))
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "pending_review"
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404
    review = db.session.scalars(select(ListingReview).where(
        ListingReview.listing_id == pid, ListingReview.decision == ReviewDecision.PENDING)).one()
    officer = db.session.scalars(select(User).where(User.username == "officer")).one()
    listings.decide_review(db.session, officer, review, approve=True)
    db.session.commit()
    assert client.get(f"/api/v1/projects/{pid}").status_code == 200


def test_api_draft_project_is_hidden_from_the_public(client, make_project):
    pid = make_project(status=ListingStatus.DRAFT).id
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404


def test_api_offers_funds_and_schemes_lists(client, api_token):
    headers = api_token("volunteer")
    created = client.post("/api/v1/offers", headers=headers, json={
        "title": "陪同就医", "services": ["陪护就医"], "hours_per_week": 4, "max_cases": 1})
    assert created.status_code == 201
    mine = client.get("/api/v1/offers?mine=true", headers=headers).get_json()
    assert [o["title"] for o in mine["items"]] == ["陪同就医"]
    assert client.get("/api/v1/offers").get_json()["items"] == []
    assert client.get("/api/v1/funds").status_code == 200
    assert client.get("/api/v1/schemes").status_code == 200


def test_api_needs_lists_published_anonymized_cards(client, need_card):
    shown = need_card(needed="5000").id
    need_card(status=NeedStatus.DRAFT)
    body = client.get("/api/v1/needs").get_json()
    assert [n["id"] for n in body["items"]] == [shown]
    item = body["items"][0]
    assert "case_id" not in item and "description" not in item and item["gap"] == "5000.00"
    assert "张三" not in str(body)


def test_api_need_detail_unpublished_is_404(client, need_card):
    need_id = need_card(status=NeedStatus.UNPUBLISHED).id
    assert client.get(f"/api/v1/needs/{need_id}").status_code == 404


def test_api_pledge_create_and_officer_confirms(client, api_token, need_card, db):
    need_id = need_card().id
    response = client.post("/api/v1/pledges", json={"need_id": need_id, "amount": "300"},
                           headers=api_token("donor"))
    assert response.status_code == 201
    pid = response.get_json()["id"]
    mine = client.get("/api/v1/pledges", headers=api_token("donor")).get_json()
    assert [p["id"] for p in mine["items"]] == [pid]
    response = client.patch(f"/api/v1/pledges/{pid}", json={"status": "confirmed"},
                            headers=api_token("officer"))
    assert response.status_code == 200 and response.get_json()["status"] == "confirmed"


def test_api_pledge_to_unpublished_need_is_400(client, api_token, need_card, db):
    need_id = need_card(status=NeedStatus.DRAFT).id
    response = client.post("/api/v1/pledges", json={"need_id": need_id, "amount": "300"},
                           headers=api_token("donor"))
    assert response.status_code == 400
    assert response.get_json()["errors"]["target"] == ["该需求尚未公开或已下线，不能认捐"]
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_api_openapi_documents_resource_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/projects", "/api/v1/projects/{item_id}", "/api/v1/funds",
                 "/api/v1/offers", "/api/v1/schemes/{item_id}", "/api/v1/pledges",
                 "/api/v1/pledges/{pledge_id}", "/api/v1/needs", "/api/v1/needs/{need_id}"):
        assert path in paths, path
    assert "patch" in paths["/api/v1/projects/{item_id}"]

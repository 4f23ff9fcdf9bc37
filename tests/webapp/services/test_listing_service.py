"""The listing service: validation, ownership, review and the listing.changed event."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import project_data
from webapp.models import AuditEvent, ListingStatus, Project
from webapp.models.resources import ListingKind, ListingReview, ReviewDecision
from webapp.services import ConflictError, DomainError, PermissionDeniedError, events, listings


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_listing_reports_every_error_at_once(db, user_named):
    with pytest.raises(DomainError) as caught:
        listings.create_listing(db.session, user_named("charity"), ListingKind.PROJECT,
                                project_data(budget="-5", per_case_cap="9.999",
                                             starts_on=dt.date(2026, 5, 1),
                                             ends_on=dt.date(2026, 4, 1),
                                             categories=["serious_illness", "aliens"],
                                             towns=[999999]))
    errors = caught.value.errors
    assert errors["budget"] == ["总预算必须大于零"]
    assert errors["per_case_cap"] == ["单例上限最多保留两位小数"]
    assert errors["ends_on"] == ["结束日期不能早于开始日期"]
    assert errors["categories"] == ["未知的救助类别：aliens"]
    assert errors["towns"] == ["未知的乡镇（街道）：999999"]


def test_create_listing_refuses_cap_above_budget_and_writes_nothing(db, user_named):
    db.session.rollback()
    before = (_count(db, Project), _count(db, AuditEvent))
    with pytest.raises(DomainError) as caught:
        listings.create_listing(db.session, user_named("charity"), ListingKind.PROJECT,
                                project_data(budget="1000", per_case_cap="2000"))
    db.session.rollback()
    assert caught.value.errors["per_case_cap"] == ["单例上限不能超过总预算"]
    assert (_count(db, Project), _count(db, AuditEvent)) == before


def test_create_listing_is_a_draft_of_the_actors_organisation(db, user_named, town):
    charity = user_named("charity")
    project = listings.create_listing(db.session, charity, ListingKind.PROJECT,
                                      project_data(towns=[town().id]))
    assert project.status == ListingStatus.DRAFT
    assert project.organisation_id == charity.organisation_id
    assert project.town_ids == {town().id}


def test_create_listing_by_wrong_role_is_refused(db, user_named):
    with pytest.raises(PermissionDeniedError):
        listings.create_listing(db.session, user_named("donor"), ListingKind.PROJECT,
                                project_data())


def test_update_listing_of_another_organisation_is_refused(db, make_project,
                                                          other_charity_user):
    project = make_project()
    with pytest.raises(PermissionDeniedError):
        listings.update_listing(db.session, other_charity_user, project, {"title": "改名"})
    db.session.rollback()
    assert db.session.get(Project, project.id).title == "梁村镇大病救助计划"


def test_material_change_sends_listed_project_back_to_review(db, make_project, user_named):
    project = make_project()
    changed = listings.update_listing(db.session, user_named("charity"), project,
                                      {"budget": "200000"})
    assert changed == ["budget"]
    assert project.status == ListingStatus.PENDING_REVIEW
    review = db.session.scalars(select(ListingReview).where(
        ListingReview.listing_id == project.id,
        ListingReview.decision == ReviewDecision.PENDING)).one()
    assert review.changed_fields == "budget"


def test_non_material_offer_change_stays_listed(db, user_named):
    volunteer, officer = user_named("volunteer"), user_named("officer")
    offer = listings.create_listing(db.session, volunteer, ListingKind.OFFER, {
        "title": "陪同就医", "services": ["陪护就医"], "hours_per_week": "4", "max_cases": "1"})
    listings.decide_review(db.session, officer, listings.submit_listing(db.session, volunteer,
                                                                        offer), approve=True)
    listings.update_listing(db.session, volunteer, offer, {"hours_per_week": "8"})
    assert offer.status == ListingStatus.LISTED and offer.hours_per_week == 8


def test_offer_with_unknown_service_is_refused(db, user_named):
    with pytest.raises(DomainError) as caught:
        listings.create_listing(db.session, user_named("volunteer"), ListingKind.OFFER, {
            "title": "服务", "services": ["算命"], "hours_per_week": "99"})
    assert caught.value.errors["services"] == ["未知的服务类型：算命"]
    assert caught.value.errors["hours_per_week"] == ["每周服务时长须在 1–60 之间"]


def test_decide_review_approve_lists_the_project(db, make_project):
    project = make_project()
    assert project.status == ListingStatus.LISTED and project.listed_at is not None


def test_decide_review_reject_needs_a_reason(db, make_project, user_named):
    project = make_project(status=ListingStatus.PENDING_REVIEW)
    review = db.session.scalars(select(ListingReview)).one()
    with pytest.raises(DomainError) as caught:
        listings.decide_review(db.session, user_named("officer"), review, approve=False)
    assert caught.value.errors == {"reason": ["驳回时请填写原因"]}
    listings.decide_review(db.session, user_named("officer"), review, approve=False,
                           reason="预算说明不清")
    assert project.status == ListingStatus.DRAFT and project.review_note == "预算说明不清"


def test_decide_review_twice_is_a_conflict(db, make_project, user_named):
    make_project()
    review = db.session.scalars(select(ListingReview)).one()
    with pytest.raises(ConflictError):
        listings.decide_review(db.session, user_named("officer"), review, approve=True)


def test_set_listing_status_cannot_list_without_review(db, make_project, user_named):
    project = make_project(status=ListingStatus.DRAFT)
    with pytest.raises(ConflictError):
        listings.set_listing_status(db.session, user_named("charity"), project,
                                    ListingStatus.LISTED)


def test_pause_needs_no_review_but_resuming_goes_through_review(db, make_project, user_named):
    project = make_project()
    listings.set_listing_status(db.session, user_named("charity"), project, ListingStatus.PAUSED)
    assert project.status == ListingStatus.PAUSED
    listings.set_listing_status(db.session, user_named("charity"), project, ListingStatus.LISTED)
    assert project.status == ListingStatus.PENDING_REVIEW


def test_closed_listing_cannot_be_edited(db, make_project, user_named):
    project = make_project()
    listings.set_listing_status(db.session, user_named("charity"), project, ListingStatus.CLOSED)
    with pytest.raises(ConflictError):
        listings.update_listing(db.session, user_named("charity"), project, {"title": "新"})


def test_listing_changes_publish_listing_changed(db, user_named):
    with events.recording(events.ListingChanged) as seen:
        project = listings.create_listing(db.session, user_named("charity"),
                                          ListingKind.PROJECT, project_data())
        listings.submit_listing(db.session, user_named("charity"), project)
    assert seen == [events.ListingChanged("project", project.id)] * 2


def test_listing_changes_are_audited_without_text(db, make_project):
    project = make_project(description="含有说明文字")
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "projects", AuditEvent.object_id == str(project.id))).all()
    assert actions == ["project.create", "project.submit", "project.approve"]
    summaries = db.session.scalars(select(AuditEvent.summary)).all()
    assert not any("含有说明文字" in s for s in summaries)


def test_individual_volunteer_sees_only_own_offers(db, user_named, make_user):
    from webapp.models import Role
    from webapp.services import accounts
    public = accounts.public_organisation(db.session)
    one = make_user(Role.VOLUNTEER, organisation=public)
    two = make_user(Role.VOLUNTEER, organisation=public)
    offer = listings.create_listing(db.session, one, ListingKind.OFFER,
                                    {"title": "心理疏导", "services": ["心理疏导"]})
    assert offer.volunteer_id == one.id
    assert db.session.scalars(listings.own_listings(two, ListingKind.OFFER)).all() == []
    with pytest.raises(PermissionDeniedError):
        listings.update_listing(db.session, two, offer, {"title": "改"})


def test_scheme_by_officer_needs_a_department(db, user_named):
    with pytest.raises(DomainError) as caught:
        listings.create_listing(db.session, user_named("officer"), ListingKind.SCHEME,
                                {"title": "临时救助", "code": "x1", "min_amount": "500",
                                 "max_amount": "100"})
    assert "organisation_id" in caught.value.errors
    assert caught.value.errors["max_amount"] == ["最高救助金额不能低于最低救助金额"]


def test_category_set_and_serves_town(db, make_project, town):
    project = make_project(towns=[town().id])
    assert project.serves_town(town().id) and not project.serves_town(town("尹集镇").id)
    assert {c.value for c in project.category_set} == {"serious_illness"}
    assert db.session.get(Project, project.id).budget == Decimal("100000.00")

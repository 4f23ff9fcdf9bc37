"""Appeals (复核申请): within the configured days, decided by an officer other than the one
who refused; an overturned case reopens at the step it was refused from."""
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from webapp.models import AppealStatus, Case, CaseEvent, CaseStatus, Role, StepDeadline, utcnow
from webapp.services import ConflictError, DomainError, PermissionDeniedError
from webapp.services.doors import appeals, self_service


@pytest.fixture
def second_officer(make_user, staff):
    return make_user(Role.OFFICER, organisation=staff["officer"].organisation,
                     username="reviewer")


def test_applicant_appeal_goes_to_another_officer_who_overturns_a_rejection(
        db, reported_case, staff, second_officer, door_settings, settings, outbox_texts):
    case = reported_case(actions=["accept", "start_verification", "verify", "reject"])
    appeal = self_service.appeal_from_lookup(db.session, case.number, "家里还有两个孩子上学，收入确实不够",
                                             settings=door_settings)
    db.session.commit()
    assert appeal.original_decider_id == staff["officer"].id
    assert appeal.reviewer_id == second_officer.id and appeal.by_applicant
    with pytest.raises(PermissionDeniedError, match="原决定以外"):
        appeals.decide_appeal(db.session, staff["officer"], appeal, overturn=True,
                              note="同意", case_settings=settings)
    appeals.decide_appeal(db.session, second_officer, appeal, overturn=True,
                          note="收入核算有误，重新审批", case_settings=settings)
    db.session.commit()
    assert appeal.status is AppealStatus.OVERTURNED
    assert case.status is CaseStatus.VERIFIED and case.closed_at is None
    actions = db.session.scalars(select(CaseEvent.action).where(
        CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    assert actions[-2:] == ["appeal", "appeal_overturned"]
    assert db.session.scalars(select(StepDeadline).where(
        StepDeadline.case_id == case.id, StepDeadline.done_at.is_(None))).first() is not None
    assert "撤销原决定，重新办理" in outbox_texts("13812345678")[-1]


def test_an_overturned_refusal_reopens_at_acceptance(db, reported_case, staff, second_officer,
                                                     door_settings, settings):
    case = reported_case(actions=["refuse"])
    appeal = appeals.file_appeal(db.session, staff["intake"], case, reason="申请人补充了住院证明",
                                 settings=door_settings)
    assert not appeal.by_applicant and appeal.original_decider_id == staff["intake"].id
    appeals.decide_appeal(db.session, staff["officer"], appeal, overturn=True, note="重新受理",
                          case_settings=settings)
    assert case.status is CaseStatus.REPORTED


def test_an_upheld_appeal_leaves_the_case_refused_and_cannot_be_repeated(
        db, reported_case, staff, second_officer, door_settings, settings):
    case = reported_case(actions=["accept", "start_verification", "verify", "reject"])
    appeal = self_service.appeal_from_lookup(db.session, case.number, "请求重新考虑我的情况",
                                             settings=door_settings)
    appeals.decide_appeal(db.session, second_officer, appeal, overturn=False,
                          note="收入超过标准", case_settings=settings)
    assert case.status is CaseStatus.REJECTED
    with pytest.raises(ConflictError, match="只能申请一次"):
        self_service.appeal_from_lookup(db.session, case.number, "再次请求复核",
                                        settings=door_settings)


def test_an_appeal_out_of_time_is_refused_clearly(db, reported_case, door_settings):
    case = reported_case(actions=["refuse"])
    late = case.closed_at + dt.timedelta(days=door_settings.appeal_days + 1)
    with pytest.raises(DomainError, match="已超过复核申请期限"):
        self_service.appeal_from_lookup(db.session, case.number, "我刚看到短信", settings=door_settings,
                                        now=late)
    short = dataclasses.replace(door_settings, appeal_days=0)
    view = self_service.status_of(db.session, case.number, settings=short,
                                  now=utcnow() + dt.timedelta(days=1))
    assert not view.can_appeal and view.reason


def test_only_a_refused_or_rejected_case_can_be_appealed(db, reported_case, door_settings):
    case = reported_case(actions=["accept"])
    with pytest.raises(ConflictError):
        self_service.appeal_from_lookup(db.session, case.number, "请求复核一下",
                                        settings=door_settings)


def test_window_files_an_appeal_from_the_case_page_within_the_days(
        db, reported_case, staff, second_officer, auth, app):
    case = reported_case(actions=["accept", "start_verification", "verify", "reject"])
    db.session.commit()
    case_id, number, url = case.id, case.number, f"/cases/{case.id}"
    reviewer_id, window_id = second_officer.id, staff["intake"].id
    auth.login("intake2")  # another town's window: no button
    assert 'id="case-appeal-form"' not in auth._client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login("intake")
    app.config["APPEAL_DAYS"] = -1  # the decision is past its appeal days: no button
    assert 'id="case-appeal-form"' not in auth._client.get(url).get_data(as_text=True)
    app.config["APPEAL_DAYS"] = 60
    page = auth._client.get(url).get_data(as_text=True)
    assert 'id="case-appeal-form"' in page
    response = auth.post("/appeals/new", {"number": number, "reason": "申请人补充了收入证明"},
                         form_page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    appeal = appeals.latest_appeal(db.session, db.session.get(Case, case_id))
    assert appeal.reviewer_id == reviewer_id != appeal.original_decider_id
    assert not appeal.by_applicant and appeal.filed_by_id == window_id
    page = auth._client.get(url).get_data(as_text=True)
    assert 'id="appeal-state"' in page and "复核中" in page
    assert 'id="case-appeal-form"' not in page  # one appeal per decision

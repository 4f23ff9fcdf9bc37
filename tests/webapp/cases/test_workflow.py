"""The case state machine: paths, roles, first-contact ownership, audit and events."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import ORDINARY
from webapp.models import AuditEvent, CaseEvent, CaseStatus, NeedCard, NeedStatus
from webapp.services import ConflictError, DomainError, PermissionDeniedError, events
from webapp.services.cases import workflow


def fire(db, actor, case, action, settings, **params):
    workflow.fire(db.session, actor, case, action, settings=settings, **params)
    db.session.commit()
    return case


def test_workflow_ordinary_path_reaches_closed(db, reported_case, staff, settings):
    case = reported_case(actions=ORDINARY)
    officer, intake = staff["officer"], staff["intake"]
    fire(db, officer, case, "approve", settings, amount="6000")
    fire(db, officer, case, "publish", settings)
    fire(db, intake, case, "start_assistance", settings)
    fire(db, intake, case, "close", settings, outcome="救助金已发放")
    assert case.status == CaseStatus.CLOSED
    assert case.approved_amount == Decimal("6000.00")
    assert case.closed_at is not None
    assert [e.action for e in case.events] == ["report", *ORDINARY, "approve", "publish",
                                               "start_assistance", "close"]


def test_workflow_accept_makes_the_worker_owner(reported_case, staff):
    case = reported_case(actions=["accept"])
    assert case.owner_id == staff["intake"].id


def test_workflow_green_channel_then_verification(reported_case, funded_reserve):
    case = reported_case(actions=["accept", "emergency_aid", "start_verification"])
    assert case.status == CaseStatus.VERIFYING
    assert case.emergency_amount == Decimal("2000.00")


def test_workflow_emergency_aid_above_cap_is_refused(db, reported_case, staff, settings,
                                                     funded_reserve):
    case = reported_case(actions=["accept"])
    with pytest.raises(DomainError, match="不能超过"):
        workflow.fire(db.session, staff["intake"], case, "emergency_aid", settings=settings,
                      amount="3000.01")
    db.session.rollback()
    assert db.session.get(type(case), case.id).status == CaseStatus.ACCEPTED


def test_workflow_illegal_transition_is_a_conflict(db, reported_case, staff, settings):
    case = reported_case()
    with pytest.raises(ConflictError, match="不能执行「批准救助」"):
        workflow.fire(db.session, staff["officer"], case, "approve", settings=settings)


def test_workflow_closed_case_refuses_any_change(db, reported_case, staff, settings):
    case = reported_case(actions=["withdraw"])
    with pytest.raises(ConflictError, match="不能再更改"):
        workflow.fire(db.session, staff["officer"], case, "accept", settings=settings)


def test_workflow_refusal_needs_a_referral(db, reported_case, staff, settings):
    case = reported_case()
    with pytest.raises(DomainError) as exc:
        workflow.fire(db.session, staff["intake"], case, "refuse", settings=settings,
                      reason="不属于急难范围")
    assert exc.value.field == "referred_to"


def test_workflow_refusal_records_reason_and_referral(reported_case):
    case = reported_case(actions=["refuse"])
    assert case.status == CaseStatus.REFUSED
    assert (case.refusal_reason, case.referred_to) == ("不属于急难范围", "县医保局")


@pytest.mark.parametrize("username", ["dept", "auditor", "admin", "donor"])
def test_workflow_accept_refused_to_wrong_role(db, reported_case, staff, settings, username):
    case = reported_case()
    with pytest.raises(PermissionDeniedError):
        workflow.fire(db.session, staff[username], case, "accept", settings=settings)


def test_workflow_approve_refused_to_intake_worker(db, reported_case, staff, settings):
    case = reported_case(actions=ORDINARY)
    with pytest.raises(PermissionDeniedError):
        workflow.fire(db.session, staff["intake"], case, "approve", settings=settings)


def test_workflow_other_town_worker_cannot_accept(db, reported_case, staff, settings):
    from webapp.services import NotFoundError
    case = reported_case()
    with pytest.raises(NotFoundError):
        workflow.fire(db.session, staff["intake2"], case, "accept", settings=settings)


def test_workflow_colleague_cannot_act_before_handover(db, reported_case, staff, settings):
    case = reported_case(actions=["accept"])
    with pytest.raises(PermissionDeniedError, match="首问负责"):
        workflow.fire(db.session, staff["village"], case, "start_verification",
                      settings=settings)


def test_workflow_handover_moves_ownership(db, reported_case, staff, settings):
    case = reported_case(actions=["accept"])
    fire(db, staff["intake"], case, "handover", settings, new_owner_id=staff["village"].id)
    assert case.owner_id == staff["village"].id
    fire(db, staff["village"], case, "start_verification", settings)
    assert case.status == CaseStatus.VERIFYING


def test_workflow_handover_to_other_town_is_refused(db, reported_case, staff, settings):
    case = reported_case(actions=["accept"])
    with pytest.raises(DomainError) as exc:
        workflow.fire(db.session, staff["intake"], case, "handover", settings=settings,
                      new_owner_id=staff["intake2"].id)
    assert exc.value.field == "new_owner_id"


def test_workflow_each_transition_writes_one_audit_event(db, reported_case, staff):
    case = reported_case(actions=ORDINARY)
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "cases", AuditEvent.object_id == str(case.id))).all()
    assert actions == ["case.report", "case.accept", "case.start_verification", "case.verify"]


def test_workflow_audit_summary_holds_no_personal_data(db, reported_case):
    reported_case(actions=ORDINARY)
    text = " ".join(db.session.scalars(select(AuditEvent.summary)))
    assert "王秀英" not in text and "13812345678" not in text and "371526" not in text


def test_workflow_publishes_domain_event(db, reported_case, staff, settings):
    with events.recording(events.CaseProgressed) as seen:
        case = reported_case(actions=ORDINARY)
    verified = [e for e in seen if e.action == "verify"]
    assert verified[0].case is case and verified[0].actor == staff["intake"]


def test_workflow_transfer_and_answer_returns_to_previous_state(db, reported_case, staff,
                                                                settings):
    case = reported_case(actions=["accept", "start_verification", "transfer"])
    assert case.status == CaseStatus.TRANSFERRED
    transfer = case.transfers[0]
    workflow.answer_transfer(db.session, staff["dept"], transfer, answer="已落实助学金",
                             settings=settings)
    db.session.commit()
    assert case.status == CaseStatus.VERIFYING
    assert transfer.answered_by_id == staff["dept"].id


def test_workflow_transfer_answer_by_other_department_is_refused(db, reported_case, staff,
                                                                 settings):
    from webapp.services import NotFoundError
    case = reported_case(actions=["accept", "transfer"])
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        workflow.answer_transfer(db.session, staff["health"], case.transfers[0], answer="好",
                                 settings=settings)


def test_workflow_transfer_to_unknown_department_changes_nothing(db, reported_case, staff,
                                                                 settings):
    case = reported_case(actions=["accept"])
    with pytest.raises(DomainError, match="转办部门不存在"):
        workflow.fire(db.session, staff["intake"], case, "transfer", settings=settings,
                      department_id=staff["org"]("清平镇").id, reason="请协助")
    db.session.rollback()
    assert db.session.get(type(case), case.id).status == CaseStatus.ACCEPTED


def test_workflow_publish_creates_anonymized_card(db, reported_case, staff, settings):
    case = reported_case(actions=ORDINARY)
    case.description = "王秀英家中突发重病，联系电话13812345678，急需医疗费用。"
    db.session.commit()
    fire(db, staff["officer"], case, "approve", settings)
    fire(db, staff["officer"], case, "publish", settings)
    card = db.session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).one()
    assert card.status == NeedStatus.PUBLISHED
    assert "13812345678" not in card.story and "王秀英" not in card.story
    assert "王秀英" not in card.title


def test_workflow_unpublish_takes_card_down(db, reported_case, staff, settings):
    case = reported_case(actions=ORDINARY)
    fire(db, staff["officer"], case, "approve", settings)
    fire(db, staff["officer"], case, "publish", settings)
    fire(db, staff["officer"], case, "unpublish", settings)
    card = db.session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).one()
    assert (case.status, card.status) == (CaseStatus.APPROVED, NeedStatus.UNPUBLISHED)


def test_workflow_timeline_records_transitions(db, reported_case):
    case = reported_case(actions=["accept"])
    rows = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()
    assert [(r.from_status, r.to_status) for r in rows] == [
        (None, CaseStatus.REPORTED), (CaseStatus.REPORTED, CaseStatus.ACCEPTED)]


def test_workflow_non_local_resident_is_accepted_like_anyone(reported_case):
    case = reported_case(actions=["accept"], local_hukou=False)
    assert case.status == CaseStatus.ACCEPTED and case.applicant.local_hukou is False

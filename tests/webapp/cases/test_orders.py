"""Supervision orders (督办单): issue to the responsible organisation, reply, escalation by
overdue working days with a controllable clock, and the 重大敏感 flag."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.models import (
    AuditEvent,
    CaseEvent,
    Notification,
    OrderLevel,
    OrderStatus,
    Step,
    SupervisionOrder,
)
from webapp.services import ConflictError, DomainError, PermissionDeniedError
from webapp.services.cases import deadlines, orders, queries
from webapp.services.cases.settings import CaseSettings

MON = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)    # Monday 10:00 in Gaotang
DEFAULTS = CaseSettings()


def at(day: dt.datetime, days: int) -> dt.datetime:
    return day + dt.timedelta(days=days)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def issued(db, staff, reported_case):
    """An order to 梁村镇's window about a case reported there, replies due in 3 working days."""
    def make(settings=DEFAULTS, now=MON, **kwargs):
        case = reported_case(actions=["accept"], now=now, **kwargs)
        order = orders.issue_order(db.session, staff["officer"], subject_kind="case",
                                   subject_id=case.id, recipient_id=case.town_id,
                                   request="请尽快完成核查", settings=settings, now=now)
        db.session.commit()
        return order
    return make


def test_issue_order_goes_on_the_timeline_audit_and_town_inbox(db, staff, issued):
    order = issued()
    assert (order.level, order.status) == (OrderLevel.REMIND, OrderStatus.OPEN)
    assert order.reply_due_on == dt.date(2026, 3, 12)          # Mon + 3 working days
    assert db.session.scalars(select(CaseEvent.action).where(
        CaseEvent.case_id == order.case_id).order_by(CaseEvent.id)).all()[-1] == "order_issue"
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.issue")).one()
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "order")))
    assert staff["intake"].id in told and staff["officer"].id not in told


def test_order_to_an_organisation_not_handling_the_case_is_refused(db, staff, reported_case):
    case = reported_case(actions=["accept"], now=MON)
    before = (count(db, SupervisionOrder), count(db, AuditEvent), count(db, CaseEvent))
    with pytest.raises(DomainError) as caught:
        orders.issue_order(db.session, staff["officer"], subject_kind="case", subject_id=case.id,
                           recipient_id=staff["org"]("清平镇").id, request="请办理",
                           settings=CaseSettings(), now=MON)
    assert "不负责" in str(caught.value)
    assert (count(db, SupervisionOrder), count(db, AuditEvent), count(db, CaseEvent)) == before


def test_order_about_a_transfer_goes_to_its_department(db, staff, reported_case):
    case = reported_case(actions=["accept", "transfer"], now=MON)
    transfer = case.transfers[0]
    with pytest.raises(DomainError):
        orders.issue_order(db.session, staff["officer"], subject_kind="transfer",
                           subject_id=transfer.id, recipient_id=case.town_id, request="请答复",
                           settings=CaseSettings(), now=MON)
    order = orders.issue_order(db.session, staff["officer"], subject_kind="transfer",
                               subject_id=transfer.id, recipient_id=transfer.department_id,
                               request="请答复", settings=CaseSettings(), now=MON)
    assert (order.subject_kind, order.case_id) == ("transfer", case.id)


def test_only_officers_issue_and_only_the_recipient_replies(db, staff, issued, reported_case):
    case = reported_case(now=MON)
    with pytest.raises(PermissionDeniedError):
        orders.issue_order(db.session, staff["intake"], subject_kind="case", subject_id=case.id,
                           recipient_id=case.town_id, request="x", settings=CaseSettings(),
                           now=MON)
    order = issued()
    with pytest.raises(PermissionDeniedError):
        orders.reply_order(db.session, staff["intake2"], order, reply="已办", now=MON)


def test_village_worker_replies_for_the_town_window(db, staff, issued):
    order = issued()
    orders.reply_order(db.session, staff["village"], order, reply="已入户核查", now=at(MON, 1))
    assert order.status == OrderStatus.REPLIED
    assert db.session.scalars(select(Notification.user_id).where(
        Notification.title.contains("已答复"))).all() == [staff["officer"].id]


def test_reply_after_the_order_is_closed_is_refused(db, staff, issued):
    order = issued()
    orders.close_order(db.session, staff["officer"], order, now=at(MON, 1))
    before = count(db, AuditEvent)
    with pytest.raises(ConflictError) as caught:
        orders.reply_order(db.session, staff["intake"], order, reply="已办", now=at(MON, 2))
    assert "已办结" in str(caught.value)
    assert (order.reply, count(db, AuditEvent)) == (None, before)


def test_overdue_order_escalates_through_the_levels(db, staff, issued):
    settings = CaseSettings(order_supervise_after=1, order_report_after=3)
    order = issued(settings)                                 # due Thu 2026-03-12
    assert orders.escalate_orders(db.session, settings=settings, now=at(MON, 3)) == []
    # Fri 13: one working day overdue -> 督办, officers told.
    assert orders.escalate_orders(db.session, settings=settings, now=at(MON, 4)) == [order]
    assert order.level == OrderLevel.SUPERVISE
    officers_told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.title.contains("【督办】"))))
    assert staff["officer"].id in officers_told and staff["auditor"].id not in officers_told
    # Sat 14 and Sun 15 are not working days: nothing more; running twice raises nothing.
    assert orders.escalate_orders(db.session, settings=settings, now=at(MON, 6)) == []
    # Tue 17: three working days overdue -> 通报, auditors told too.
    assert orders.escalate_orders(db.session, settings=settings, now=at(MON, 8)) == [order]
    assert order.level == OrderLevel.REPORT
    assert staff["auditor"].id in set(db.session.scalars(select(Notification.user_id).where(
        Notification.title.contains("【通报】"))))
    assert orders.escalate_orders(db.session, settings=settings, now=at(MON, 20)) == []
    steps = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "supervision.escalate")).all()
    assert len(steps) == 2
    assert db.session.scalars(select(CaseEvent.action).where(
        CaseEvent.case_id == order.case_id, CaseEvent.action == "order_escalate")).all() == [
        "order_escalate", "order_escalate"]


def test_replied_order_does_not_escalate(db, staff, issued):
    order = issued()
    orders.reply_order(db.session, staff["intake"], order, reply="已办", now=at(MON, 1))
    assert orders.escalate_orders(db.session, settings=CaseSettings(), now=at(MON, 20)) == []


def test_deadlines_check_escalates_orders(db, runner, issued):
    order = issued(now=dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC))
    result = runner.invoke(args=["deadlines", "check"])
    assert result.exit_code == 0, result.output
    assert "orders escalated: 1" in result.output
    db.session.refresh(order)
    assert order.level == OrderLevel.REPORT


def test_high_impact_case_gets_shortened_limits_and_tops_the_board(db, staff, reported_case):
    settings = CaseSettings(high_impact_percent=50)
    plain = reported_case(actions=["accept"], now=MON)
    flagged = reported_case(actions=["accept"], now=MON)
    orders.set_high_impact(db.session, staff["officer"], flagged, flag=True,
                           reason="媒体关注", settings=settings, now=MON)
    due = {d.step: d.due_on for d in deadlines.open_deadlines(db.session, flagged)}
    assert due[Step.VERIFICATION] == dt.date(2026, 3, 12)   # 5 -> 3 working days
    assert due[Step.PROCEDURE] == dt.date(2026, 3, 19)      # 15 -> 8 working days
    assert flagged.procedure_due_on == dt.date(2026, 3, 19)
    board = db.session.scalars(queries.supervision_rows(
        db.session, today=dt.date(2026, 6, 1))).all()
    assert board[0].case_id == flagged.id and plain.id in {d.case_id for d in board}
    with pytest.raises(ConflictError):
        orders.set_high_impact(db.session, staff["officer"], flagged, flag=True, reason="再次",
                               settings=settings, now=MON)

"""Supervision orders (督办单): an officer orders the responsible organisation to act on a late
case, transfer or help-first payment; the recipient replies; an order not answered by its
reply date escalates by overdue working days, 提醒 → 督办 → 通报, and each level tells the next
level up. Every step is a line on the case's timeline and an audit event.

The subject of an order is generic (``subject_kind`` + ``subject_id``): each kind is one entry
of :data:`SUBJECTS`, which says how to load it, which organisations are responsible for it and
whether it is still open, so a new kind (leads, say) is one more entry.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, contains_eager, joinedload

from webapp import permissions
from webapp.models import (
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    Lead,
    LeadStatus,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    OrderLevel,
    OrderStatus,
    Organisation,
    Role,
    Step,
    StepDeadline,
    SupervisionOrder,
    Transfer,
    TransferStatus,
    User,
)
from webapp.services import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    audit,
    events,
)
from webapp.services.cases import deadlines, notifications
from webapp.services.cases.notices import Notice
from webapp.services.cases.settings import CaseSettings

MAX_REPLY_DAYS = 30
LEVEL_LABELS = {"remind": "提醒", "supervise": "督办", "report": "通报"}
ORDER_STATUS_LABELS = {"open": "待答复", "replied": "已答复", "closed": "已办结"}
SUBJECT_LABELS = {"case": "个案", "transfer": "转办", "payment": "先行救助拨付", "lead": "线索"}
LEVEL_ORDER = (OrderLevel.REMIND, OrderLevel.SUPERVISE, OrderLevel.REPORT)


@dataclass(frozen=True)
class Subject:
    """What an order is about: its case (none for a lead not yet a case), who answers for it,
    and whether it is still open."""

    kind: str
    id: int
    case: Case | None
    responsible: tuple[int, ...]   # organisation ids that may receive the order
    open: bool
    label: str


def _case_subject(session: Session, subject_id: int) -> Subject | None:
    case = session.get(Case, subject_id)
    if case is None:
        return None
    departments = session.scalars(select(Transfer.department_id).where(
        Transfer.case_id == case.id, Transfer.status == TransferStatus.OPEN)).all()
    return Subject("case", case.id, case, (case.town_id, *departments),
                   case.status not in TERMINAL_STATUSES, case.number)


def _transfer_subject(session: Session, subject_id: int) -> Subject | None:
    transfer = session.get(Transfer, subject_id)
    if transfer is None:
        return None
    return Subject("transfer", transfer.id, transfer.case, (transfer.department_id,),
                   transfer.status == TransferStatus.OPEN,
                   f"{transfer.case.number} → {transfer.department.name}")


def _payment_subject(session: Session, subject_id: int) -> Subject | None:
    payment = session.get(MoneyTransfer, subject_id)
    if (payment is None or payment.kind != MoneyTransferKind.GREEN_CHANNEL
            or payment.case_id is None):
        return None
    case = session.get(Case, payment.case_id)
    if case is None:
        return None
    return Subject("payment", payment.id, case, (case.town_id,),
                   payment.status == MoneyTransferStatus.PENDING, f"{case.number} #{payment.id}")


def _lead_subject(session: Session, subject_id: int) -> Subject | None:
    lead = session.get(Lead, subject_id)
    if lead is None:
        return None
    return Subject("lead", lead.id, lead.case, (lead.town_id,),
                   lead.status == LeadStatus.OPEN, lead.number)


SUBJECTS: dict[str, Callable[[Session, int], Subject | None]] = {
    "case": _case_subject,
    "transfer": _transfer_subject,
    "payment": _payment_subject,
    "lead": _lead_subject,
}


def load_subject(session: Session, kind: str, subject_id: object) -> Subject:
    loader = SUBJECTS.get(kind)
    try:
        number = int(str(subject_id))
    except ValueError:
        number = 0
    subject = loader(session, number) if loader else None
    if subject is None:
        raise NotFoundError("督办事项不存在")
    return subject


def _timeline(session: Session, actor: User | None, order: SupervisionOrder, action: str,
              now: dt.datetime, key: str, text: str = "", **params: Any) -> None:
    """A line on the case's timeline, worded by ``key`` (webapp.services.cases.notes)."""
    if order.case_id is not None:
        session.add(CaseEvent(case_id=order.case_id, at=now, actor_id=getattr(actor, "id", None),
                              action=action, note=text[:2000], note_key=key,
                              note_params={"order": order.id, **params}))


def reply_due(value: object, today: dt.date, settings: CaseSettings) -> dt.date:
    if value in (None, ""):
        return deadlines.add_working_days(today, settings.order_reply_days, settings)
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("答复期限格式不正确（YYYY-MM-DD）", field="reply_due_on") from None
    if not today <= day <= today + dt.timedelta(days=MAX_REPLY_DAYS):
        raise DomainError("答复期限应在今天到 %(days)s 天之内", field="reply_due_on",
                          days=MAX_REPLY_DAYS)
    return day


def issue_order(session: Session, actor: User, *, subject_kind: str, subject_id: object,
                recipient_id: object, request: str, reply_due_on: object = None,
                settings: CaseSettings, now: dt.datetime) -> SupervisionOrder:
    """An officer issues an order to an organisation responsible for the subject."""
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以发督办单")
    subject = load_subject(session, subject_kind, subject_id)
    try:
        recipient = session.get(Organisation, int(str(recipient_id)))
    except ValueError:
        recipient = None
    if recipient is None:
        raise DomainError("请选择接收督办单的单位", field="recipient_id")
    if recipient.id not in subject.responsible:
        raise DomainError("%(org)s 不负责办理该事项，不能向其发督办单", field="recipient_id",
                          org=recipient.name)
    if not subject.open:
        raise ConflictError("该事项已经办结，不需要督办")
    text = (request or "").strip()
    if not text:
        raise DomainError("请填写督办要求", field="request")
    if len(text) > 1000:
        raise DomainError("督办要求不能超过 1000 个字", field="request")
    due = reply_due(reply_due_on, deadlines.local_date(now), settings)
    case_id = subject.case.id if subject.case else None
    order = SupervisionOrder(subject_kind=subject.kind, subject_id=subject.id,
                             case_id=case_id, recipient_id=recipient.id,
                             issued_by_id=actor.id, issued_at=now, reply_due_on=due,
                             request=text, level=OrderLevel.REMIND, status=OrderStatus.OPEN)
    session.add(order)
    session.flush()
    _timeline(session, actor, order, "order_issue", now, "order_issued", text,
              recipient=recipient.name, due=due.isoformat())
    audit.record(session, actor, "supervision.issue", order,
                 summary={"subject_kind": subject.kind, "subject_id": subject.id,
                          "recipient": recipient.id,
                          "reply_due_on": due.isoformat(), "case_id": case_id})
    events.publish(session, events.SupervisionOrderChanged(order, actor, "issue"))
    return order


def can_reply(user: User, order: SupervisionOrder) -> bool:
    """The recipient organisation's staff (a town's window includes its communities)."""
    if user.organisation_id is None:
        return False
    return order.recipient_id in (user.organisation_id, permissions.town_id_of(user))


def reply_order(session: Session, actor: User, order: SupervisionOrder, *, reply: str,
                now: dt.datetime) -> SupervisionOrder:
    """The recipient answers an open order."""
    if not can_reply(actor, order):
        raise PermissionDeniedError("只能答复发给本单位的督办单")
    if order.status == OrderStatus.CLOSED:
        raise ConflictError("督办单已办结，不能再答复")
    if order.status == OrderStatus.REPLIED:
        raise ConflictError("督办单已经答复")
    text = (reply or "").strip()
    if not text:
        raise DomainError("请填写答复内容", field="reply")
    if len(text) > 2000:
        raise DomainError("答复内容不能超过 2000 个字", field="reply")
    order.status, order.reply = OrderStatus.REPLIED, text
    order.replied_by_id, order.replied_at = actor.id, now
    session.flush()
    _timeline(session, actor, order, "order_reply", now, "order_replied", text)
    audit.record(session, actor, "supervision.reply", order,
                 summary={"level": order.level.value, "case_id": order.case_id})
    events.publish(session, events.SupervisionOrderChanged(order, actor, "reply"))
    return order


def close_order(session: Session, actor: User, order: SupervisionOrder, *,
                now: dt.datetime) -> SupervisionOrder:
    """An officer closes an order (after a reply, or when the matter is settled)."""
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以办结督办单")
    if order.status == OrderStatus.CLOSED:
        raise ConflictError("督办单已办结")
    order.status, order.closed_by_id, order.closed_at = OrderStatus.CLOSED, actor.id, now
    session.flush()
    _timeline(session, actor, order, "order_close", now, "order_closed")
    audit.record(session, actor, "supervision.close", order,
                 summary={"level": order.level.value, "case_id": order.case_id})
    events.publish(session, events.SupervisionOrderChanged(order, actor, "close"))
    return order


def level_for(overdue_days: int, settings: CaseSettings) -> OrderLevel:
    if overdue_days >= settings.order_report_after:
        return OrderLevel.REPORT
    if overdue_days >= settings.order_supervise_after:
        return OrderLevel.SUPERVISE
    return OrderLevel.REMIND


def escalate_orders(session: Session, *, settings: CaseSettings, now: dt.datetime,
                    rules_on: Callable[[dt.date], CaseSettings] | None = None
                    ) -> list[SupervisionOrder]:
    """Raise the level of open orders past their reply date; returns the orders raised now.
    Running it again the same day raises nothing twice.

    Working days are counted on today's calendar (``settings``); the escalation levels of an
    order are those in force on the day it was issued (``rules_on(day)``, when given), as a
    running deadline keeps the rule it started under."""
    today = deadlines.local_date(now)
    raised = []
    for order in session.scalars(select(SupervisionOrder).where(
            SupervisionOrder.status == OrderStatus.OPEN, SupervisionOrder.reply_due_on < today,
            SupervisionOrder.level != OrderLevel.REPORT).order_by(SupervisionOrder.id)):
        overdue = deadlines.working_days_between(order.reply_due_on, today, settings)
        levels = rules_on(deadlines.local_date(order.issued_at)) if rules_on else settings
        target = level_for(overdue, levels)
        if LEVEL_ORDER.index(target) <= LEVEL_ORDER.index(order.level):
            continue
        before, order.level, order.escalated_at = order.level, target, now
        _timeline(session, None, order, "order_escalate", now, "order_escalated",
                  days=overdue, before=LEVEL_LABELS[before.value],
                  after=LEVEL_LABELS[target.value])
        audit.record(session, None, "supervision.escalate", order,
                     summary={"from": before.value, "to": target.value,
                              "overdue_days": overdue, "case_id": order.case_id})
        events.publish(session, events.SupervisionOrderChanged(order, None, "escalate"))
        raised.append(order)
    session.flush()
    return raised


def set_high_impact(session: Session, actor: User, case: Case, *, flag: bool, reason: str,
                    settings: CaseSettings, now: dt.datetime) -> Case:
    """Flag (or unflag) a case 重大敏感: it goes on top of every board and its open step limits
    are shortened by the county's rule (a shortened due date never moves later)."""
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以标记重大敏感个案")
    text = (reason or "").strip()
    if not text:
        raise DomainError("请填写理由", field="reason")
    if len(text) > 500:
        raise DomainError("理由不能超过 500 个字", field="reason")
    if case.high_impact == flag:
        raise ConflictError("个案已是该状态")
    case.high_impact = flag
    changed = 0
    if flag:
        for row in session.scalars(select(StepDeadline).where(
                StepDeadline.case_id == case.id, StepDeadline.done_at.is_(None),
                StepDeadline.transfer_id.is_(None))):
            due = deadlines.add_working_days(deadlines.local_date(row.started_at),
                                             deadlines.case_limit(case, row.step, settings),
                                             settings)
            if due < row.due_on:
                row.due_on, changed = due, changed + 1
            if row.step == Step.PROCEDURE and case.procedure_due_on and due < case.procedure_due_on:
                case.procedure_due_on = due
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id,
                          action="high_impact_on" if flag else "high_impact_off", note=text))
    audit.record(session, actor, "supervision.high_impact", case,
                 summary={"number": case.number, "high_impact": flag,
                          "deadlines_shortened": changed})
    return case


# ---- reading -------------------------------------------------------------------------------

def level_rank() -> ColumnElement[int]:
    """SQL expression ordering orders 通报 first, then 督办, then 提醒."""
    return sql_case({OrderLevel.REPORT.value: 0, OrderLevel.SUPERVISE.value: 1},
                    value=SupervisionOrder.level, else_=2)


OrderRows = Select[tuple[SupervisionOrder]]


def open_orders_stmt(*, recipient_id: int | None = None) -> OrderRows:
    """Open and replied (not closed) orders: high-impact cases first, then by level, oldest
    (an order about a lead has no case)."""
    stmt = (select(SupervisionOrder).outerjoin(Case, Case.id == SupervisionOrder.case_id)
            .options(contains_eager(SupervisionOrder.case),
                     joinedload(SupervisionOrder.recipient))
            .where(SupervisionOrder.status != OrderStatus.CLOSED)
            .order_by(Case.high_impact.is_(True).desc(), level_rank(),
                      SupervisionOrder.reply_due_on,
                      SupervisionOrder.id))
    if recipient_id is not None:
        stmt = stmt.where(SupervisionOrder.recipient_id == recipient_id)
    return stmt


def orders_for_user_stmt(user: User) -> OrderRows:
    """The orders a user may read: all for officers and auditors, their organisation's else."""
    if user.has_role(Role.OFFICER, Role.AUDITOR):
        return open_orders_stmt()
    own = {user.organisation_id, permissions.town_id_of(user)} - {None}
    return open_orders_stmt().where(SupervisionOrder.recipient_id.in_(own or {-1}))


def visible_orders_stmt(user: User, *, status: OrderStatus | None = None,
                        case_id: int | None = None) -> OrderRows:
    """Every order a user may read, closed ones too (the API's list): all for officers and
    auditors, their organisation's (or town's) else; high-impact cases first, then by level."""
    stmt = (select(SupervisionOrder).outerjoin(Case, Case.id == SupervisionOrder.case_id)
            .options(contains_eager(SupervisionOrder.case),
                     joinedload(SupervisionOrder.recipient))
            .order_by(sql_case((Case.high_impact.is_(True), 0), else_=1), level_rank(),
                      SupervisionOrder.reply_due_on, SupervisionOrder.id))
    if not user.has_role(Role.OFFICER, Role.AUDITOR):
        own = {user.organisation_id, permissions.town_id_of(user)} - {None}
        stmt = stmt.where(SupervisionOrder.recipient_id.in_(own or {-1}))
    if status is not None:
        stmt = stmt.where(SupervisionOrder.status == status)
    if case_id is not None:
        stmt = stmt.where(SupervisionOrder.case_id == case_id)
    return stmt


def can_read(user: User, order: SupervisionOrder) -> bool:
    return user.has_role(Role.OFFICER, Role.AUDITOR) or can_reply(user, order)


def case_orders(session: Session, case: Case) -> list[SupervisionOrder]:
    return list(session.scalars(select(SupervisionOrder).where(
        SupervisionOrder.case_id == case.id).order_by(SupervisionOrder.id)))


def subject_orders(session: Session, kind: str, subject_id: int) -> list[SupervisionOrder]:
    """The orders about one subject (a lead's page lists them)."""
    return list(session.scalars(select(SupervisionOrder).where(
        SupervisionOrder.subject_kind == kind, SupervisionOrder.subject_id == subject_id)
        .order_by(SupervisionOrder.id)))


# ---- reactions -----------------------------------------------------------------------------

def on_order_changed(session: Session, event: events.SupervisionOrderChanged) -> events.Effects:
    """Tell the people concerned: the recipient at each step; from 督办 the supervisors
    (officers) too, and from 通报 also the auditors (审计/监察); the issuer hears replies."""
    order = event.order
    case = session.get(Case, order.case_id) if order.case_id else None
    lead = session.get(Lead, order.subject_id) if order.subject_kind == "lead" else None
    number = lead.number if lead else case.number if case else f"#{order.id}"
    level = LEVEL_LABELS[order.level.value]
    recipients = [*notifications.users_with_role(session, Role.INTAKE_WORKER,
                                                 organisation_id=order.recipient_id),
                  *notifications.users_with_role(session, Role.DEPARTMENT_HANDLER,
                                                 organisation_id=order.recipient_id)]
    if event.step == "reply":
        return events.Effects(notices=notifications.notify(
            session, [order.issued_by_id], "order", Notice("order_replied", id=order.id, number=number),
            body=(order.reply or "")[:200], case=case))
    if event.step == "close":
        return events.Effects(notices=notifications.notify(
            session, recipients, "order", Notice("order_closed", id=order.id, number=number),
            case=case))
    people = list(recipients)
    if order.level in (OrderLevel.SUPERVISE, OrderLevel.REPORT):
        people += notifications.users_with_role(session, Role.OFFICER)
    if order.level == OrderLevel.REPORT:
        people += notifications.users_with_role(session, Role.AUDITOR)
    return events.Effects(notices=notifications.notify(
        session, people, "order",
        Notice("order_issued_lead" if lead else "order_issued", level=level, id=order.id,
               number=number),
        body=Notice("order_issued_body", due=order.reply_due_on.isoformat(),
                    text=order.request[:200]), case=case,
        dedupe=f"order:{order.id}:{order.level.value}"))

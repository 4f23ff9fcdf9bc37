"""Appeals (复核申请): an applicant, or a window on their behalf, asks within a configured
number of days for a refusal or rejection to be reviewed. The review goes to an officer other
than the one who decided, and its outcome (upheld, or overturned: the case is reopened at the
step it was refused from) goes on the timeline, the audit trail, and to the applicant.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Role,
    Step,
    User,
    UserRole,
    utcnow,
)
from webapp.services import ConflictError, DomainError, PermissionDeniedError, audit, events
from webapp.services.cases import deadlines
from webapp.services.cases.notices import Notice
from webapp.services.cases.notifications import notify
from webapp.services.cases.settings import CaseSettings
from webapp.services.doors.settings import DoorSettings

APPEALABLE = {CaseStatus.REFUSED: "refuse", CaseStatus.REJECTED: "reject"}
#: Where an overturned case starts again: a refusal at acceptance, a rejection at the decision.
REOPENED_AT = {CaseStatus.REFUSED: CaseStatus.REPORTED, CaseStatus.REJECTED: CaseStatus.VERIFIED}
APPEAL_STATUS_LABELS = {AppealStatus.OPEN: "复核中", AppealStatus.UPHELD: "维持原决定",
                        AppealStatus.OVERTURNED: "撤销原决定，重新办理"}


def appeal_until(case: Case, settings: DoorSettings) -> dt.date | None:
    """The last day to ask for a review of this case's refusal (``None``: not appealable)."""
    if case.status not in APPEALABLE or case.closed_at is None:
        return None
    return deadlines.local_date(case.closed_at) + dt.timedelta(days=settings.appeal_days)


def open_appeal(session: Session, case: Case) -> Appeal | None:
    return session.scalars(select(Appeal).where(Appeal.case_id == case.id,
                                                Appeal.status == AppealStatus.OPEN)).first()


def latest_appeal(session: Session, case: Case) -> Appeal | None:
    return session.scalars(select(Appeal).where(Appeal.case_id == case.id)
                           .order_by(Appeal.id.desc())).first()


def _decider(session: Session, case: Case) -> int | None:
    return session.scalars(select(CaseEvent.actor_id).where(
        CaseEvent.case_id == case.id, CaseEvent.action == APPEALABLE[case.status])
        .order_by(CaseEvent.id.desc())).first()


def _reviewer(session: Session, decider_id: int | None) -> int | None:
    """The active officer, other than the decider, with the fewest open appeals."""
    load = (select(func.count(Appeal.id)).where(Appeal.reviewer_id == User.id,
                                                Appeal.status == AppealStatus.OPEN)
            .scalar_subquery())
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.OFFICER, User.active.is_(True))
            .order_by(load, User.id))
    if decider_id is not None:
        stmt = stmt.where(User.id != decider_id)
    return session.scalars(stmt).first()


def _check_may_file(session: Session, actor: User | None, case: Case, *,
                    settings: DoorSettings, today: dt.date) -> None:
    """Raise why this case's decision cannot be appealed now (by ``actor``, or by the
    applicant when ``None``)."""
    if actor is not None and not (actor.has_role(Role.OFFICER)
                                  or permissions.is_case_town_worker(actor, case)):
        raise PermissionDeniedError("只有个案所在镇（街道）的受理窗口可以代为申请复核")
    until = appeal_until(case, settings)
    if until is None:
        raise ConflictError("只有不予受理或不予救助的申请可以申请复核")
    if today > until:
        raise DomainError("已超过复核申请期限：应在决定后 %(days)s 日内（%(until)s 前）提出",
                          days=settings.appeal_days, until=until.isoformat())
    if open_appeal(session, case) is not None:
        raise ConflictError("已有复核申请正在办理，请耐心等待结果")
    if session.scalars(select(Appeal.id).where(Appeal.case_id == case.id,
                                               Appeal.created_at >= case.closed_at)).first():
        raise ConflictError("同一决定只能申请一次复核")


def may_file(session: Session, actor: User, case: Case, *, settings: DoorSettings,
             today: dt.date) -> bool:
    """Whether ``actor`` (the case's town window, or an officer) may file an appeal on the
    applicant's behalf today: the case page offers the button only then."""
    try:
        _check_may_file(session, actor, case, settings=settings, today=today)
    except DomainError:
        return False
    return True


def file_appeal(session: Session, actor: User | None, case: Case, *, reason: str,
                settings: DoorSettings, now: dt.datetime | None = None) -> Appeal:
    """Record a request for review; ``actor`` is ``None`` when the applicant files it
    through the verified status lookup, else the window filing on their behalf."""
    now = now or utcnow()
    _check_may_file(session, actor, case, settings=settings, today=deadlines.local_date(now))
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 1000:
        raise DomainError("请写明申请复核的理由（5–1000 个字）", field="reason")
    decider = _decider(session, case)
    appeal = Appeal(case_id=case.id, reason=reason, by_applicant=actor is None,
                    filed_by_id=actor.id if actor else None, refused_status=case.status.value,
                    original_decider_id=decider, reviewer_id=_reviewer(session, decider),
                    created_at=now)
    session.add(appeal)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id if actor else None,
                          action="appeal", from_status=case.status, to_status=case.status,
                          note_key="appeal_by_applicant" if actor is None else "appeal_by_window"))
    audit.record(session, actor, "case.appeal", case,
                 summary={"number": case.number, "appeal_id": appeal.id,
                          "by_applicant": appeal.by_applicant,
                          "reviewer_id": appeal.reviewer_id})
    session.flush()
    events.publish(session, events.AppealFiled(appeal, case, actor))
    return appeal


def decide_appeal(session: Session, actor: User, appeal: Appeal, *, overturn: bool, note: str,
                  case_settings: CaseSettings, now: dt.datetime | None = None) -> Appeal:
    """A second officer upholds the decision or overturns it (the case is reopened)."""
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以办理复核")
    if appeal.original_decider_id is not None and actor.id == appeal.original_decider_id:
        raise PermissionDeniedError("复核须由作出原决定以外的工作人员办理")
    if appeal.status is not AppealStatus.OPEN:
        raise ConflictError("该复核申请已办理")
    note = (note or "").strip()
    if not 2 <= len(note) <= 1000:
        raise DomainError("请填写复核意见（2–1000 个字）", field="note")
    now = now or utcnow()
    case = appeal.case
    before = case.status
    appeal.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    appeal.decided_by_id, appeal.decided_at, appeal.decision_note = actor.id, now, note
    after = before
    if overturn:
        after = REOPENED_AT[CaseStatus(appeal.refused_status)]
        case.status, case.closed_at, case.updated_at = after, None, now
        step = Step.ACCEPTANCE if after is CaseStatus.REPORTED else Step.PROCEDURE
        deadlines.open_step(session, case, step, settings=case_settings, now=now,
                            responsible_id=case.owner_id)
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id,
                          action="appeal_overturned" if overturn else "appeal_upheld",
                          from_status=before, to_status=after, note=note))
    audit.record(session, actor, "case.appeal_decide", case,
                 summary={"number": case.number, "appeal_id": appeal.id,
                          "outcome": appeal.status.value, "from": before.value,
                          "to": after.value})
    session.flush()
    events.publish(session, events.AppealDecided(case, actor, appeal, overturn))
    return appeal


def queue_stmt(*, status: AppealStatus | None = AppealStatus.OPEN) -> Select[tuple[Appeal]]:
    stmt = select(Appeal)
    if status is not None:
        stmt = stmt.where(Appeal.status == status)
    return stmt.order_by(Appeal.id.desc())


def on_appeal_filed(session: Session, event: events.AppealFiled) -> events.Effects:
    appeal = event.appeal
    if appeal.reviewer_id is None:
        return events.Effects()
    added = notify(session, [appeal.reviewer_id], "appeal",
                   Notice("appeal", number=event.case.number), case=event.case)
    return events.Effects(notices=added)

"""The joint conference (联席会议): schedule it, put escalated cases on the agenda, record a
decision per case, which fires the matching transition."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    AgendaItem,
    Case,
    CaseStatus,
    Conference,
    ConferenceStatus,
    Decision,
    Role,
    User,
    utcnow,
)
from webapp.services import ConflictError, DomainError, Msg, PermissionDeniedError, audit, events
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings


def _officer(actor: User) -> None:
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以组织联席会议")


def schedule_conference(session: Session, actor: User, *, title: str, scheduled_at: dt.datetime,
                        location: str = "", now: dt.datetime | None = None) -> Conference:
    """Schedule a meeting."""
    _officer(actor)
    title, location = (title or "").strip(), (location or "").strip()
    errors = {}
    if not 2 <= len(title) <= 120:
        errors["title"] = [Msg("请填写会议名称（2–120 个字）")]
    if len(location) > 120:
        errors["location"] = [Msg("地点不能超过 120 个字")]
    if scheduled_at is None or scheduled_at.tzinfo is None:
        errors["scheduled_at"] = [Msg("请填写会议时间")]
    if errors:
        raise DomainError("会议信息有误", errors=errors)
    conference = Conference(title=title, scheduled_at=scheduled_at, location=location,
                            created_by_id=actor.id, created_at=now or utcnow())
    session.add(conference)
    session.flush()
    audit.record(session, actor, "conference.schedule", conference,
                 summary={"scheduled_at": scheduled_at.isoformat()})
    return conference


def add_to_agenda(session: Session, actor: User, conference: Conference, case: Case) -> AgendaItem:
    """Put an escalated case on the agenda of a scheduled meeting."""
    _officer(actor)
    if conference.status != ConferenceStatus.SCHEDULED:
        raise ConflictError("会议已召开，不能再增加议题")
    if case.status != CaseStatus.ESCALATED:
        raise ConflictError("只有已提交联席会议的个案可以列入议程")
    pending = session.scalars(select(AgendaItem).where(
        AgendaItem.case_id == case.id, AgendaItem.decision.is_(None))).first()
    if pending is not None:
        raise ConflictError("该个案已在待议议程中")
    item = AgendaItem(conference_id=conference.id, case_id=case.id)
    session.add(item)
    session.flush()
    audit.record(session, actor, "conference.agenda_add", conference,
                 summary={"case_id": case.id, "item_id": item.id})
    return item


def record_decision(session: Session, actor: User, item: AgendaItem, *, decision: str,
                    note: str = "", amount: Any = None, department_ids: Iterable[Any] = (),
                    exception_reason: str | None = None, settings: CaseSettings,
                    now: dt.datetime | None = None) -> AgendaItem:
    """Record the conference's decision on one case and fire its transition."""
    _officer(actor)
    now = now or utcnow()
    if item.decision is not None:
        raise ConflictError("该议题已有决定")
    try:
        choice = Decision(decision)
    except ValueError:
        raise DomainError("请选择会议决定", field="decision") from None
    note = (note or "").strip()
    case = item.case
    if choice == Decision.APPROVE:
        workflow.fire(session, actor, case, "approve", settings=settings, now=now,
                      amount=amount, exception_reason=exception_reason)
        item.amount = case.approved_amount
    elif choice == Decision.REJECT:
        workflow.fire(session, actor, case, "reject", settings=settings, now=now,
                      reason=note or "联席会议决定不予救助")
    else:
        ids = [int(i) for i in department_ids or () if str(i).strip()]
        if not ids:
            raise DomainError("请选择承办部门", field="department_ids")
        workflow.fire(session, actor, case, "transfer", settings=settings, now=now,
                      department_ids=ids, reason=note or "联席会议决定由部门协同办理",
                      return_to=CaseStatus.VERIFIED.value)
        item.departments = ",".join(str(i) for i in ids)
    item.decision, item.note = choice, note[:1000]
    item.decided_by_id, item.decided_at = actor.id, now
    conference = item.conference
    if all(i.decision is not None for i in conference.items):
        conference.status = ConferenceStatus.HELD
    session.flush()
    audit.record(session, actor, "conference.decision", conference,
                 summary={"case_id": case.id, "item_id": item.id, "decision": choice.value})
    events.publish(session, events.ConferenceDecided(item, case, actor))
    return item

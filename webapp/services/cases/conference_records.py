"""The joint conference's records: its member departments, who attended each meeting, and the
minutes (纪要). A meeting whose time has passed without minutes is overdue."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    Conference,
    ConferenceAttendance,
    ConferenceMember,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    User,
    utcnow,
)
from webapp.services import ConflictError, DomainError, Msg, PermissionDeniedError, audit

MEMBER_KINDS = (OrgKind.DEPARTMENT, OrgKind.CIVIL_AFFAIRS)
MINUTES_MAX = 20000


class MeetingState(str, Enum):
    SCHEDULED = "scheduled"      # still ahead
    OVERDUE = "overdue"          # its time has passed, no minutes yet
    RECORDED = "recorded"        # minutes recorded


STATE_LABELS = {MeetingState.SCHEDULED: "待召开", MeetingState.OVERDUE: "逾期未录纪要",
                MeetingState.RECORDED: "已召开，纪要已录"}


def meeting_state(conference: Conference, now: dt.datetime | None = None) -> MeetingState:
    """Where a meeting stands: ahead, overdue (past without minutes) or recorded."""
    if conference.minutes_at is not None:
        return MeetingState.RECORDED
    if conference.scheduled_at <= (now or utcnow()):
        return MeetingState.OVERDUE
    return MeetingState.SCHEDULED


def _officer(actor: User) -> None:
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以管理联席会议")


def members(session: Session) -> list[ConferenceMember]:
    return list(session.scalars(select(ConferenceMember).join(ConferenceMember.organisation)
                                .order_by(Organisation.name)))


def add_member(session: Session, actor: User, organisation: Organisation | None,
               *, now: dt.datetime | None = None) -> ConferenceMember:
    """Make a department (or the civil affairs bureau) a member of the joint conference."""
    _officer(actor)
    if (organisation is None or organisation.kind not in MEMBER_KINDS
            or organisation.status != OrgStatus.APPROVED):
        raise DomainError("成员单位须是已审核的政府部门", field="organisation_id")
    if session.scalars(select(ConferenceMember).where(
            ConferenceMember.organisation_id == organisation.id)).first() is not None:
        raise ConflictError("该部门已是成员单位", field="organisation_id")
    member = ConferenceMember(organisation_id=organisation.id, added_by_id=actor.id,
                              added_at=now or utcnow())
    session.add(member)
    session.flush()
    audit.record(session, actor, "conference.member_add", member,
                 summary={"organisation_id": organisation.id})
    return member


def remove_member(session: Session, actor: User, member: ConferenceMember) -> None:
    """A department leaves the conference; attendance already recorded stays."""
    _officer(actor)
    organisation_id = member.organisation_id
    audit.record(session, actor, "conference.member_remove", member,
                 summary={"organisation_id": organisation_id})
    session.delete(member)
    session.flush()


def _not_yet_held(conference: Conference, now: dt.datetime) -> bool:
    return conference.scheduled_at > now


def record_attendance(session: Session, actor: User, conference: Conference, *,
                      present: Iterable[int], representatives: Mapping[int, str] | None = None,
                      now: dt.datetime | None = None) -> list[ConferenceAttendance]:
    """Record which member departments attended (the rest were absent) and who came for each.

    Every id must be a member department; the whole record is checked before anything is
    written, and recording again replaces the earlier record.
    """
    _officer(actor)
    now = now or utcnow()
    if _not_yet_held(conference, now):
        raise ConflictError("会议尚未召开，不能记录出席情况")
    member_ids = {m.organisation_id for m in members(session)}
    if not member_ids:
        raise ConflictError("请先设置联席会议成员单位")
    present_ids = {int(i) for i in present}
    names = {int(k): (v or "").strip() for k, v in (representatives or {}).items()}
    errors: dict[str, list[str | Msg]] = {}
    strangers = (present_ids | {k for k, v in names.items() if v}) - member_ids
    if strangers:
        errors["present"] = [Msg("只能记录成员单位的出席情况")]
    if any(len(v) > 60 for v in names.values()):
        errors["representatives"] = [Msg("参会人员不能超过 60 个字")]
    if not present_ids and not errors:
        errors["present"] = [Msg("请至少选择一个出席的成员单位")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first.msgid if isinstance(first, Msg) else first, errors=errors)
    existing = {a.organisation_id: a for a in conference.attendance}
    rows = []
    for organisation_id in sorted(member_ids | set(existing)):
        row = existing.get(organisation_id)
        if row is None:
            if organisation_id not in member_ids:
                continue
            row = ConferenceAttendance(conference_id=conference.id,
                                       organisation_id=organisation_id)
            session.add(row)
        row.present = organisation_id in present_ids
        row.representative = names.get(organisation_id, "") if row.present else ""
        row.recorded_by_id, row.recorded_at = actor.id, now
        rows.append(row)
    session.flush()
    session.refresh(conference, ["attendance"])
    audit.record(session, actor, "conference.attendance", conference,
                 summary={"present": sorted(present_ids),
                          "absent": sorted(member_ids - present_ids)})
    return rows


def record_minutes(session: Session, actor: User, conference: Conference, *, minutes: str,
                   now: dt.datetime | None = None) -> Conference:
    """Record (or revise) the minutes of a meeting that has taken place."""
    _officer(actor)
    now = now or utcnow()
    if _not_yet_held(conference, now):
        raise ConflictError("会议尚未召开，不能记录会议纪要")
    text = (minutes or "").strip()
    if not 10 <= len(text) <= MINUTES_MAX:
        raise DomainError("会议纪要应为 10–%(n)s 个字", field="minutes", n=MINUTES_MAX)
    revised = conference.minutes_at is not None
    conference.minutes, conference.minutes_at, conference.minutes_by_id = text, now, actor.id
    session.flush()
    audit.record(session, actor, "conference.minutes", conference,
                 summary={"revised": revised, "length": len(text)})
    return conference

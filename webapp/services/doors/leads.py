"""Leads (线索): whoever finds hardship reports it with the least data; the town window makes
first contact within a working-day limit, then turns the lead into a case or closes it with
a reason, and the finder sees which.

Who may file: village and community staff (intake workers), social workers and volunteers,
department handlers, the rescue station (救助管理站) and officers; a resident files through
the online self-application (``actor`` is ``None``). The town window (intake workers of the
lead's town) and officers handle the queue.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from webapp import permissions
from webapp.models import (
    Case,
    CaseSource,
    Lead,
    LeadChannel,
    LeadCloseReason,
    LeadStatus,
    Organisation,
    OrgKind,
    Role,
    User,
    utcnow,
)
from webapp.services import (
    ConflictError,
    DomainError,
    Msg,
    NotFoundError,
    PermissionDeniedError,
    audit,
    events,
)
from webapp.services.cases import deadlines, intake, workflow
from webapp.services.cases.notices import Notice
from webapp.services.cases.notifications import notify, users_with_role
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput, consent_of_lead
from webapp.services.doors.codes import MOBILE, normalise_mobile, phone_key
from webapp.services.doors.settings import DoorSettings
from webapp.services.retention import TOMBSTONE

FILER_ROLES = frozenset({Role.INTAKE_WORKER, Role.VOLUNTEER, Role.DEPARTMENT_HANDLER,
                         Role.RESCUE_STATION, Role.OFFICER})
HANDLER_ROLES = frozenset({Role.INTAKE_WORKER, Role.OFFICER})
LEAD_STATUS_LABELS = {LeadStatus.OPEN: "待首次联系", LeadStatus.CONVERTED: "已转为个案",
                      LeadStatus.CLOSED: "已关闭"}
CLOSE_REASON_LABELS = {LeadCloseReason.REFERRED: "已转介其他部门或机构",
                       LeadCloseReason.NOT_ELIGIBLE: "不符合救助条件",
                       LeadCloseReason.DUPLICATE: "重复线索（已有个案在办）",
                       LeadCloseReason.UNREACHABLE: "多次联系未果"}
CHANNEL_LABELS = {LeadChannel.STAFF: "发现报告", LeadChannel.ONLINE: "网上申请"}


@dataclass
class LeadInput:
    """Who, where, what happened, how urgent, how to reach them."""

    name: str
    town_id: int | None
    description: str
    phone: str = ""
    address: str = ""
    urgency: int = 2
    village_id: int | None = None
    on_behalf: bool = False


def _validate(session: Session, data: LeadInput, *, online: bool,
              errors: dict[str, list[str | Msg]] | None = None) -> dict[str, Any]:
    """Check every field and report all problems at once (with ``errors`` found before, such
    as a missing consent); return the cleaned values."""
    errors = dict(errors or {})
    name = (data.name or "").strip()
    if not 1 <= len(name) <= 40:
        errors["name"] = [Msg("请填写困难群众的姓名或称呼（不超过 40 个字）")]
    phone = normalise_mobile(data.phone)
    if online and not MOBILE.fullmatch(phone):
        errors["phone"] = [Msg("请填写 11 位手机号码，用来接收验证码")]
    elif phone and not (MOBILE.fullmatch(phone) or intake.LANDLINE.fullmatch(phone)):
        errors["phone"] = [Msg("联系电话格式不正确（手机 11 位或带区号的座机）")]
    address = (data.address or "").strip()
    if len(address) > 200:
        errors["address"] = [Msg("住址不能超过 200 个字")]
    town = session.get(Organisation, data.town_id) if data.town_id else None
    if town is None or town.kind != OrgKind.TOWN:
        errors["town_id"] = [Msg("请选择所在的镇（街道）")]
    village = session.get(Organisation, data.village_id) if data.village_id else None
    if data.village_id and (village is None or town is None or village.parent_id != town.id):
        errors["village_id"] = [Msg("村（社区）不属于所选镇（街道）")]
    description = (data.description or "").strip()
    if not 5 <= len(description) <= 2000:
        errors["description"] = [Msg("请简单说说遇到了什么困难（5–2000 个字）")]
    try:
        urgency = int(data.urgency)
    except (TypeError, ValueError):
        urgency = 0
    if not 1 <= urgency <= 4:
        errors["urgency"] = [Msg("紧急程度应为 1–4")]
    if not online and not phone and not address:
        errors["phone"] = [Msg("请至少留下联系电话或住址，方便窗口联系")]
    if errors:
        raise DomainError("线索信息有误，请检查标出的内容", errors=errors)
    return {"name": name, "phone": phone or None, "address": address or None, "town": town,
            "village": village, "description": description, "urgency": urgency}


def validate_online(session: Session, data: LeadInput, *,
                    errors: dict[str, list[str | Msg]] | None = None) -> None:
    """Check a self-application before a code is sent for it."""
    _validate(session, data, online=True, errors=errors)


def file_lead(session: Session, actor: User | None, data: LeadInput, *,
              settings: DoorSettings, case_settings: CaseSettings,
              now: dt.datetime | None = None) -> Lead:
    """Put a lead in its town window's queue with a first-contact deadline."""
    if actor is not None and not actor.roles & FILER_ROLES:
        raise PermissionDeniedError("您的角色不能报告线索")
    now = now or utcnow()
    v = _validate(session, data, online=actor is None)
    today = deadlines.local_date(now)
    lead = Lead(number=f"new-{secrets.token_hex(8)}",  # the id-based number follows
                channel=LeadChannel.ONLINE if actor is None else LeadChannel.STAFF,
                town_id=v["town"].id, village_id=v["village"].id if v["village"] else None,
                name=v["name"], phone=v["phone"], address=v["address"],
                description=v["description"], urgency=v["urgency"],
                phone_key=phone_key(v["phone"], settings.hash_key) if v["phone"] else None,
                on_behalf=bool(data.on_behalf) or actor is not None,
                reporter_id=actor.id if actor else None,
                reporter_org_id=actor.organisation_id if actor else None, created_at=now,
                due_on=deadlines.add_working_days(today, settings.lead_contact_days,
                                                  case_settings))
    session.add(lead)
    session.flush()
    lead.number = f"XS-{today.year}-{lead.id:06d}"
    audit.record(session, actor, "lead.file", lead,
                 summary={"number": lead.number, "town_id": lead.town_id,
                          "channel": lead.channel.value, "urgency": lead.urgency})
    session.flush()
    events.publish(session, events.LeadFiled(lead, actor))
    return lead


def can_handle(user: User, lead: Lead) -> bool:
    """The town's window (its intake workers, also in its communities) and officers."""
    return user.has_role(Role.OFFICER) or (
        user.has_role(Role.INTAKE_WORKER) and permissions.town_id_of(user) == lead.town_id)


def can_view(user: User, lead: Lead) -> bool:
    return can_handle(user, lead) or user.has_role(Role.AUDITOR) or (
        lead.reporter_id is not None and lead.reporter_id == user.id)


def get_lead(session: Session, user: User, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None or not can_view(user, lead):
        raise NotFoundError("线索不存在或您无权查看")
    return lead


def queue_stmt(user: User, *, status: LeadStatus | None = LeadStatus.OPEN) -> Select[tuple[Lead]]:
    """The leads a window (or an officer, all towns) works on; most urgent and oldest first."""
    stmt = select(Lead)
    if not user.has_role(Role.OFFICER, Role.AUDITOR):
        stmt = stmt.where(Lead.town_id == (permissions.town_id_of(user) or -1))
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    return stmt.order_by(Lead.due_on, Lead.urgency.desc(), Lead.id)


def mine_stmt(user: User) -> Select[tuple[Lead]]:
    """The leads this user reported, newest first."""
    return select(Lead).where(Lead.reporter_id == user.id).order_by(Lead.id.desc())


def numbers(session: Session, lead_ids: Iterable[int]) -> dict[int, str]:
    """The numbers of these leads by id (orders about leads name them)."""
    ids = set(lead_ids)
    if not ids:
        return {}
    return {i: n for i, n in session.execute(select(Lead.id, Lead.number)
                                             .where(Lead.id.in_(ids)))}


def late_leads(session: Session, *, today: dt.date) -> list[Lead]:
    """Open leads past their first-contact date (the supervision board)."""
    return list(session.scalars(select(Lead).options(joinedload(Lead.town))
                                .where(Lead.status == LeadStatus.OPEN, Lead.due_on < today)
                                .order_by(Lead.due_on, Lead.id)))


def _require_open(actor: User, lead: Lead) -> None:
    if not can_handle(actor, lead):
        raise PermissionDeniedError("只有线索所在镇（街道）的受理窗口可以处理")
    if lead.status is not LeadStatus.OPEN:
        raise ConflictError("线索已处理（%(status)s），不能再更改",
                            status=LEAD_STATUS_LABELS[lead.status])


def case_source_of(lead: Lead) -> CaseSource:
    """The channel a case from this lead counts under in the statistics."""
    if lead.channel is LeadChannel.ONLINE:
        return CaseSource.ONLINE
    if lead.reporter is not None and lead.reporter.has_role(Role.RESCUE_STATION):
        return CaseSource.RESCUE_STATION
    return CaseSource.LEAD


def convert_lead(session: Session, actor: User, lead: Lead, *, id_number: str, category: str,
                 amount_needed: object, case_settings: CaseSettings,
                 local_hukou: bool = True, consent: ConsentInput | None = None,
                 now: dt.datetime | None = None) -> Case:
    """Turn a lead into a case accepted by this window: what the lead holds is carried over,
    only what it lacks (ID number, category, amount, and the 告知同意 unless the applicant
    gave it online) is asked for."""
    _require_open(actor, lead)
    if lead.name == TOMBSTONE:
        raise ConflictError("线索 %(number)s 的个人信息已按保存期限删除，请到窗口重新登记",
                            number=lead.number)
    now = now or utcnow()
    data = intake.CaseInput(
        applicant=intake.ApplicantInput(name=lead.name, id_number=id_number,
                                        phone=lead.phone or "", address=lead.address or "",
                                        local_hukou=local_hukou),
        town_id=lead.town_id, village_id=lead.village_id, category=category,
        amount_needed=amount_needed if amount_needed not in (None, "") else Decimal(0),
        description=lead.description if len(lead.description) >= 10
        else f"{lead.description}（线索 {lead.number}）",
        source=case_source_of(lead).value, urgency=lead.urgency,
        consent=consent, lead_consent=consent_of_lead(session, lead))
    if not data.applicant.name or len(data.applicant.name) < 2:
        raise DomainError("线索中的姓名不完整，请先到窗口登记个案", field="name")
    case = intake.report_case(session, actor, data, settings=case_settings, now=now)
    workflow.fire(session, actor, case, "accept", settings=case_settings, now=now)
    lead.status, lead.case_id = LeadStatus.CONVERTED, case.id
    lead.handled_at, lead.handled_by_id = now, actor.id
    audit.record(session, actor, "lead.convert", lead,
                 summary={"number": lead.number, "case_id": case.id,
                          "case_number": case.number})
    session.flush()
    events.publish(session, events.LeadConverted(lead, case, actor))
    return case


def close_lead(session: Session, actor: User, lead: Lead, *, reason: str, note: str = "",
               now: dt.datetime | None = None) -> Lead:
    """Close a lead that does not become a case, with a reason the finder will see."""
    _require_open(actor, lead)
    try:
        why = LeadCloseReason(reason)
    except ValueError:
        raise DomainError("请选择关闭线索的原因", field="reason") from None
    note = (note or "").strip()
    if why in (LeadCloseReason.REFERRED, LeadCloseReason.NOT_ELIGIBLE) and not note:
        raise DomainError("请说明转介去向或不符合的条件", field="note")
    if len(note) > 500:
        raise DomainError("说明不能超过 500 个字", field="note")
    now = now or utcnow()
    lead.status, lead.close_reason, lead.close_note = LeadStatus.CLOSED, why, note or None
    lead.handled_at, lead.handled_by_id = now, actor.id
    audit.record(session, actor, "lead.close", lead,
                 summary={"number": lead.number, "reason": why.value})
    session.flush()
    events.publish(session, events.LeadClosed(lead, actor))
    return lead


OUTCOME_CONVERTED = "已受理，转为个案"
OUTCOME_WAITING = "等待受理窗口首次联系"


def outcome_text(lead: Lead) -> str:
    """What became of a lead, in words for the finder: no more than they gave."""
    if lead.status is LeadStatus.CONVERTED:
        return OUTCOME_CONVERTED
    if lead.status is LeadStatus.CLOSED and lead.close_reason is not None:
        return CLOSE_REASON_LABELS[lead.close_reason]
    return OUTCOME_WAITING


# ---- subscribers ----------------------------------------------------------------------------

def on_lead_filed(session: Session, event: events.LeadFiled) -> events.Effects:
    lead = event.lead
    added = notify(session, users_with_role(session, Role.INTAKE_WORKER, town_id=lead.town_id),
                   "lead", Notice("lead", number=lead.number),
                   body=Notice("lead_body", due=lead.due_on.isoformat()))
    return events.Effects(notices=added)


def on_lead_resolved(session: Session, event: events.LeadConverted | events.LeadClosed
                     ) -> events.Effects:
    lead = event.lead
    if lead.reporter_id is None:
        return events.Effects()
    added = notify(session, [lead.reporter_id], "lead",
                   Notice("lead_resolved", number=lead.number, outcome=outcome_text(lead)))
    return events.Effects(notices=added)

"""The public self-service pages' use cases: apply online (网上申请) and look up progress
(进度查询), both confirmed by a code sent to the phone.

A lookup answers the same whether or not the number and phone belong together: a code is
issued either way, but sent only to the phone on record, and redeeming the code of a
mismatched request fails like a wrong code. So a wrong phone learns nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    Appeal,
    Case,
    CaseStatus,
    CodePurpose,
    ConsentMethod,
    Lead,
    LeadStatus,
    StepDeadline,
    utcnow,
)
from webapp.services import DomainError, Msg, audit
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import (
    PROXY_RELATIONS,
    ConsentInput,
    check_consent,
    notice_by_version,
    record_consent,
)
from webapp.services.doors import appeals, codes, leads, messages
from webapp.services.doors.codes import normalise_mobile
from webapp.services.doors.settings import DoorSettings

NUMBER = re.compile(r"(GT|XS)-\d{4}-\d{6}")
BRING_FIRST = ("身份证、户口簿（或居住证）", "能说明困难的材料，如医疗费票据、诊断证明、事故或受灾证明")
BRING_BANK = ("本人银行卡或社保卡（用于发放救助金）",)
#: The current step in plain words, for the applicant.
STEP_WORDS = {
    CaseStatus.REPORTED: "已登记，等待受理", CaseStatus.ACCEPTED: "已受理，正在准备核查",
    CaseStatus.REFUSED: "不予受理", CaseStatus.EMERGENCY_AID: "已先行救助，正在核查",
    CaseStatus.VERIFYING: "正在核查家庭情况", CaseStatus.VERIFIED: "核查完毕，等待审批",
    CaseStatus.TRANSFERRED: "已转相关部门协同办理", CaseStatus.ESCALATED: "提交联席会议研究",
    CaseStatus.APPROVED: "已批准救助", CaseStatus.REJECTED: "不予救助",
    CaseStatus.PUBLISHED: "已批准，正在募集社会帮扶", CaseStatus.IN_ASSISTANCE: "正在实施救助",
    CaseStatus.CLOSED: "已办结", CaseStatus.WITHDRAWN: "已撤回",
}


@dataclass(frozen=True)
class StatusView:
    """What an applicant may read about their own application: nothing else."""

    number: str
    step: str
    window: str
    due_on: dt.date | None
    bring: tuple[str, ...]
    reason: str | None = None
    appeal_until: dt.date | None = None
    can_appeal: bool = False
    appeal_status: str | None = None
    case_id: int | None = None


def _proxy_errors(data: leads.LeadInput, consent: ConsentInput | None
                  ) -> dict[str, list[str | Msg]]:
    """Who applies for someone else says who they are and how they are related, as at the
    window; the consent record keeps it (the name sealed)."""
    name = (consent.proxy_name if consent else "").strip()
    relation = (consent.proxy_relation if consent else "").strip()
    errors: dict[str, list[str | Msg]] = {}
    if data.on_behalf:
        if not 2 <= len(name) <= 40:
            errors["consent_proxy_name"] = [Msg("替别人申请时，请填写您本人的姓名（2–40 个字）")]
        if relation not in PROXY_RELATIONS:
            errors["consent_proxy_relation"] = [Msg("替别人申请时，请选择您与需要帮助的人的关系")]
    elif name or relation:
        errors["on_behalf"] = [Msg("填写了您本人的姓名或关系，请勾选“我是替家人或邻居申请”")]
    return errors


def start_application(session: Session, data: leads.LeadInput, *, address: str,
                      settings: DoorSettings, now: dt.datetime | None = None,
                      consent: ConsentInput | None = None) -> str:
    """Check an application and send a code to its phone; return the ticket to confirm it."""
    consent_errors, clean = check_consent(session, consent,
                                          today=deadlines.local_date(now or utcnow()),
                                          methods=(ConsentMethod.ONLINE.value,))
    consent_errors.update(_proxy_errors(data, consent))
    leads.validate_online(session, data, errors=consent_errors)
    payload = {**dataclasses.asdict(data),
               "consent_version": consent.version if consent else None,
               "consent_proxy_name": clean.get("proxy_name"),
               "consent_proxy_relation": clean.get("proxy_relation")}
    row, code = codes.issue(session, purpose=CodePurpose.APPLY, phone=data.phone,
                            address=address, payload=payload, settings=settings, now=now)
    messages.queue(session, phone=data.phone, kind="code",
                   text=messages.code_text(code, settings.code_ttl_minutes))
    audit.record(session, None, "self_service.code", row,
                 summary={"purpose": "apply", "town_id": data.town_id})
    return row.ticket


def confirm_application(session: Session, ticket: str, code: str, *, settings: DoorSettings,
                        case_settings: CaseSettings, now: dt.datetime | None = None) -> Lead:
    """Redeem the code: the application becomes a lead in its town window's queue."""
    _, payload = codes.redeem(session, ticket, code, CodePurpose.APPLY, settings=settings,
                              now=now)
    version = payload.pop("consent_version", None)
    proxy_name = payload.pop("consent_proxy_name", None)
    proxy_relation = payload.pop("consent_proxy_relation", None)
    lead = leads.file_lead(session, None, leads.LeadInput(**payload), settings=settings,
                           case_settings=case_settings, now=now)
    notice = notice_by_version(session, version) if version else None
    if notice is not None:  # agreed to the version in force when the form was sent
        record_consent(session, None, {"notice": notice, "method": ConsentMethod.ONLINE,
                                       "proxy_name": proxy_name,
                                       "proxy_relation": proxy_relation},
                       lead=lead, now=now)
    return lead


def _find(session: Session, number: str) -> Lead | Case | None:
    if number.startswith("XS-"):
        lead = session.scalars(select(Lead).where(Lead.number == number)).first()
        if lead is not None and lead.case is not None:
            return lead.case
        return lead
    return session.scalars(select(Case).where(Case.number == number)).first()


def _phone_on_record(found: Lead | Case | None) -> str | None:
    if isinstance(found, Lead):
        return found.phone
    if isinstance(found, Case) and found.applicant is not None:
        return found.applicant.phone
    return None


def start_lookup(session: Session, number: str, phone: str, *, address: str,
                 settings: DoorSettings, now: dt.datetime | None = None) -> str:
    """Issue a lookup code; it is sent only when the phone is the one on record."""
    number = (number or "").strip().upper()
    phone = normalise_mobile(phone)
    errors: dict[str, list[str | Msg]] = {}
    if not NUMBER.fullmatch(number):
        errors["number"] = [Msg("请填写完整的编号，如 XS-2026-000012 或 GT-2026-000123")]
    if not codes.MOBILE.fullmatch(phone):
        errors["phone"] = [Msg("请填写 11 位手机号码")]
    if errors:
        raise DomainError("请检查编号和手机号码", errors=errors)
    on_record = normalise_mobile(_phone_on_record(_find(session, number)) or "")
    match = bool(on_record) and hmac.compare_digest(on_record, phone)
    row, code = codes.issue(session, purpose=CodePurpose.LOOKUP, phone=phone, address=address,
                            payload={"number": number, "match": match}, settings=settings,
                            now=now)
    if match:
        messages.queue(session, phone=phone, kind="code",
                       text=messages.code_text(code, settings.code_ttl_minutes))
    return row.ticket


def confirm_lookup(session: Session, ticket: str, code: str, *, settings: DoorSettings,
                   now: dt.datetime | None = None) -> str:
    """Redeem a lookup code; return the number it opens. A mismatched request fails here
    exactly like a wrong code."""
    row, payload = codes.redeem(session, ticket, code, CodePurpose.LOOKUP, settings=settings,
                                now=now)
    if not payload.get("match"):
        raise codes.WrongCodeError("验证码不正确，还可以再试 %(left)s 次", field="code",
                                   left=max(settings.code_max_attempts - row.attempts, 0))
    number = str(payload["number"])
    audit.record(session, None, "self_service.lookup", row, summary={"number": number})
    return number


def _case_due(session: Session, case: Case) -> dt.date | None:
    due = session.scalars(select(StepDeadline.due_on).where(
        StepDeadline.case_id == case.id, StepDeadline.done_at.is_(None))
        .order_by(StepDeadline.due_on)).first()
    return None if case.is_terminal else (due or case.procedure_due_on)


def status_of(session: Session, number: str, *, settings: DoorSettings,
              now: dt.datetime | None = None) -> StatusView:
    """The applicant's view of their lead or case (after a redeemed lookup code)."""
    found = _find(session, number)
    if found is None:
        raise DomainError("没有找到这个编号")
    if isinstance(found, Lead):
        window = f"{found.town.name}受理窗口"
        if found.status is LeadStatus.OPEN:
            return StatusView(found.number, "已收到申请，等待受理窗口与您联系", window,
                              found.due_on, BRING_FIRST)
        reason = leads.CLOSE_REASON_LABELS[found.close_reason] if found.close_reason else None
        return StatusView(found.number, "申请未转为救助个案", window, None, (), reason=reason)
    case = found
    window = f"{case.town.name}受理窗口"
    today = deadlines.local_date(now or utcnow())
    bring: tuple[str, ...] = ()
    if case.status in (CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.VERIFYING,
                       CaseStatus.EMERGENCY_AID):
        bring = BRING_FIRST
    elif case.status in (CaseStatus.APPROVED, CaseStatus.PUBLISHED):
        bring = BRING_BANK
    until = appeals.appeal_until(case, settings)
    latest = appeals.latest_appeal(session, case)
    appeal_status = appeals.APPEAL_STATUS_LABELS[latest.status] if latest else None
    reason = None
    if case.status in appeals.APPEALABLE:
        reason = messages.applicant_reason(session, case, appeals.APPEALABLE[case.status])
    can_appeal = (until is not None and today <= until
                  and not (latest is not None and case.closed_at is not None
                           and latest.created_at >= case.closed_at))
    return StatusView(number, STEP_WORDS[case.status], window, _case_due(session, case), bring,
                      reason=reason, appeal_until=until, can_appeal=can_appeal,
                      appeal_status=appeal_status, case_id=case.id)


def appeal_from_lookup(session: Session, number: str, reason: str, *, settings: DoorSettings,
                       now: dt.datetime | None = None) -> Appeal:
    """The applicant, verified by a lookup code, asks for a review of a refusal."""
    found = _find(session, number)
    if not isinstance(found, Case):
        raise DomainError("只有不予受理或不予救助的申请可以申请复核")
    return appeals.file_appeal(session, None, found, reason=reason, settings=settings, now=now)

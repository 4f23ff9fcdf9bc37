"""Personal-data retention after a case ends, and an applicant's rights of access and
correction (PIPL Arts. 19, 44-47).

Each kind of personal data has a retention period counted from the day the case ended
(``RETENTION_<KIND>_DAYS``). When it runs out, :func:`purge_expired` replaces the data with a
tombstone: the sealed applicant columns, the case's free text and the proof documents. What
the county counts stays: the case, its category, town, amounts, dates and household figures,
every ledger posting and the audit chain, so both verifications pass afterwards. A case that
has not ended is never touched.

Leads (线索) that never became a case keep their reporter's data for ``RETENTION_LEADS_DAYS``
counted from the day the lead was closed (or, for a lead nobody ever handled, from the day it
was filed); then the name, phone, address and texts, and the name of whoever agreed online
for the person, become tombstones. The lead's number, channel, town, urgency, dates and
outcome stay for the statistics. A lead that became a case follows its case: its copies of
the contact data go with the case's contact data, the rest with the case's identity.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from webapp.models import Applicant, Case, Lead, LeadStatus, User, utcnow
from webapp.models.cases import TERMINAL_STATUSES, Attachment, CaseEvent
from webapp.models.consent import ConsentRecord
from webapp.models.leads import MessageStatus, OutboundMessage, VerificationCode
from webapp.privacy.infrastructure.crypto import normalise_id_number, person_key
from webapp.services import ConflictError, DomainError, Msg, audit
from webapp.services.cases import notes
from webapp.services.consent import consent_export, consents_of_case

TOMBSTONE = "（已按保存期限删除）"
# Default periods in days after a case ended; a county sets its own from its archive rules.
DEFAULT_DAYS = {"identity": 10 * 365, "contact": 3 * 365, "documents": 10 * 365}
KINDS = tuple(DEFAULT_DAYS)
RETENTION_KIND_LABELS = {"identity": "身份信息", "contact": "联系方式", "documents": "证明材料",
                         "lead": "未转为个案的线索"}
# Days a lead that never became a case is kept after it was closed (or filed, if never handled).
DEFAULT_LEAD_DAYS = 3 * 365


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of personal data is kept after its case ended."""

    days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))
    lead_days: int = DEFAULT_LEAD_DAYS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetentionPolicy:
        days = {}
        for kind, default in {**DEFAULT_DAYS, "leads": DEFAULT_LEAD_DAYS}.items():
            raw = config.get(f"RETENTION_{kind.upper()}_DAYS", default)
            try:
                value = int(raw)
            except (TypeError, ValueError):
                value = -1
            if value < 0:
                raise ValueError(f"RETENTION_{kind.upper()}_DAYS={raw!r}: give whole days >= 0")
            days[kind] = value
        lead_days = days.pop("leads")
        return cls(days, lead_days)

    def expired(self, kind: str, ended_at: dt.datetime, now: dt.datetime) -> bool:
        return ended_at + dt.timedelta(days=self.days[kind]) <= now


@dataclass
class PurgeReport:
    cases: int = 0
    applicants: int = 0
    documents: int = 0
    skipped_shared: int = 0
    leads: int = 0
    codes: int = 0


def ended_at(case: Case) -> dt.datetime:
    return case.closed_at or case.updated_at


def _open_case_of(session: Session, applicant_id: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Case).where(
        Case.applicant_id == applicant_id, Case.status.not_in(TERMINAL_STATUSES))))


def purge_case(session: Session, actor: User | None, case: Case, kinds: set[str], *, upload_dir: Path,
               now: dt.datetime | None = None) -> list[str]:
    """Replace the given kinds of personal data of one ended case with tombstones."""
    if not case.is_terminal:
        raise ConflictError("个案 %(number)s 尚未办结，不能删除其个人信息", number=case.number)
    now = now or utcnow()
    done: list[str] = []
    applicant = case.applicant
    if applicant is not None and kinds & {"identity", "contact"}:
        if _open_case_of(session, applicant.id):
            raise ConflictError("申请人在另一个未办结的个案中，个案 %(number)s 的个人信息暂不删除",
                                number=case.number)
        lead = session.scalars(select(Lead).where(Lead.case_id == case.id)).first()
        if "contact" in kinds and (applicant.phone is not None or applicant.address is not None
                                   or _has_contact(lead)):
            applicant.phone = applicant.address = None
            if lead is not None:  # the lead it came from holds a copy
                lead.phone = lead.address = lead.phone_key = None
                _tombstone_messages(session, OutboundMessage.lead_id == lead.id)
            _tombstone_messages(session, OutboundMessage.case_id == case.id)
            done.append("contact")
        if "identity" in kinds and applicant.purged_at is None:
            applicant.name, applicant.id_number, applicant.birth_date = TOMBSTONE, "", None
            # A random hash: a purged person matches no one, not even another purged one.
            applicant.person_key = "purged-" + secrets.token_hex(28)
            applicant.purged_at = now
            case.description = TOMBSTONE
            for member in case.members:  # the household goes with the applicant
                member.name, member.id_number = TOMBSTONE, None
                member.person_key = None
            for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
                event.note, event.note_key, event.note_params = "", None, None
            for record in consents_of_case(session, case.id):  # who agreed for the applicant
                if record.proxy_name is not None:
                    record.proxy_name = TOMBSTONE
            if lead is not None:
                _tombstone_lead_texts(session, lead)
            done.append("identity")
    if "documents" in kinds:
        removed = 0
        for row in session.scalars(select(Attachment).where(Attachment.case_id == case.id,
                                                           Attachment.size > 0)):
            (upload_dir / row.stored_name).unlink(missing_ok=True)
            row.label, row.size = TOMBSTONE, 0
            removed += 1
        if removed:
            done.append("documents")
    if done:
        session.flush()
        audit.record(session, actor, "retention.purge", case, summary={"kinds": done})
    return done


def _has_contact(lead: Lead | None) -> bool:
    return lead is not None and (lead.phone is not None or lead.address is not None)


def _tombstone_messages(session: Session, which: Any) -> None:
    """The texts sent to the person's phone; one still waiting to be sent is left alone."""
    for message in session.scalars(select(OutboundMessage).where(
            which, OutboundMessage.status.in_((MessageStatus.SENT, MessageStatus.FAILED)))):
        message.phone = message.body = TOMBSTONE


def _tombstone_lead_texts(session: Session, lead: Lead) -> None:
    lead.name = lead.description = TOMBSTONE
    if lead.close_note is not None:
        lead.close_note = TOMBSTONE
    for record in session.scalars(select(ConsentRecord).where(ConsentRecord.lead_id == lead.id)):
        if record.proxy_name is not None:  # who applied online for the person
            record.proxy_name = TOMBSTONE


def lead_ended_at(lead: Lead) -> dt.datetime:
    """Where a lead's period starts: the day it was closed, else the day it was filed."""
    return lead.handled_at or lead.created_at


def purge_lead(session: Session, actor: User | None, lead: Lead) -> bool:
    """Replace the personal data of a lead that did not become a case with tombstones; the
    number, channel, town, urgency, dates and outcome stay. False when already done."""
    if lead.status is LeadStatus.CONVERTED:
        raise ConflictError("线索 %(number)s 已转为个案，随个案的保存期限删除", number=lead.number)
    if not _has_contact(lead) and lead.name == TOMBSTONE:
        return False
    lead.phone = lead.address = lead.phone_key = None
    _tombstone_lead_texts(session, lead)
    _tombstone_messages(session, OutboundMessage.lead_id == lead.id)
    session.flush()
    audit.record(session, actor, "retention.purge", lead,
                 summary={"kinds": ["lead"], "status": lead.status.value})
    return True


def purge_expired_leads(session: Session, actor: User | None, policy: RetentionPolicy, *,
                        now: dt.datetime | None = None, limit: int = 500) -> int:
    """Purge leads that never became a case and outlived ``policy.lead_days``. A lead always
    kept a phone or an address (the filing requires one) and its purge clears both, so the
    ones still to do are found without decrypting anything."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=policy.lead_days)
    candidates = session.scalars(
        select(Lead).where(Lead.status != LeadStatus.CONVERTED,
                           func.coalesce(Lead.handled_at, Lead.created_at) <= cutoff,
                           (Lead.phone.is_not(None)) | (Lead.address.is_not(None)))
        .order_by(Lead.id).limit(limit))
    return sum(purge_lead(session, actor, lead) for lead in candidates)


def purge_expired_codes(session: Session, policy: RetentionPolicy, *,
                        now: dt.datetime | None = None) -> int:
    """Delete verification codes older than the lead period: each holds, sealed, the
    application it confirmed (or the number looked up). The flood brake only counts the
    last hour's codes."""
    cutoff = (now or utcnow()) - dt.timedelta(days=policy.lead_days)
    removed = session.execute(delete(VerificationCode).where(VerificationCode.created_at <= cutoff))
    return int(getattr(removed, "rowcount", 0) or 0)


def purge_expired(session: Session, actor: User | None, policy: RetentionPolicy, *, upload_dir: Path,
                  now: dt.datetime | None = None, limit: int = 500) -> PurgeReport:
    """Purge what has outlived its period in ended cases (a nightly job); open cases are
    never selected, and an applicant with another open case is left for a later night."""
    now = now or utcnow()
    report = PurgeReport()
    shortest = min(policy.days.values())
    cutoff = now - dt.timedelta(days=shortest)
    candidates = session.scalars(
        select(Case).where(Case.status.in_(TERMINAL_STATUSES),
                           func.coalesce(Case.closed_at, Case.updated_at) <= cutoff)
        .order_by(Case.id).limit(limit))
    for case in candidates:
        kinds = {k for k in KINDS if policy.expired(k, _aware(ended_at(case)), now)}
        try:
            done = purge_case(session, actor, case, kinds, upload_dir=upload_dir, now=now)
        except ConflictError:
            report.skipped_shared += 1
            continue
        if done:
            report.cases += 1
            report.applicants += "identity" in done
            report.documents += "documents" in done
    report.leads = purge_expired_leads(session, actor, policy, now=now, limit=limit)
    report.codes = purge_expired_codes(session, policy, now=now)
    if report.codes:
        audit.record(session, actor, "retention.purge", object_type="verification_codes",
                     summary={"kinds": ["codes"], "deleted": report.codes})
    return report


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# ---- the applicant's rights -----------------------------------------------------------------

# Why an officer exports a person's data; the code goes into the audit event.
EXPORT_REASONS = {"access_request": "本人申请查阅、复制", "agent_request": "本人委托代理人申请",
                  "transfer_request": "本人申请转移个人信息", "legal_order": "有关机关依法调取"}
PERSON_FIELD_LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话",
                       "address": "住址", "birth_date": "出生日期"}


def find_people(session: Session, actor: User, id_number: str, *,
                hash_key: str) -> list[Applicant]:
    """The applicant records of the person with this ID number, found through the keyed
    hash (the number is never compared in plaintext); audited without the number."""
    compact = normalise_id_number(id_number or "")
    if len(compact) != 18:
        raise DomainError("身份证号码应为 18 位", field="id_number")
    found = list(session.scalars(select(Applicant)
                                 .where(Applicant.person_key == person_key(compact, hash_key))
                                 .order_by(Applicant.id)))
    audit.record(session, actor, "privacy.find", object_type="applicants",
                 summary={"matches": len(found)})
    return found


def export_person(session: Session, actor: User, applicant: Applicant, *,
                  reason: str = "access_request") -> dict[str, Any]:
    """Everything held about one person, for an access request (PIPL Art. 45); audited
    with the reason's code."""
    if reason not in EXPORT_REASONS:
        raise DomainError("请选择导出原因", field="reason")
    cases = list(session.scalars(select(Case).where(Case.applicant_id == applicant.id)
                                 .order_by(Case.id)))
    result = {
        "applicant": {"name": applicant.name, "id_number": applicant.id_number,
                      "phone": applicant.phone, "address": applicant.address,
                      "birth_date": applicant.birth_date, "local_hukou": applicant.local_hukou,
                      "recorded_at": applicant.created_at.isoformat(),
                      "purged_at": applicant.purged_at.isoformat()
                      if applicant.purged_at else None},
        "cases": [_case_record(session, case) for case in cases],
    }
    audit.record(session, actor, "privacy.export", applicant,
                 summary={"cases": [c.id for c in cases], "reason": reason})
    return result


def _case_record(session: Session, case: Case) -> dict[str, Any]:
    household = case.household
    return {
        "number": case.number, "status": case.status.value, "category": case.category.value,
        "town": case.town.name if case.town else None,
        "reported_at": case.reported_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "amount_needed": str(case.amount_needed),
        "approved_amount": None if case.approved_amount is None else str(case.approved_amount),
        "description": case.description, "outcome": case.outcome,
        "household": None if household is None else {"size": household.size,
                                                     "flags": sorted(household.flags)},
        "events": [{"at": e.at.isoformat(), "action": e.action,
                    "note": notes.render(e.note_key, e.note_params, e.note)}
                   for e in case.events],
        "documents": [{"label": a.label, "media_type": a.media_type, "size": a.size,
                       "uploaded_at": a.created_at.isoformat()}
                      for a in session.scalars(select(Attachment)
                                               .where(Attachment.case_id == case.id))],
        "consents": [consent_export(r) for r in consents_of_case(session, case.id)],
    }


CORRECTABLE = ("name", "id_number", "phone", "address", "birth_date")


def correct_person(session: Session, actor: User, applicant: Applicant, changes: Mapping[str, str],
                   *, reason: str, hash_key: str) -> list[str]:
    """Correct an applicant's data at their request (PIPL Art. 46); audited by field name.

    A corrected ID number re-derives the person hash, so the same-person checks follow.
    """
    errors: dict[str, list[str | Msg]] = {}
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        errors["fields"] = [Msg("不能更正的字段：%(fields)s", fields=", ".join(sorted(unknown)))]
    if not (reason or "").strip():
        errors["reason"] = [Msg("请填写更正依据")]
    if applicant.purged_at is not None:
        raise ConflictError("该申请人的个人信息已按保存期限删除，不能更正")
    if "id_number" in changes and len(normalise_id_number(changes["id_number"])) != 18:
        errors["id_number"] = ["身份证号码应为 18 位"]
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = [Msg("请填写姓名")]
    if (changes.get("birth_date") or "").strip():
        try:
            dt.date.fromisoformat(changes["birth_date"].strip())
        except ValueError:
            errors["birth_date"] = [Msg("出生日期格式不正确（YYYY-MM-DD）")]
    if errors:
        raise DomainError("更正未保存", errors=errors)
    changed = [f for f in CORRECTABLE if f in changes and getattr(applicant, f) != changes[f]]
    for name in changed:
        setattr(applicant, name, (changes[name] or "").strip() or None)
    if "id_number" in changed:
        applicant.id_number = normalise_id_number(changes["id_number"])
        applicant.person_key = person_key(applicant.id_number, hash_key)
    session.flush()
    audit.record(session, actor, "privacy.correct", applicant,
                 summary={"fields": changed, "reason_given": True})
    return changed

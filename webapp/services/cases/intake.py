"""One-window intake (一门受理): validate a report completely, then record the case."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseSource,
    CaseStatus,
    Category,
    Household,
    Organisation,
    OrgKind,
    Role,
    Step,
    User,
    utcnow,
)
from webapp.models.catalog import SERVICES
from webapp.models.consent import ConsentRecord
from webapp.privacy.detection.identifiers import valid_resident_id
from webapp.privacy.infrastructure.crypto import name_key, normalise_id_number, person_key
from webapp.services import DomainError, Msg, PermissionDeniedError, audit, events
from webapp.services.cases import deadlines, household
from webapp.services.cases.household import CleanMember, MemberInput
from webapp.services.cases.money import parse_amount
from webapp.services.cases.numbering import next_case_number
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput, check_consent, record_consent

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
SOURCE_LABELS = {
    CaseSource.WINDOW: "窗口受理", CaseSource.OUTREACH: "社区主动发现",
    CaseSource.HOTLINE: "热线", CaseSource.REFERRAL: "部门转介",
    CaseSource.RESCUE_STATION: "救助管理站",
    CaseSource.LEAD: "线索转个案", CaseSource.ONLINE: "网上申请",
}


@dataclass
class ApplicantInput:
    name: str
    id_number: str
    phone: str = ""
    address: str = ""
    local_hukou: bool = True
    birth_date: dt.date | None = None


@dataclass
class HouseholdInput:
    size: int = 1
    flags: frozenset[str] = frozenset()


@dataclass
class CaseInput:
    applicant: ApplicantInput
    town_id: int | None
    category: str
    amount_needed: object
    description: str
    source: str = CaseSource.WINDOW.value
    urgency: int = 2
    village_id: int | None = None
    services: list[str] = field(default_factory=list)
    household: HouseholdInput = field(default_factory=HouseholdInput)
    external_ref: str | None = None
    members: list[MemberInput] = field(default_factory=list)
    # 告知同意: what the window recorded, or the consent given with an online application.
    consent: ConsentInput | None = None
    lead_consent: ConsentRecord | None = None


@dataclass(frozen=True)
class _CleanReport:
    """A report's values once every field has passed."""

    name: str
    id_number: str
    phone: str | None
    address: str | None
    birth_date: dt.date
    town: Organisation
    village: Organisation | None
    category: Category
    source: CaseSource
    urgency: int
    amount: Decimal
    description: str
    members: list[CleanMember]
    consent: dict[str, Any]  # check_consent's clean values; empty for a lead's consent


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s()（）]", "", phone or "")


def birth_date_from_id(id_number: str) -> dt.date:
    s = normalise_id_number(id_number)
    return dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def _validate(session: Session, actor: User, data: CaseInput, settings: CaseSettings,
              today: dt.date) -> _CleanReport:
    """Check every field and report all problems at once; return the cleaned values."""
    errors: dict[str, list[str | Msg]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    a = data.applicant
    name = (a.name or "").strip()
    if not 2 <= len(name) <= 40:
        err("applicant.name", "请填写姓名（2–40 个字）")
    id_number = normalise_id_number(a.id_number)
    if not valid_resident_id(id_number):
        err("applicant.id_number", "身份证号码无效（18 位，校验位按 GB 11643 计算）")
    phone = normalise_phone(a.phone)
    if phone and not (MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone)):
        err("applicant.phone", "联系电话格式不正确（手机 11 位或带区号的座机）")
    address = (a.address or "").strip()
    if len(address) > 200:
        err("applicant.address", "住址不能超过 200 个字")
    town = session.get(Organisation, data.town_id) if data.town_id else None
    if town is None or town.kind != OrgKind.TOWN:
        err("town", "请选择有效的镇（街道）")
    elif actor.has_role(Role.INTAKE_WORKER) and not actor.has_role(Role.OFFICER) \
            and permissions.town_id_of(actor) != town.id:
        err("town", "只能登记本镇（街道）的个案")
    village = session.get(Organisation, data.village_id) if data.village_id else None
    if data.village_id and (village is None or town is None or village.parent_id != town.id):
        err("village", "村（社区）不属于所选镇（街道）")
    category: Category | None = None
    try:
        category = Category(data.category)
    except ValueError:
        err("category", "请选择有效的急难类别")
    source: CaseSource | None = None
    try:
        source = CaseSource(data.source)
    except ValueError:
        err("source", "请选择有效的来源")
    try:
        urgency = int(data.urgency)
    except (TypeError, ValueError):
        urgency = 0
    if not 1 <= urgency <= 4:
        err("urgency", "紧急程度应为 1–4")
    try:
        amount = parse_amount(data.amount_needed, field="amount_needed",
                              maximum=settings.max_amount, allow_zero=True)
    except DomainError as exc:
        err("amount_needed", exc.message)
        amount = Decimal(0)
    description = (data.description or "").strip()
    if not 10 <= len(description) <= 4000:
        err("description", "请描述困难情况（10–4000 个字）")
    unknown = [s for s in data.services if s not in SERVICES]
    if unknown:
        err("services", "包含无效的服务需求")
    if not 1 <= int(data.household.size or 0) <= 30:
        err("household.size", "家庭人口应为 1–30 人")
    if set(data.household.flags) - set(Household.FLAGS):
        err("household.flags", "包含无效的家庭情况")
    members, member_errors = household.validate_members(
        [m for m in data.members if not m.blank], applicant_id_number=id_number)
    errors.update({key: [*messages] for key, messages in member_errors.items()})
    if members and int(data.household.size or 0) < len(members) + 1:
        err("household.size", "家庭人口少于申请人加登记的家庭成员人数")
    consent_clean: dict[str, Any] = {}
    if data.lead_consent is None:
        consent_errors, consent_clean = check_consent(session, data.consent, today=today)
        errors.update(consent_errors)
    # A missing town, category or source has an error above; naming them narrows their types.
    if errors or town is None or category is None or source is None:
        raise DomainError("提交的个案信息有误，请检查标出的字段", errors=errors)
    birth = a.birth_date or birth_date_from_id(id_number)
    return _CleanReport(name=name, id_number=id_number, phone=phone or None,
                        address=address or None, birth_date=birth, town=town, village=village,
                        category=category, source=source, urgency=urgency, amount=amount,
                        description=description, members=members, consent=consent_clean)


def check_case(session: Session, actor: User, data: CaseInput, *,
                settings: CaseSettings, now: dt.datetime | None = None) -> None:
    """Raise every problem of a report at once without writing anything (the API checks the
    input before it looks for duplicates)."""
    _validate(session, actor, data, settings, deadlines.local_date(now or utcnow()))


def report_case(session: Session, actor: User, data: CaseInput, *, settings: CaseSettings,
                now: dt.datetime | None = None) -> Case:
    """Record a newly reported case and start the acceptance clock."""
    if not actor.has_role(Role.INTAKE_WORKER, Role.OFFICER):
        raise PermissionDeniedError("只有受理窗口或民政工作人员可以登记个案")
    now = now or utcnow()
    v = _validate(session, actor, data, settings, deadlines.local_date(now))
    applicant = Applicant(name=v.name, id_number=v.id_number, phone=v.phone,
                          address=v.address, birth_date=v.birth_date.isoformat(),
                          person_key=person_key(v.id_number, settings.person_hash_key),
                          name_key=name_key(v.name, settings.person_hash_key),
                          local_hukou=bool(data.applicant.local_hukou), created_at=now)
    session.add(applicant)
    session.flush()
    case = Case(number=next_case_number(session, deadlines.local_date(now).year),
                town_id=v.town.id, village_id=v.village.id if v.village else None,
                category=v.category, urgency=v.urgency, amount_needed=v.amount,
                status=CaseStatus.REPORTED, description=v.description,
                reported_at=now, updated_at=now, applicant_id=applicant.id, source=v.source,
                services=",".join(data.services), reported_by_id=actor.id,
                external_ref=data.external_ref)
    session.add(case)
    session.flush()
    flags = set(data.household.flags)
    session.add(Household(case_id=case.id, size=int(data.household.size),
                          **{f: f in flags for f in Household.FLAGS}))
    household.add_members(session, case, v.members, hash_key=settings.person_hash_key)
    if data.lead_consent is not None:
        data.lead_consent.case_id = case.id
        agreed = data.lead_consent
    else:
        agreed = record_consent(session, actor, v.consent, case=case, now=now)
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, action="report",
                          to_status=CaseStatus.REPORTED))
    deadlines.open_step(session, case, Step.ACCEPTANCE, settings=settings, now=now)
    audit.record(session, actor, "case.report", case,
                 summary={"number": case.number, "town_id": case.town_id,
                          "category": case.category.value, "amount": str(case.amount_needed),
                          "local_hukou": applicant.local_hukou,
                          "members": len(v.members),
                          "consent_version": agreed.notice.version,
                          "consent_method": agreed.method.value})
    events.publish(session, events.CaseReported(case, actor))
    return case

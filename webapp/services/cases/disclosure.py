"""What a user sees of the applicant and of the story: masked by default, hidden from
departments, and shown in full only through an explicit, audited reveal."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import Case, User
from webapp.privacy.publishing.redact import mask_id_number, mask_name, mask_phone, redact
from webapp.services import PermissionDeniedError, audit
from webapp.services.cases.household import known_names
from webapp.services.consent import consents_of_case

HIDDEN = "（已隐藏）"  # translated when shown: _(HIDDEN)


@dataclass(frozen=True)
class ApplicantView:
    name: str
    id_number: str
    phone: str
    address: str
    birth_date: str
    local_hukou: bool
    revealed: bool


def _age_text(birth_date: str | None, today: dt.date) -> str:
    if not birth_date:
        return "—"
    born = dt.date.fromisoformat(birth_date)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(_("%(age)s 岁", age=age))


def applicant_view(user: User, case: Case, *, revealed: bool = False,
                   today: dt.date | None = None) -> ApplicantView | None:
    """The applicant as this user may see them now. ``revealed`` only after :func:`reveal`."""
    a = case.applicant
    if a is None:
        return None
    today = today or dt.date.today()
    if revealed and permissions.can_reveal_case(user, case):
        return ApplicantView(a.name, a.id_number, a.phone or "—", a.address or "—",
                             a.birth_date or "—", a.local_hukou, True)
    limited = permissions.case_pii_limited(user, case)
    return ApplicantView(
        name=mask_name(a.name),
        id_number=_(HIDDEN) if limited else mask_id_number(a.id_number),
        phone=mask_phone(a.phone) if a.phone else "—",
        address=_(HIDDEN) if limited else (case.village.name if case.village else case.town.name),
        birth_date=_age_text(a.birth_date, today),
        local_hukou=a.local_hukou, revealed=False)


@dataclass(frozen=True)
class MemberView:
    name: str
    relation: str          # a Relation value; the template shows its label
    id_number: str
    flags: frozenset[str]


def member_views(user: User, case: Case, *, revealed: bool = False) -> list[MemberView]:
    """The household members as this user may see them now, masked like the applicant."""
    full = revealed and permissions.can_reveal_case(user, case)
    limited = permissions.case_pii_limited(user, case)
    views = []
    for m in case.members:
        if full:
            id_text = m.id_number or "—"
        elif not m.id_number:
            id_text = "—"
        else:
            id_text = _(HIDDEN) if limited else mask_id_number(m.id_number)
        views.append(MemberView(m.name if full else mask_name(m.name), m.relation.value,
                                id_text, m.flags))
    return views


@dataclass(frozen=True)
class ConsentView:
    version: int
    title: str
    method: str            # a ConsentMethod value; the template shows its label
    proxy_name: str        # "" when the applicant agreed in person
    proxy_relation: str
    recorded_by: str
    recorded_at: dt.datetime


def consent_views(session: Session, user: User, case: Case, *,
                  revealed: bool = False) -> list[ConsentView] | None:
    """The case's 告知同意 records for those allowed to see them (None for the others); the
    name of a person who agreed for the applicant is masked until revealed."""
    if not permissions.can_view_consent(user, case):
        return None
    return [ConsentView(r.notice.version, r.notice.title, r.method.value,
                        (r.proxy_name if revealed else mask_name(r.proxy_name))
                        if r.proxy_name else "", r.proxy_relation or "",
                        r.recorded_by.display_name if r.recorded_by else "", r.recorded_at)
            for r in consents_of_case(session, case.id)]


@dataclass(frozen=True)
class DescriptionView:
    text: str
    masked: bool   # personal data was found and replaced with placeholders


def description_view(user: User, case: Case, *, revealed: bool = False) -> DescriptionView:
    """The 急难情况 text as this user may see it now: redacted (names, phones, ID numbers,
    addresses …) unless shown in full by :func:`reveal`, which only some users may do."""
    if revealed and permissions.can_reveal_case(user, case):
        return DescriptionView(case.description, False)
    redaction = redact(case.description or "", known_names=known_names(case))
    return DescriptionView(redaction.text, redaction.changed)


def reveal(session: Session, actor: User, case: Case, *,
           reason: str = "") -> ApplicantView | None:
    """Show the full personal data of a case; writes the audit event ``case.reveal``."""
    if not permissions.can_reveal_case(actor, case):
        raise PermissionDeniedError("您无权查看完整个人信息")
    audit.record(session, actor, "case.reveal", case,
                 summary={"number": case.number,
                          "fields": ["name", "id_number", "phone", "address", "birth_date",
                                     "description", *(["members"] if case.members else [])],
                          "reason_given": bool(reason.strip())})
    return applicant_view(actor, case, revealed=True)

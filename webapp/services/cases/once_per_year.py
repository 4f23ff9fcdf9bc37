"""Once per cause per year: the same person (keyed hash of the resident ID, across all towns)
gets approved assistance for the same category at most once in 365 days, unless an officer
records an exception with a reason. The same household counts as the same person: a case
whose applicant or recorded household member shares an ID number with this case's applicant
or members is an earlier case of the same household."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from webapp.models import Applicant, AssistanceException, Case, HouseholdMember, Role, User
from webapp.services import ConflictError, DomainError, PermissionDeniedError, audit
from webapp.services.cases.household import person_keys

WINDOW = dt.timedelta(days=365)


def earlier_assistance(session: Session, case: Case, *, now: dt.datetime) -> list[Case]:
    """Other cases of the same person and category approved within the last 365 days."""
    keys = person_keys(case)
    if not keys:
        return []
    return list(session.scalars(
        select(Case).where(same_household(keys), Case.id != case.id,
                           Case.category == case.category, Case.approved_at.is_not(None),
                           Case.approved_at > now - WINDOW)
        .order_by(Case.approved_at.desc())))


def same_household(keys: Collection[str]) -> ColumnElement[bool]:
    """Cases whose applicant or a recorded household member has one of these person keys."""
    return or_(
        Case.applicant_id.in_(select(Applicant.id).where(Applicant.person_key.in_(keys))),
        Case.id.in_(select(HouseholdMember.case_id).where(HouseholdMember.person_key.in_(keys))))


def enforce(session: Session, actor: User, case: Case, *, exception_reason: str | None,
            now: dt.datetime) -> AssistanceException | None:
    """Refuse a repeat approval, or record the officer's exception and allow it."""
    earlier = earlier_assistance(session, case, now=now)
    if not earlier:
        return None
    numbers = "、".join(c.number for c in earlier)
    reason = (exception_reason or "").strip()
    if not reason:
        raise ConflictError(
            "同一救助对象 365 天内已因同一原因获批救助（个案 %(numbers)s）。"
            "如确需再次救助，请由民政工作人员填写例外理由。", numbers=numbers,
            field="exception_reason")
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政工作人员可以登记例外")
    if len(reason) < 4 or len(reason) > 1000:
        raise DomainError("例外理由应为 4–1000 个字", field="exception_reason")
    exception = AssistanceException(case_id=case.id, earlier_case_id=earlier[0].id,
                                    reason=reason, officer_id=actor.id, created_at=now)
    session.add(exception)
    session.flush()
    audit.record(session, actor, "case.assistance_exception", case,
                 summary={"number": case.number, "earlier_case_id": earlier[0].id,
                          "exception_id": exception.id})
    return exception

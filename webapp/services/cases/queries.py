"""Reading cases: only what the user may see, with filters, counts and the supervision board."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from webapp import permissions
from webapp.models import (
    TERMINAL_STATUSES,
    Case,
    CaseStatus,
    Category,
    Organisation,
    OrgKind,
    Role,
    StepDeadline,
    Transfer,
    User,
)
from webapp.services.cases import finding
from webapp.services.cases.deadlines import overdue_stmt
from webapp.services.cases.finding import CaseQuery


def visible_cases_stmt(user: User) -> Select[tuple[Case]]:
    """SELECT of the cases the user may see (mirrors ``permissions.can_view_case``)."""
    stmt = select(Case)
    if user.has_role(Role.OFFICER, Role.AUDITOR):
        return stmt
    conditions: list[ColumnElement[bool]] = []
    if user.has_role(Role.INTAKE_WORKER) and permissions.town_id_of(user) is not None:
        conditions.append(Case.town_id == permissions.town_id_of(user))
    if user.has_role(Role.DEPARTMENT_HANDLER):
        conditions.append(Case.id.in_(select(Transfer.case_id).where(
            Transfer.department_id == user.organisation_id)))
    if not conditions:
        return stmt.where(Case.id.is_(None))
    return stmt.where(or_(*conditions))


@dataclass
class CaseFilters:
    status: str | None = None
    town_id: int | None = None
    category: str | None = None
    mine: bool = False
    open_only: bool = False
    overdue: bool = False
    q: CaseQuery | None = None   # case number fragment, applicant name or ID number
    within: Select[tuple[int]] | None = None  # case ids (the cases behind a statistic)


def apply_filters(stmt: Select[tuple[Case]], user: User, f: CaseFilters, *,
                  today: dt.date) -> Select[tuple[Case]]:
    if f.status and f.status in {s.value for s in CaseStatus}:
        stmt = stmt.where(Case.status == CaseStatus(f.status))
    if f.town_id:
        stmt = stmt.where(Case.town_id == f.town_id)
    if f.category and f.category in {c.value for c in Category}:
        stmt = stmt.where(Case.category == Category(f.category))
    if f.mine:
        stmt = stmt.where(Case.owner_id == user.id)
    if f.open_only:
        stmt = stmt.where(Case.status.not_in(list(TERMINAL_STATUSES)))
    if f.overdue:
        stmt = stmt.where(Case.id.in_(overdue_stmt(today).with_only_columns(
            StepDeadline.case_id)))
    if f.q:
        stmt = finding.where_query(stmt, user, f.q)
    if f.within is not None:
        stmt = stmt.where(Case.id.in_(f.within))
    return stmt


def status_counts(session: Session, user: User) -> dict[CaseStatus, int]:
    """How many visible cases are in each status (for the filter chips)."""
    sub = visible_cases_stmt(user).subquery()
    rows = session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    counts = {CaseStatus(s) if not isinstance(s, CaseStatus) else s: n for s, n in rows}
    return {s: counts.get(s, 0) for s in CaseStatus}


def count_visible(session: Session, user: User, f: CaseFilters, *, today: dt.date) -> int:
    stmt = apply_filters(visible_cases_stmt(user), user, f, today=today)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def supervision_rows(session: Session, *, today: dt.date, town_id: int | None = None,
                     department_id: int | None = None) -> Select[tuple[StepDeadline]]:
    """Overdue open steps, high-impact (重大敏感) cases first, then oldest first, optionally
    for one town or department; the case, town, department and responsible person of each row
    are loaded with it (no query a row)."""
    stmt = (overdue_stmt(today).join(Case, Case.id == StepDeadline.case_id)
            .options(contains_eager(StepDeadline.case), joinedload(StepDeadline.town),
                     joinedload(StepDeadline.department), joinedload(StepDeadline.responsible))
            .order_by(None).order_by(Case.high_impact.desc(), StepDeadline.due_on,
                                     StepDeadline.id))
    if town_id:
        stmt = stmt.where(StepDeadline.town_id == town_id)
    if department_id:
        stmt = stmt.where(StepDeadline.department_id == department_id)
    return stmt


def overdue_by_unit(session: Session, *, today: dt.date) -> list[tuple[str, int]]:
    """(town or department name, overdue steps) pairs, largest first."""
    base = overdue_stmt(today).subquery()
    unit = func.coalesce(base.c.department_id, base.c.town_id)
    rows = session.execute(select(Organisation.name, func.count())
                           .select_from(base).join(Organisation, Organisation.id == unit)
                           .group_by(Organisation.name).order_by(func.count().desc())).all()
    return [(name, n) for name, n in rows]


def towns(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.kind == OrgKind.TOWN)
                                .order_by(Organisation.code, Organisation.name)))


def villages(session: Session, town_id: int) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(
        Organisation.parent_id == town_id, Organisation.kind == OrgKind.COMMUNITY)
        .order_by(Organisation.code, Organisation.name)))

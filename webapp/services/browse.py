"""What the public sees: published need cards and listed projects, filtered, ordered and
paginated, with their progress (approved and pledged against the gap).

Only anonymized need-card fields leave this module; the case behind a card is never loaded.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, ScalarSelect, Select, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from webapp.models import Case, CaseStatus, Category, NeedCard, NeedStatus, utcnow
from webapp.models.delivery import CaseOutcome
from webapp.models.resources import ListingMixin, ListingStatus, Pledge, PledgeStatus, Project
from webapp.services import delivery
from webapp.services.delivery import HelpSource
from webapp.services.need_account import HelpAccount, need_account, need_accounts

ACTIVE_PLEDGES = (PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED, PledgeStatus.FULFILLED)
ZERO = Decimal("0.00")
MAX_FILTER_MONEY = Decimal(1000000000000)

_Number = TypeVar("_Number", int, Decimal)
_Row = TypeVar("_Row")
_Stmt = TypeVar("_Stmt", bound=Select[Any])


@dataclass(frozen=True)
class Filters:
    """Filters shared by the pages and the API; invalid values are dropped, not guessed."""

    category: Category | None = None
    town_id: int | None = None
    min_urgency: int | None = None
    min_gap: Decimal | None = None
    max_gap: Decimal | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Filters:
        """Filters from a page's query string."""
        def number(name: str, kind: Callable[[str], _Number]) -> _Number | None:
            raw = (args.get(name) or "").strip()
            try:
                value = kind(raw) if raw else None
            except (ValueError, ArithmeticError):
                return None
            return value if value is None or _in_range(value) else None

        category = args.get("category") or None
        low, high = number("min_gap", Decimal), number("max_gap", Decimal)
        band = (args.get("gap") or "").strip()
        if band.count("-") == 1:  # a page's gap band "low-high", either end may be empty
            low, high = _band(band)
        return cls(category=Category(category) if category in {c.value for c in Category}
                   else None,
                   town_id=number("town", int), min_urgency=number("urgency", int),
                   min_gap=low, max_gap=high)

    @property
    def gap_key(self) -> str:
        """The gap band as the pages' select writes it."""
        def text(value: Decimal | None) -> str:
            return "" if value is None else format(value, "f")
        return f"{text(self.min_gap)}-{text(self.max_gap)}"


def _in_range(value: Decimal | int) -> bool:
    """Non-negative and small enough for any database column (ids, money)."""
    if isinstance(value, Decimal):
        return value.is_finite() and 0 <= value <= MAX_FILTER_MONEY
    return 0 <= value <= 2**31 - 1


def _band(band: str) -> tuple[Decimal | None, Decimal | None]:
    def parse(text: str) -> Decimal | None:
        try:
            value = Decimal(text) if text.strip() else None
        except ArithmeticError:
            return None
        return value if value is not None and _in_range(value) else None
    low, high = band.split("-")
    return parse(low), parse(high)


class ListPagination(Pagination, Generic[_Row]):
    """Flask-SQLAlchemy's pagination over an already ordered Python list."""

    def __init__(self, rows: list[_Row], *, page: int, per_page: int) -> None:
        self._rows = rows
        super().__init__(page=max(page, 1), per_page=max(min(per_page, 100), 1),
                         error_out=False)

    def _query_items(self) -> list[_Row]:
        return self._rows[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._rows)


@dataclass(frozen=True)
class NeedView:
    """A published need card with its account of help; holds anonymized fields only.

    Every figure comes from :func:`webapp.services.need_account.help_accounts`.
    """

    card: NeedCard
    account: HelpAccount

    @property
    def needed(self) -> Decimal:
        return self.account.needed

    @property
    def approved(self) -> Decimal:
        """Money approved or paid from every channel (government, reserve, funds, projects)."""
        return self.account.granted

    @property
    def pledged(self) -> Decimal:
        return self.account.pledged

    @property
    def covered(self) -> Decimal:
        return self.account.covered

    @property
    def gap(self) -> Decimal:
        return self.account.gap

    @property
    def percent(self) -> int:
        return self.account.percent

    @property
    def waiting_days(self) -> int:
        published = self.card.published_at or utcnow()
        return max((utcnow() - published).days, 0)


def waiting_boost(days: int) -> float:
    """Each full week of waiting lifts a need half an urgency level, at most one level."""
    return min(days // 7, 2) * 0.5


def need_priority(view: NeedView) -> tuple[float, Decimal, dt.datetime, int]:
    """Sort key: urgency lifted by waiting time, then the unmet gap, then the oldest first."""
    published = view.card.published_at or utcnow()
    return (-(view.card.urgency + waiting_boost(view.waiting_days)), -view.gap,
            published, view.card.id)


def published_needs(session: Session, filters: Filters = Filters()) -> list[NeedView]:
    """Every published need matching the filters, in priority order."""
    stmt = select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)
    if filters.category:
        stmt = stmt.where(NeedCard.category == filters.category)
    if filters.town_id is not None:
        stmt = stmt.where(NeedCard.town_id == filters.town_id)
    if filters.min_urgency is not None:
        stmt = stmt.where(NeedCard.urgency >= filters.min_urgency)
    cards = session.scalars(stmt).all()
    accounts = need_accounts(session, cards)
    views = [NeedView(c, accounts[c.id]) for c in cards]
    if filters.min_gap is not None:
        views = [v for v in views if v.gap >= filters.min_gap]
    if filters.max_gap is not None:
        views = [v for v in views if v.gap <= filters.max_gap]
    return sorted(views, key=need_priority)


def published_need(session: Session, need_id: int) -> NeedView | None:
    card = session.get(NeedCard, need_id)
    if card is None or card.status != NeedStatus.PUBLISHED:
        return None
    return NeedView(card, need_account(session, card))


@dataclass(frozen=True)
class ClosedNeedView:
    """A need whose case was closed: its card as last published, its account of help, how
    it ended (the outcome, if recorded) and where the help came from. Anonymized only."""

    card: NeedCard
    account: HelpAccount
    outcome: CaseOutcome | None
    sources: list[HelpSource]


def closed_need(session: Session, need_id: int) -> ClosedNeedView | None:
    """The public face of a need whose case was closed after it had been published."""
    card = session.get(NeedCard, need_id)
    if card is None or card.status == NeedStatus.PUBLISHED or card.published_at is None:
        return None
    status = session.scalar(select(Case.status).where(Case.id == card.case_id))
    if status is not CaseStatus.CLOSED:
        return None
    return ClosedNeedView(card, need_account(session, card),
                          delivery.outcome_of(session, card.case_id),
                          delivery.help_sources(session, card.case_id))


@dataclass(frozen=True)
class ProjectView:
    """A listed project with the money donors have pledged towards its budget."""

    project: Project
    pledged: Decimal

    @property
    def gap(self) -> Decimal:
        return max((self.project.budget or ZERO) - self.pledged, ZERO)

    @property
    def percent(self) -> int:
        budget = self.project.budget or ZERO
        if budget <= 0:
            return 100
        return min(100, int(self.pledged * 100 / budget))


def _pledged_to_projects() -> ScalarSelect[Decimal]:
    return select(func.coalesce(func.sum(Pledge.amount), 0)).where(
        Pledge.project_id == Project.id, Pledge.status.in_(ACTIVE_PLEDGES)
    ).correlate(Project).scalar_subquery()


def _padded(column: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """``,a,b,`` so that a LIKE on ``,a,`` matches whole list items only."""
    return literal(",") + column + literal(",")


def filter_listings(stmt: _Stmt, model: type[ListingMixin], filters: Filters) -> _Stmt:
    """Narrow a listing statement to a cause and a town (empty lists match everything)."""
    if filters.category:
        stmt = stmt.where(or_(model.categories == "", _padded(model.categories).contains(
            f",{filters.category.value},", autoescape=True)))
    if filters.town_id is not None:
        stmt = stmt.where(or_(model.towns == "", _padded(model.towns).contains(
            f",{filters.town_id},", autoescape=True)))
    return stmt


def listed_projects_stmt(filters: Filters = Filters(), *, organisation_id: int | None = None
                         ) -> Select[tuple[Project, Decimal]]:
    """Statement of (Project, pledged) rows for listed projects matching the filters."""
    pledged = _pledged_to_projects()
    stmt = select(Project, pledged.label("pledged")).where(
        Project.status == ListingStatus.LISTED)
    if organisation_id is not None:
        stmt = stmt.where(Project.organisation_id == organisation_id)
    stmt = filter_listings(stmt, Project, filters)
    if filters.min_gap is not None:
        stmt = stmt.where(Project.budget - pledged >= filters.min_gap)
    if filters.max_gap is not None:
        stmt = stmt.where(Project.budget - pledged <= filters.max_gap)
    return stmt.order_by(Project.featured.desc(), Project.listed_at.desc(), Project.id.desc())


def project_views(rows: Iterable[tuple[Project, Decimal | None]]) -> list[ProjectView]:
    return [ProjectView(project, Decimal(pledged or 0)) for project, pledged in rows]


def paginate_projects(session: Session, filters: Filters, *, page: int, per_page: int,
                      organisation_id: int | None = None) -> ListPagination[ProjectView]:
    rows = project_views(session.execute(
        listed_projects_stmt(filters, organisation_id=organisation_id)).tuples().all())
    return ListPagination(rows, page=page, per_page=per_page)


def listed_project(session: Session, project_id: int) -> ProjectView | None:
    project = session.get(Project, project_id)
    if project is None or project.status != ListingStatus.LISTED:
        return None
    pledged = session.scalar(select(func.coalesce(func.sum(Pledge.amount), 0)).where(
        Pledge.project_id == project.id, Pledge.status.in_(ACTIVE_PLEDGES)))
    return ProjectView(project, Decimal(pledged or 0))


def featured_projects(session: Session, limit: int = 6) -> list[ProjectView]:
    return project_views(session.execute(listed_projects_stmt().limit(limit)).tuples().all())

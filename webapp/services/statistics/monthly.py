"""The monthly report (月报) the county sends upward: the chosen month and the year to date.

Every figure is one GROUP BY in the database: cases by category, channel and town (by report
time); money by source and by scheme from the ledger (posted payments less refunds, dated by
payment, the same entries as the transparency page) plus money pledges received; social
forces (listed projects, funds and volunteer services, pledges, volunteer hours); and the
timeliness figures of :mod:`.timeliness`. Only aggregates leave this module.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.models import CATEGORY_LABELS, Case, Category, User
from webapp.models.delivery import ServiceSession
from webapp.models.ledger import (
    AccountKind,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
)
from webapp.models.resources import (
    Fund,
    ListingStatus,
    Offer,
    Pledge,
    PledgeStatus,
    Project,
)
from webapp.services import DomainError
from webapp.services.cases import queries
from webapp.services.cases.intake import SOURCE_LABELS
from webapp.services.cases.settings import CaseSettings
from webapp.services.statistics import timeliness
from webapp.services.statistics.timeliness import Figures, Filters

ZERO = Decimal("0.00")
MONEY_SOURCE_LABELS = {"scheme": "政府救助", "reserve": "临时救助备用金（先行救助）",
                       "fund": "企业基金", "project": "慈善项目", "donor": "个人捐助"}
_SOURCE_OF_KIND = {AccountKind.SCHEME: "scheme", AccountKind.RESERVE: "reserve",
                   AccountKind.FUND: "fund", AccountKind.PROJECT: "project"}
HOURS_DELIVERED_LABEL = "志愿服务完成时长（小时）"
HOURS_DELIVERED_NOTE = "志愿者或服务机构登记的服务记录之和，按服务日期计入。"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date     # first day after the period

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return (timeliness.local_midnight_utc(self.start),
                timeliness.local_midnight_utc(self.end))


@dataclass(frozen=True)
class Breakdown:
    """(label, month figure, year-to-date figure) rows and their totals."""

    rows: list[tuple[str, Any, Any]]
    month_total: Any
    year_total: Any


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    month_period: Period
    year_period: Period
    categories: Breakdown
    channels: Breakdown
    towns: Breakdown
    money_sources: Breakdown
    money_schemes: Breakdown
    social: list[tuple[str, Any, Any]]
    hours_label: str
    hours_note: str | None
    timeliness_month: Figures
    timeliness_year: Figures

    @property
    def title(self) -> str:
        return f"{self.year}年{self.month}月"


def periods(year: int, month: int) -> tuple[Period, Period]:
    """The month and the year up to the end of the month."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise DomainError("请选择有效的月份", field="month")
    start = dt.date(year, month, 1)
    end = dt.date(year + month // 12, month % 12 + 1, 1)
    return Period(start, end), Period(dt.date(year, 1, 1), end)


def _in(column: Any, period: Period) -> Any:
    lo, hi = period.bounds
    return (column >= lo) & (column < hi)


def _breakdown(month: dict[Any, Any], year: dict[Any, Any], labels: list[tuple[Any, str]],
               zero: Any = 0) -> Breakdown:
    """Rows for every known label and for any key the data holds beyond them."""
    known = [k for k, _ in labels]
    extra = [k for k in year if k not in known]
    names = dict(labels)
    rows = [(names.get(k, str(k)), month.get(k, zero), year.get(k, zero))
            for k in [*known, *extra]]
    return Breakdown(rows, sum(month.values(), zero), sum(year.values(), zero))


def _count_by(session: Session, column: Any, period: Period) -> dict[Any, int]:
    stmt = (select(column, func.count()).where(_in(Case.reported_at, period))
            .group_by(column))
    return {k: n for k, n in session.execute(stmt)}


def cases_breakdowns(session: Session, month: Period, year: Period
                     ) -> tuple[Breakdown, Breakdown, Breakdown]:
    """Cases reported, by category, channel and town."""
    category = _breakdown(_count_by(session, Case.category, month),
                          _count_by(session, Case.category, year),
                          [(c, CATEGORY_LABELS[c]) for c in Category])
    channel = _breakdown(_count_by(session, Case.source, month),
                         _count_by(session, Case.source, year), list(SOURCE_LABELS.items()))
    towns = [(t.id, t.name) for t in queries.towns(session)]
    town = _breakdown(_count_by(session, Case.town_id, month),
                      _count_by(session, Case.town_id, year), towns)
    return category, channel, town


def _ledger_money(session: Session, period: Period) -> dict[tuple[str, int, str], Decimal]:
    """Posted payments to cases less refunds, by paying account: (source, owner id, name)."""
    debit, credit = aliased(LedgerAccount), aliased(LedgerAccount)
    refund = MoneyTransfer.kind == MoneyTransferKind.REFUND
    kind = case((refund, credit.kind), else_=debit.kind)
    owner = case((refund, credit.owner_id), else_=debit.owner_id)
    name = case((refund, credit.name), else_=debit.name)
    signed = case((refund, -MoneyTransfer.amount), else_=MoneyTransfer.amount)
    stmt = (select(kind, owner, name, func.sum(signed))
            .join(debit, MoneyTransfer.debit_account_id == debit.id)
            .join(credit, MoneyTransfer.credit_account_id == credit.id)
            .join(Case, MoneyTransfer.case_id == Case.id)
            .where(MoneyTransfer.status == MoneyTransferStatus.POSTED,
                   MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                           MoneyTransferKind.GREEN_CHANNEL,
                                           MoneyTransferKind.REFUND]),
                   _in(func.coalesce(MoneyTransfer.posted_at, MoneyTransfer.created_at), period))
            .group_by(kind, owner, name))
    out: dict[tuple[str, int, str], Decimal] = {}
    for k, o, n, amount in session.execute(stmt):
        source = _SOURCE_OF_KIND.get(AccountKind(k))
        if source is not None:
            out[(source, o, n)] = out.get((source, o, n), ZERO) + Decimal(amount or 0)
    return out


def _pledged(session: Session, period: Period) -> Decimal:
    """Money pledges the receiver confirmed as received in the period."""
    return Decimal(session.scalar(select(func.coalesce(func.sum(Pledge.amount), 0)).where(
        Pledge.status == PledgeStatus.FULFILLED, _in(Pledge.fulfilled_at, period))) or 0)


def money_breakdowns(session: Session, month: Period, year: Period
                     ) -> tuple[Breakdown, Breakdown]:
    """Money by source (channel) and, for government schemes and the reserve, by scheme."""
    by_account = {p: _ledger_money(session, p) for p in (month, year)}
    pledged = {p: _pledged(session, p) for p in (month, year)}

    def by_source(p: Period) -> dict[str, Decimal]:
        out = {s: ZERO for s in MONEY_SOURCE_LABELS}
        for (source, _, _), amount in by_account[p].items():
            out[source] += amount
        out["donor"] = pledged[p]
        return out

    sources = _breakdown(by_source(month), by_source(year), list(MONEY_SOURCE_LABELS.items()),
                         zero=ZERO)

    def by_scheme(p: Period) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for (source, _, name), amount in by_account[p].items():
            if source in ("scheme", "reserve"):
                label = name if source == "scheme" else MONEY_SOURCE_LABELS["reserve"]
                out[label] = out.get(label, ZERO) + amount
        return out

    month_s, year_s = by_scheme(month), by_scheme(year)
    schemes = _breakdown(month_s, year_s, [(k, k) for k in sorted(year_s)], zero=ZERO)
    return sources, schemes


def _listed_by(model: Any, p: Period) -> Any:
    return or_(model.listed_at.is_(None), model.listed_at < p.bounds[1])


def social_forces(session: Session, month: Period, year: Period
                  ) -> tuple[list[tuple[str, Any, Any]], str, str | None]:
    """Listed projects, funds and volunteer services; pledges; volunteer hours."""
    def listed(model: Any, p: Period) -> int:
        return session.scalar(select(func.count()).select_from(model).where(
            model.status == ListingStatus.LISTED, _listed_by(model, p))) or 0

    def volunteers(p: Period) -> int:
        return session.scalar(select(func.count(func.distinct(Offer.volunteer_id))).where(
            Offer.status == ListingStatus.LISTED, Offer.volunteer_id.is_not(None),
            _listed_by(Offer, p))) or 0

    def pledges(p: Period) -> tuple[int, Decimal]:
        n, amount = session.execute(select(func.count(), func.coalesce(func.sum(Pledge.amount),
                                                                        0)).where(
            Pledge.status != PledgeStatus.CANCELLED, _in(Pledge.created_at, p))).one()
        return int(n), Decimal(amount or 0)

    def hours(p: Period) -> Decimal:
        # Hours delivered: the sessions volunteers and organisations logged (services/delivery).
        return Decimal(session.scalar(select(func.coalesce(func.sum(ServiceSession.hours), 0))
                                      .where(ServiceSession.delivered_on >= p.start,
                                             ServiceSession.delivered_on < p.end)) or 0)

    pm, py = pledges(month), pledges(year)
    rows: list[tuple[str, Any, Any]] = [
        ("在列慈善项目（个）", listed(Project, month), listed(Project, year)),
        ("在列企业公益基金（个）", listed(Fund, month), listed(Fund, year)),
        ("在列志愿服务（项）", listed(Offer, month), listed(Offer, year)),
        ("志愿者（人）", volunteers(month), volunteers(year)),
        ("收到认捐（笔）", pm[0], py[0]),
        ("认捐金额（元）", pm[1], py[1]),
    ]
    rows.append((HOURS_DELIVERED_LABEL, hours(month), hours(year)))
    return rows, HOURS_DELIVERED_LABEL, HOURS_DELIVERED_NOTE


def monthly_report(session: Session, actor: User, *, year: int, month: int, today: dt.date,
                   settings: CaseSettings) -> MonthlyReport:
    """Every figure of the monthly report of ``year``-``month``."""
    month_p, year_p = periods(year, month)
    categories, channels, towns = cases_breakdowns(session, month_p, year_p)
    sources, schemes = money_breakdowns(session, month_p, year_p)
    social, hours_label, hours_note = social_forces(session, month_p, year_p)
    figures = [timeliness.timeliness(session, actor, Filters(start=p.start, end=p.end,
                                                             by="town"),
                                     today=today, settings=settings) for p in (month_p, year_p)]
    return MonthlyReport(year, month, month_p, year_p, categories, channels, towns, sources,
                         schemes, social, hours_label, hours_note, figures[0], figures[1])

"""County totals for the public transparency page (信息公开): cases helped, median days from
report to first help, money by source and by town.

Help is gathered from *help sources*: callables ``fn(session) -> Iterable[HelpRecord]``. This
module contributes fulfilled donor pledges; other areas (the ledger's disbursements, volunteer
service records) register theirs with ``register_help_source`` so the page counts all help.
Only aggregates leave this module.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Case, NeedCard, NeedStatus, Organisation, OrgKind
from webapp.models.resources import (
    Fund,
    ListingStatus,
    Offer,
    Pledge,
    PledgeStatus,
    Project,
    Scheme,
)
from webapp.services.need_account import need_accounts

SOURCE_LABELS = {"scheme": "政府救助", "fund": "企业基金", "project": "慈善项目",
                 "donor": "个人捐助", "volunteer": "志愿服务"}


@dataclass(frozen=True)
class HelpRecord:
    """One act of help: money (or 0 for a service) from a source, for a case if known."""

    source: str
    amount: Decimal
    at: dt.datetime
    case_id: int | None = None
    town_id: int | None = None


HelpSource = Callable[[Session], Iterable[HelpRecord]]
_sources: list[HelpSource] = []


def register_help_source(fn: HelpSource) -> HelpSource:
    """Add a provider of help records (usable as a decorator)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


@register_help_source
def fulfilled_pledges(session: Session) -> Iterable[HelpRecord]:
    rows = session.execute(
        select(Pledge.amount, Pledge.fulfilled_at, NeedCard.case_id, NeedCard.town_id)
        .outerjoin(NeedCard, Pledge.need_id == NeedCard.id)
        .where(Pledge.status == PledgeStatus.FULFILLED, Pledge.fulfilled_at.is_not(None)))
    for amount, at, case_id, town_id in rows:
        yield HelpRecord("donor", Decimal(amount or 0), at, case_id, town_id)


@dataclass(frozen=True)
class Totals:
    cases_helped: int
    median_days_to_first_help: float | None
    money_by_source: dict[str, Decimal]
    money_by_town: dict[str, Decimal]
    published_needs: int
    open_gap: Decimal
    listed: dict[str, int]

    def as_json(self) -> dict:
        return {
            "cases_helped": self.cases_helped,
            "median_days_to_first_help": self.median_days_to_first_help,
            "money_by_source": [{"source": k, "label": SOURCE_LABELS.get(k, k),
                                 "amount": str(v)} for k, v in self.money_by_source.items()],
            "money_by_town": [{"town": k, "amount": str(v)}
                              for k, v in self.money_by_town.items()],
            "published_needs": self.published_needs, "open_gap": str(self.open_gap),
            "listed": self.listed,
        }


def _days(later: dt.datetime, earlier: dt.datetime) -> float:
    return max((later - earlier).total_seconds() / 86400, 0.0)


def county_totals(session: Session) -> Totals:
    """Compute the county totals from every registered help source."""
    records = [r for source in _sources for r in source(session)]
    by_source = {key: Decimal("0.00") for key in SOURCE_LABELS}
    first_help: dict[int, dt.datetime] = {}
    town_money: dict[int, Decimal] = {}
    for rec in records:
        by_source[rec.source] = by_source.get(rec.source, Decimal("0.00")) + rec.amount
        if rec.case_id is not None:
            seen = first_help.get(rec.case_id)
            first_help[rec.case_id] = rec.at if seen is None else min(seen, rec.at)
        if rec.town_id is not None:
            town_money[rec.town_id] = town_money.get(rec.town_id, Decimal("0.00")) + rec.amount
    reported = dict(session.execute(select(Case.id, Case.reported_at).where(
        Case.id.in_(list(first_help)))).all()) if first_help else {}
    delays = [_days(first_help[cid], reported[cid]) for cid in first_help if cid in reported]
    towns = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.TOWN).order_by(Organisation.code)).all())
    by_town = {name: town_money.get(tid, Decimal("0.00")) for tid, name in towns.items()}
    cards = session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)).all()
    open_gap = sum((a.gap for a in need_accounts(session, cards).values()), Decimal("0.00"))
    listed = {name: session.scalar(select(func.count()).select_from(model).where(
        model.status == ListingStatus.LISTED)) for name, model in
        (("projects", Project), ("funds", Fund), ("offers", Offer), ("schemes", Scheme))}
    return Totals(cases_helped=len(first_help),
                  median_days_to_first_help=round(statistics.median(delays), 1)
                  if delays else None,
                  money_by_source=by_source, money_by_town=by_town,
                  published_needs=len(cards), open_gap=open_gap, listed=listed)

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
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Case, Category, NeedCard, NeedStatus, Organisation, OrgKind, Proposal
from webapp.models.delivery import ServiceSession
from webapp.models.matching import ACTIVE_STATUSES
from webapp.models.resources import (
    Fund,
    ListingStatus,
    Offer,
    Pledge,
    PledgeStatus,
    Project,
    Scheme,
)
from webapp.services.need_account import id_slices, need_accounts

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
    category: str | None = None


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
        select(Pledge.amount, Pledge.fulfilled_at, NeedCard.case_id, Case.town_id,
               NeedCard.category)
        .outerjoin(NeedCard, Pledge.need_id == NeedCard.id)
        .outerjoin(Case, NeedCard.case_id == Case.id)
        .where(Pledge.status == PledgeStatus.FULFILLED, Pledge.fulfilled_at.is_not(None)))
    for amount, at, case_id, town_id, category in rows:
        yield HelpRecord("donor", Decimal(amount or 0), at, case_id, town_id,
                         category.value if category is not None else None)


#: What each figure on the page means (shown beside it).
DEFINITIONS = {
    "money": "已拨付到个案的资金（政府救助含临时救助备用金的先行救助、企业基金、慈善项目，"
             "扣除退回）与接收方已确认到账的个人认捐之和；仅预留未拨付的资金不计入。",
    "cases_helped": "统计期内至少获得一笔上述救助的个案数。",
    "median_days": "个案从报告到首次获得上述救助的天数中位数。",
    "open_gap": "正在求助的需求按其救助账户计算的缺口之和（所需减去各渠道已批准或已拨付的资金"
                "及已确认的认捐），统计时点为今天。",
    "hours": "志愿者或其组织在已接受的服务对接下登记完成的服务小时数（按服务对象所在镇统计）；"
             "只计已完成的小时，不计承诺的小时。",
    "hours_promised": "已批准或资源方已接受、尚在进行中的志愿服务对接所承诺的小时数。",
}
UNASSIGNED = "未归属"  # money not tied to a town or a category (e.g. a pledge to a project)


@dataclass(frozen=True)
class Totals:
    cases_helped: int
    median_days_to_first_help: float | None
    money_by_source: dict[str, Decimal]
    money_by_town: dict[str, Decimal]
    published_needs: int
    open_gap: Decimal
    listed: dict[str, int]
    money_by_category: dict[str, Decimal]
    money_total: Decimal
    hours_promised: Decimal
    period_start: dt.date | None
    period_end: dt.date
    hours_delivered: Decimal
    hours_by_town: dict[str, Decimal]

    def as_json(self) -> dict[str, Any]:
        return {
            "cases_helped": self.cases_helped,
            "median_days_to_first_help": self.median_days_to_first_help,
            "money_by_source": [{"source": k, "label": SOURCE_LABELS.get(k, k),
                                 "amount": str(v)} for k, v in self.money_by_source.items()],
            "money_by_town": [{"town": k, "amount": str(v)}
                              for k, v in self.money_by_town.items()],
            "published_needs": self.published_needs, "open_gap": str(self.open_gap),
            "listed": self.listed,
            "money_by_category": [{"category": k, "amount": str(v)}
                                  for k, v in self.money_by_category.items()],
            "money_total": str(self.money_total), "hours_promised": str(self.hours_promised),
            "hours_delivered": str(self.hours_delivered),
            "hours_by_town": [{"town": k, "hours": str(v)}
                              for k, v in self.hours_by_town.items()],
            "period": {"start": self.period_start.isoformat() if self.period_start else None,
                       "end": self.period_end.isoformat()},
            "definitions": DEFINITIONS,
        }


def _hours_by_town(session: Session, towns: dict[int, str]) -> dict[str, Decimal]:
    """Volunteer hours delivered (logged sessions), by the town of the case they served."""
    rows = dict(session.execute(
        select(Case.town_id, func.sum(ServiceSession.hours))
        .join(Case, ServiceSession.case_id == Case.id).group_by(Case.town_id)).tuples().all())
    found = {name: Decimal(rows.pop(tid, 0) or 0).quantize(Decimal("0.01"))
             for tid, name in towns.items()}
    found[UNASSIGNED] = sum((Decimal(v or 0) for v in rows.values()),
                            Decimal("0.00")).quantize(Decimal("0.01"))
    return found


def _reported_at(session: Session, case_ids: list[int]) -> dict[int, dt.datetime]:
    """When each of these cases was reported, read a bounded number of ids at a time."""
    found: dict[int, dt.datetime] = {}
    for part in id_slices(case_ids):
        found.update(session.execute(select(Case.id, Case.reported_at).where(
            Case.id.in_(part))).tuples().all())
    return found


def _days(later: dt.datetime, earlier: dt.datetime) -> float:
    return max((later - earlier).total_seconds() / 86400, 0.0)


def county_totals(session: Session) -> Totals:
    """Compute the county totals from every registered help source."""
    records = [r for source in _sources for r in source(session)]
    by_source = {key: Decimal("0.00") for key in SOURCE_LABELS}
    first_help: dict[int, dt.datetime] = {}
    town_money: dict[int | None, Decimal] = {}
    category_money: dict[str | None, Decimal] = {}
    for rec in records:
        by_source[rec.source] = by_source.get(rec.source, Decimal("0.00")) + rec.amount
        if rec.case_id is not None and rec.amount > 0:
            seen = first_help.get(rec.case_id)
            first_help[rec.case_id] = rec.at if seen is None else min(seen, rec.at)
        town_money[rec.town_id] = town_money.get(rec.town_id, Decimal("0.00")) + rec.amount
        category_money[rec.category] = category_money.get(rec.category,
                                                          Decimal("0.00")) + rec.amount
    reported = _reported_at(session, list(first_help))
    delays = [_days(first_help[cid], reported[cid]) for cid in first_help if cid in reported]
    towns = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.TOWN).order_by(Organisation.code)).tuples().all())
    # Every record lands in exactly one town and one category bucket, so the three breakdowns
    # sum to the same total.
    by_town = {name: town_money.pop(tid, Decimal("0.00")) for tid, name in towns.items()}
    by_town[UNASSIGNED] = sum(town_money.values(), Decimal("0.00"))
    by_category = {c.value: category_money.pop(c.value, Decimal("0.00")) for c in Category}
    by_category[UNASSIGNED] = sum(category_money.values(), Decimal("0.00"))
    cards = session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)).all()
    open_gap = sum((a.gap for a in need_accounts(session, cards).values()), Decimal("0.00"))
    listed = {name: session.scalar(select(func.count()).select_from(model).where(
        model.status == ListingStatus.LISTED)) or 0 for name, model in
        (("projects", Project), ("funds", Fund), ("offers", Offer), ("schemes", Scheme))}
    hours = session.scalar(select(func.coalesce(func.sum(
        func.coalesce(Proposal.approved_amount, Proposal.amount)), 0)).where(
        Proposal.unit == "hours", Proposal.status.in_(list(ACTIVE_STATUSES))))
    delivered = _hours_by_town(session, towns)
    starts = [r.at.date() for r in records]
    first_session = session.scalar(select(func.min(ServiceSession.delivered_on)))
    if first_session is not None:
        starts.append(first_session)
    return Totals(money_by_category=by_category,
                  hours_delivered=sum(delivered.values(), Decimal("0.00")),
                  hours_by_town=delivered,
                  money_total=sum((r.amount for r in records), Decimal("0.00")),
                  hours_promised=Decimal(hours or 0),
                  period_start=min(starts) if starts else None,
                  period_end=dt.date.today(),
                  cases_helped=len(first_help),
                  median_days_to_first_help=round(statistics.median(delays), 1)
                  if delays else None,
                  money_by_source=by_source, money_by_town=by_town,
                  published_needs=len(cards), open_gap=open_gap, listed=listed)

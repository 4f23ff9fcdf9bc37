"""One account of help per need (DESIGN.md invariant 6).

``help_accounts`` is the function of record: for each case it says what the case needs, what
every money channel has reserved (approved, not yet paid) and disbursed (paid, net of refunds)
from the ledger, what donors have pledged and the receiver confirmed, and the volunteer hours
promised (approved pairings) and delivered (sessions logged against them). Every surface (public card and page, the API, search documents, the matcher's gap,
the ledger's reservation cap, the pledge form, organisation and transparency pages) reads it;
none keeps a figure of its own.

- needed = the amount the bureau approved for the case, or the reported amount before approval;
- covered = money reserved or paid from every channel (scheme, reserve, fund, project)
  + confirmed or received money pledges;
- gap = needed − covered, never below zero.

Only aggregates leave this module; nothing here names or describes a person.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from webapp.models import Case, NeedCard, NeedStatus, Proposal
from webapp.models.delivery import ServiceSession
from webapp.models.ledger import (
    AccountKind,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
)
from webapp.models.matching import ACTIVE_STATUSES
from webapp.models.resources import Pledge, PledgeStatus
from webapp.models.search_outbox import OutboxOp

ZERO = Decimal("0.00")
#: Money channels of a case, in the order pages list them.
CHANNELS = ("scheme", "reserve", "fund", "project")
GOVERNMENT_CHANNELS = ("scheme", "reserve")
CHANNEL_LABELS = {"scheme": "政府救助", "reserve": "先行救助（备用金）", "fund": "企业基金",
                  "project": "慈善项目"}
CHANNEL_OF_KIND = {AccountKind.SCHEME: "scheme", AccountKind.RESERVE: "reserve",
                    AccountKind.FUND: "fund", AccountKind.PROJECT: "project"}
#: Pledges that count towards a need: the receiver confirmed them, or received the money.
COUNTED_PLEDGES = (PledgeStatus.CONFIRMED, PledgeStatus.FULFILLED)
PAYING_KINDS = (MoneyTransferKind.RESERVATION, MoneyTransferKind.GREEN_CHANNEL)


@dataclass(frozen=True)
class ChannelMoney:
    """Money of one channel for one case: reserved (approved, unpaid) and disbursed (paid)."""

    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.reserved + self.disbursed


@dataclass(frozen=True)
class HelpAccount:
    """The one account of help of a case (and of its need card, if it has one)."""

    case_id: int
    need_id: int | None
    needed: Decimal
    money: Mapping[str, ChannelMoney] = field(default_factory=dict)
    pledged: Decimal = ZERO              # confirmed or received money pledges
    pledged_unconfirmed: Decimal = ZERO  # pledged, not yet confirmed by the receiver
    hours_promised: Decimal = ZERO       # approved or accepted volunteer hours
    hours_delivered: Decimal = ZERO      # hours of service logged as delivered

    def channel(self, name: str) -> ChannelMoney:
        return self.money.get(name, ChannelMoney())

    @property
    def government(self) -> Decimal:
        """Approved government assistance: scheme and reserve money, reserved or paid."""
        return sum((self.channel(c).total for c in GOVERNMENT_CHANNELS), ZERO)

    @property
    def reserved(self) -> Decimal:
        return sum((self.channel(c).reserved for c in CHANNELS), ZERO)

    @property
    def disbursed(self) -> Decimal:
        return sum((self.channel(c).disbursed for c in CHANNELS), ZERO)

    @property
    def granted(self) -> Decimal:
        """Money approved or paid from every channel (equals the case ledger account's)."""
        return self.reserved + self.disbursed

    @property
    def covered(self) -> Decimal:
        return self.granted + self.pledged

    @property
    def gap(self) -> Decimal:
        return max(self.needed - self.covered, ZERO)

    @property
    def open_to_pledges(self) -> Decimal:
        """What donors may still pledge: the gap less pledges awaiting confirmation."""
        return max(self.gap - self.pledged_unconfirmed, ZERO)

    @property
    def percent(self) -> int:
        if self.needed <= 0:
            return 100
        return min(100, int(self.covered * 100 / self.needed))

    def as_json(self) -> dict[str, Any]:
        """The figures as strings of yuan (and hours), for the API."""
        return {
            "needed": str(self.needed), "covered": str(self.covered), "gap": str(self.gap),
            "government": str(self.government), "reserved": str(self.reserved),
            "disbursed": str(self.disbursed), "pledged": str(self.pledged),
            "pledged_unconfirmed": str(self.pledged_unconfirmed),
            "open_to_pledges": str(self.open_to_pledges),
            "by_channel": {c: {"reserved": str(self.channel(c).reserved),
                               "disbursed": str(self.channel(c).disbursed)}
                           for c in CHANNELS},
            "hours_promised": str(self.hours_promised),
            "hours_delivered": str(self.hours_delivered),
        }


def needed_amount(case: Case) -> Decimal:
    """What a case needs: the approved amount once approved, else the reported amount."""
    if case.approved_amount is not None:
        return case.approved_amount
    return case.amount_needed or ZERO


#: Ids per IN list when reading many cases at once: a county's ten years hold more cases than
#: PostgreSQL's 65,535 bound parameters of one statement.
IDS_PER_QUERY = 5000


def id_slices(ids: list[int]) -> Iterator[list[int]]:
    """``ids`` in slices of at most IDS_PER_QUERY, one IN list each."""
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start:start + IDS_PER_QUERY]


def _money(session: Session, case_ids: list[int]) -> dict[int, dict[str, ChannelMoney]]:
    debit, credit = aliased(LedgerAccount), aliased(LedgerAccount)
    rows = session.execute(
        select(MoneyTransfer.case_id, MoneyTransfer.kind, MoneyTransfer.status,
               debit.kind, credit.kind, func.sum(MoneyTransfer.amount))
        .join(debit, MoneyTransfer.debit_account_id == debit.id)
        .join(credit, MoneyTransfer.credit_account_id == credit.id)
        .where(MoneyTransfer.case_id.in_(case_ids),
               MoneyTransfer.status != MoneyTransferStatus.VOIDED,
               MoneyTransfer.kind.in_([*PAYING_KINDS, MoneyTransferKind.REFUND]))
        .group_by(MoneyTransfer.case_id, MoneyTransfer.kind, MoneyTransfer.status,
                  debit.kind, credit.kind))
    sums: dict[int, dict[str, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [ZERO, ZERO]))
    for case_id, kind, status, debit_kind, credit_kind, total in rows:
        total = Decimal(total or 0)
        if kind is MoneyTransferKind.REFUND:  # money back from the case to its source
            channel = CHANNEL_OF_KIND.get(credit_kind)
            if channel is not None:
                sums[case_id][channel][1] -= total
            continue
        channel = CHANNEL_OF_KIND.get(debit_kind)
        if channel is None:
            continue
        slot = 0 if status is MoneyTransferStatus.PENDING else 1
        sums[case_id][channel][slot] += total
    return {cid: {ch: ChannelMoney(r, d) for ch, (r, d) in by.items()}
            for cid, by in sums.items()}


def _pledges(session: Session, need_ids: list[int]) -> dict[tuple[int, bool], Decimal]:
    if not need_ids:
        return {}
    rows = session.execute(
        select(Pledge.need_id, Pledge.status, func.sum(Pledge.amount))
        .where(Pledge.need_id.in_(need_ids), Pledge.amount.is_not(None),
               Pledge.status.in_([PledgeStatus.PLEDGED, *COUNTED_PLEDGES]))
        .group_by(Pledge.need_id, Pledge.status))
    found: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    for need_id, status, total in rows:
        found[(need_id, status in COUNTED_PLEDGES)] += Decimal(total or 0)
    return found


def _hours(session: Session, case_ids: list[int]) -> dict[int, Decimal]:
    rows = session.execute(
        select(Proposal.case_id, func.sum(func.coalesce(Proposal.approved_amount,
                                                        Proposal.amount)))
        .where(Proposal.case_id.in_(case_ids), Proposal.unit == "hours",
               Proposal.status.in_(list(ACTIVE_STATUSES)))
        .group_by(Proposal.case_id))
    return {cid: Decimal(total or 0) for cid, total in rows}


def _delivered(session: Session, case_ids: list[int]) -> dict[int, Decimal]:
    rows = session.execute(select(ServiceSession.case_id, func.sum(ServiceSession.hours))
                           .where(ServiceSession.case_id.in_(case_ids))
                           .group_by(ServiceSession.case_id))
    return {cid: Decimal(total or 0) for cid, total in rows}


def help_accounts(session: Session, case_ids: Iterable[int]) -> dict[int, HelpAccount]:
    """The account of help of each case in ``case_ids`` (absent ids are left out)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    if len(ids) > IDS_PER_QUERY:  # PostgreSQL binds at most 65,535 parameters per statement
        found_all: dict[int, HelpAccount] = {}
        for part in id_slices(ids):
            found_all.update(help_accounts(session, part))
        return found_all
    cases = session.execute(select(Case.id, Case.approved_amount, Case.amount_needed)
                            .where(Case.id.in_(ids))).all()
    need_of: dict[int, int] = {case_id: need_id for case_id, need_id in session.execute(
        select(NeedCard.case_id, NeedCard.id).where(NeedCard.case_id.in_(ids)))}
    money = _money(session, ids)
    pledges = _pledges(session, list(need_of.values()))
    hours = _hours(session, ids)
    delivered = _delivered(session, ids)
    found = {}
    for case_id, approved, reported in cases:
        need_id = need_of.get(case_id)
        needed = approved if approved is not None else (reported or ZERO)
        found[case_id] = HelpAccount(
            case_id=case_id, need_id=need_id, needed=Decimal(needed),
            money=money.get(case_id, {}),
            pledged=pledges.get((need_id, True), ZERO) if need_id else ZERO,
            pledged_unconfirmed=pledges.get((need_id, False), ZERO) if need_id else ZERO,
            hours_promised=hours.get(case_id, ZERO),
            hours_delivered=delivered.get(case_id, ZERO))
    return found


def help_account(session: Session, case: Case | int) -> HelpAccount:
    """The account of help of one case."""
    case_id = case if isinstance(case, int) else case.id
    return help_accounts(session, [case_id])[case_id]


def need_accounts(session: Session, cards: Iterable[NeedCard]) -> dict[int, HelpAccount]:
    """The account of help of each need card, keyed by card id."""
    cards = list(cards)
    by_case = help_accounts(session, [c.case_id for c in cards])
    return {c.id: by_case[c.case_id] for c in cards if c.case_id in by_case}


def need_account(session: Session, card: NeedCard) -> HelpAccount:
    return help_account(session, card.case_id)


def reindex_case(session: Session, case_id: int | None) -> None:
    """Queue the search document of the case's need card: one of its figures moved."""
    if case_id is None:
        return
    # The outbox writer, imported here: search documents read this module's accounts.
    from webapp.services.search import sync as search_sync
    from webapp.services.search.documents import NEED
    card = session.scalars(select(NeedCard).where(NeedCard.case_id == case_id)).first()
    if card is not None and card.published_at is not None:
        op = OutboxOp.UPSERT if card.status == NeedStatus.PUBLISHED else OutboxOp.DELETE
        search_sync.enqueue(session, NEED, card.id, op)

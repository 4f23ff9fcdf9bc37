"""Opening and finding ledger accounts, locking them, and reading their balances.

Every fund, charity project and scheme gets a source account. It holds only money actually
received, recorded as top-ups (a company's transfer into its fund, a charity's allocation to a
project, the treasury's allocation to a scheme): never the capital or budget figure typed into
the listing form, which pages show beside what is held. The help-first reserve
(临时救助备用金) has one account and every case gets an account the first time money is
reserved for it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import AuditHead, Case, Fund, Project, Scheme, User
from webapp.models.ledger import ZERO, AccountKind, LedgerAccount, MoneyTransfer, MoneyTransferKind
from webapp.models.resources import ListingMixin
from webapp.services import DomainError, NotFoundError, events

SINGLETON = 0  # owner_id of the reserve and the external account
RESERVE_NAME = "临时救助备用金"
EXTERNAL_NAME = "外部资金来源"

FundingListing = Fund | Project | Scheme
"""A listing that gives money, so has a source account (an offer gives time)."""

LISTING_MODELS: dict[AccountKind, type[ListingMixin]] = {
    AccountKind.FUND: Fund, AccountKind.PROJECT: Project, AccountKind.SCHEME: Scheme}
SOURCE_BY_NAME = {"fund": AccountKind.FUND, "project": AccountKind.PROJECT,
                  "scheme": AccountKind.SCHEME, "reserve": AccountKind.RESERVE}


def find_account(session: Session, kind: AccountKind, owner_id: int) -> LedgerAccount | None:
    return session.scalars(select(LedgerAccount).where(
        LedgerAccount.kind == kind, LedgerAccount.owner_id == owner_id)).first()


class Balances(TypedDict):
    """What a source account holds: ``total`` received, ``reserved`` for cases and not yet
    paid, ``disbursed`` (paid out) and ``available`` (total less both)."""

    total: Decimal
    reserved: Decimal
    disbursed: Decimal
    available: Decimal


class HeldAndPromised(TypedDict):
    """A listing's stated capital or budget beside the money its account holds."""

    promised: Decimal
    held: Decimal
    available: Decimal
    disbursed: Decimal


def promised_amount(listing: ListingMixin) -> Decimal:
    """The capital or budget a listing states (a promise, not money held; an offer of
    time promises none)."""
    if isinstance(listing, Fund):
        return listing.capital or ZERO
    if isinstance(listing, Project):
        return listing.budget or ZERO
    if isinstance(listing, Scheme):
        return listing.annual_budget or ZERO
    return ZERO


def external_account(session: Session) -> LedgerAccount:
    """The one account standing for money outside the ledger."""
    account = find_account(session, AccountKind.EXTERNAL, SINGLETON)
    if account is None:
        account = LedgerAccount(kind=AccountKind.EXTERNAL, owner_id=SINGLETON,
                                name=EXTERNAL_NAME)
        session.add(account)
        session.flush()
    return account


def reserve_account(session: Session) -> LedgerAccount:
    """The help-first reserve account, opened empty on first use."""
    account = find_account(session, AccountKind.RESERVE, SINGLETON)
    if account is None:
        account = LedgerAccount(kind=AccountKind.RESERVE, owner_id=SINGLETON, name=RESERVE_NAME)
        session.add(account)
        session.flush()
    return account


def open_listing_account(session: Session, actor: User | None, kind: AccountKind, listing_id: int
                         ) -> LedgerAccount:
    """Open the (empty) account of a fund, project or scheme; money comes in by top-ups."""
    account = find_account(session, kind, listing_id)
    if account is not None:
        return account
    listing = session.get(LISTING_MODELS[kind], listing_id)
    if listing is None:
        raise NotFoundError("资金来源不存在")
    account = LedgerAccount(kind=kind, owner_id=listing.id, name=listing.title[:160],
                            organisation_id=listing.organisation_id)
    session.add(account)
    session.flush()
    return account


def funded_total(session: Session, account: LedgerAccount) -> Decimal:
    """Money put into a source account from outside (opening balance and top-ups)."""
    return session.scalar(select(func.coalesce(func.sum(MoneyTransfer.amount), 0)).where(
        MoneyTransfer.credit_account_id == account.id,
        MoneyTransfer.kind.in_([MoneyTransferKind.OPENING, MoneyTransferKind.TOP_UP]))) or ZERO


def on_listing_changed(session: Session, event: events.ListingChanged) -> None:
    """A listing's account is opened (empty) with it; its figures move no money."""
    account_kind = SOURCE_BY_NAME.get(event.kind)
    if account_kind is None or account_kind not in LISTING_MODELS:
        return
    if session.get(LISTING_MODELS[account_kind], event.id):
        serialize_writes(session)
        open_listing_account(session, None, account_kind, event.id)


def open_all_listing_accounts(session: Session, actor: User | None) -> int:
    """Open the missing accounts of every fund, project and scheme; return how many."""
    opened = 0
    for kind, model in LISTING_MODELS.items():
        have = set(session.scalars(select(LedgerAccount.owner_id)
                                   .where(LedgerAccount.kind == kind)))
        for listing_id in session.scalars(select(model.id).order_by(model.id)):
            if listing_id not in have:
                open_listing_account(session, actor, kind, listing_id)
                opened += 1
    return opened


def case_account(session: Session, case: Case) -> LedgerAccount:
    """The account of a case, opened on first use; ``needed`` follows the case's amount."""
    account = find_account(session, AccountKind.CASE, case.id)
    if account is None:
        account = LedgerAccount(kind=AccountKind.CASE, owner_id=case.id, case_id=case.id,
                                name=case.number, needed=case.amount_needed or ZERO)
        session.add(account)
        session.flush()
    return account


def source_account(session: Session, source: str, source_id: int | None) -> LedgerAccount:
    """The account paying for a reservation: ``source`` is fund, project, scheme or reserve."""
    kind = SOURCE_BY_NAME.get(source)
    if kind is None:
        raise DomainError("资金来源类型不正确", field="source")
    if kind is AccountKind.RESERVE:
        return reserve_account(session)
    if source_id is None:
        raise DomainError("请指定资金来源", field="source_id")
    account = find_account(session, kind, source_id)
    if account is None:
        return open_listing_account(session, None, kind, source_id)
    return account


def serialize_writes(session: Session) -> None:
    """Lock the audit head before anything else.

    Every audited write locks the audit head anyway, so taking it first gives all
    transactions one lock order (a green-channel posting runs inside a case transaction that
    already holds it), lets a transaction see accounts opened by the one before it, and costs
    no concurrency. SQLite has already taken its write lock at BEGIN IMMEDIATE.
    """
    session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()


def lock_accounts(session: Session, *accounts: LedgerAccount) -> None:
    """Take row locks on the accounts in ascending id order and reload their totals."""
    ids = sorted({a.id for a in accounts})
    session.scalars(select(LedgerAccount).where(LedgerAccount.id.in_(ids))
                    .order_by(LedgerAccount.id).with_for_update()
                    .execution_options(populate_existing=True)).all()


def balances(account: LedgerAccount | None) -> Balances:
    """total / reserved / disbursed / available of a source account (zeros when none)."""
    if account is None:
        return {"total": ZERO, "reserved": ZERO, "disbursed": ZERO, "available": ZERO}
    return {"total": account.total, "reserved": account.reserved,
            "disbursed": account.disbursed, "available": account.available}


def balances_for(session: Session, kind: str, id: int | None = None) -> Balances:
    """Balances of a fund, project, scheme (by id) or the reserve, for pages and the API;
    zeros for a listing without an account (or without an id)."""
    account_kind = SOURCE_BY_NAME.get(kind)
    if account_kind is None:
        raise ValueError(f"unknown ledger source kind {kind!r}")
    owner = SINGLETON if account_kind is AccountKind.RESERVE else id
    if owner is None:
        return balances(None)
    return balances(find_account(session, account_kind, owner))


def held_and_promised(session: Session, kind: str, listing: FundingListing) -> HeldAndPromised:
    """What a listing promised (capital/budget) beside what its account holds and can give."""
    account_kind = SOURCE_BY_NAME[kind]
    money = balances(find_account(session, account_kind, listing.id))
    return {"promised": promised_amount(listing), "held": money["total"],
            "available": money["available"], "disbursed": money["disbursed"]}

"""Demo money: accounts for every fund, project and scheme, the help-first reserve, two more
officers (for separation of duties) and some reservations and disbursements. Idempotent: every
reservation carries a demo idempotency key, so a second run adds nothing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.demo.base import BUREAU, DEMO_PASSWORD
from webapp.models import (
    TERMINAL_STATUSES,
    Case,
    ListingStatus,
    Organisation,
    Role,
    User,
)
from webapp.models.ledger import (
    AccountKind,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferStatus,
    PaymentMethod,
)
from webapp.services import DomainError, accounts, ledger
from webapp.services.ledger.accounts import (
    LISTING_MODELS,
    funded_total,
    promised_amount,
    reserve_account,
)

RESERVE_FUNDING = Decimal("300000.00")
EXTRA_OFFICERS = [("officer2", "民政局李会计"), ("officer3", "民政局赵股长")]
RESERVATIONS = 8


def _user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def _officers(session: Session, counter: dict) -> None:
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
    for username, display in EXTRA_OFFICERS:
        if _user(session, username) is None:
            accounts.create_user(session, None, accounts.NewUser(
                username, DEMO_PASSWORD, display, {Role.OFFICER}, bureau))
            counter["users"] += 1


def _sources(session: Session) -> list[tuple[str, int | None]]:
    rows = session.scalars(select(LedgerAccount).where(
        LedgerAccount.kind.in_([AccountKind.FUND, AccountKind.PROJECT]))
        .order_by(LedgerAccount.id))
    found = [(a.kind.value, a.owner_id) for a in rows if a.available > 0]
    return found + [("reserve", None)]


# What each kind of listing has actually received, as a share of what it promised, and how
# the transfer in is recorded: capital and budgets are promises until the money arrives.
RECEIVED = {AccountKind.FUND: (Decimal("1.00"), "企业转入基金"),
            AccountKind.PROJECT: (Decimal("0.60"), "慈善组织拨付项目资金"),
            AccountKind.SCHEME: (Decimal("1.00"), "县财政拨付救助资金")}


def _fund_listings(session: Session) -> int:
    """Record the money each listed fund, project and scheme received (once)."""
    made = 0
    for kind, (share, reference) in RECEIVED.items():
        model = LISTING_MODELS[kind]
        for listing in session.scalars(select(model).where(
                model.status == ListingStatus.LISTED).order_by(model.id)):
            account = ledger.open_listing_account(session, None, kind, listing.id)
            amount = (promised_amount(listing) * share).quantize(Decimal("0.01"))
            if amount > 0 and funded_total(session, account) == 0:
                ledger.top_up(session, None, source=kind.value, source_id=listing.id,
                              amount=amount, reference=reference)
                made += 1
    return made


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"users": 0, "ledger_accounts": 0, "money_transfers": 0}
    _officers(session, counter)
    counter["ledger_accounts"] += ledger.open_all_listing_accounts(session, None)
    counter["money_transfers"] += _fund_listings(session)
    reserve = reserve_account(session)
    if funded_total(session, reserve) == 0:
        ledger.top_up(session, None, source="reserve", source_id=None, amount=RESERVE_FUNDING,
                      reference="县财政拨付临时救助备用金")
        counter["money_transfers"] += 1
    approver = _user(session, "officer")
    payer = session.scalars(select(User).where(User.username == "officer2")).one()
    cases = list(session.scalars(select(Case).where(
        Case.status.not_in(TERMINAL_STATUSES), Case.amount_needed > 0).order_by(Case.id)
        .limit(RESERVATIONS)))
    sources = _sources(session)
    for i, case in enumerate(cases):
        key = f"demo:reserve:{case.number}"
        if session.scalars(select(MoneyTransfer.id).where(
                MoneyTransfer.idempotency_key == key)).first():
            continue
        source, source_id = sources[rng.randrange(len(sources))]
        amount = min(case.amount_needed, Decimal(rng.choice([1000, 2000, 3000, 4500])))
        try:
            transfer = ledger.reserve_for_case(
                session, approver, source=source, source_id=source_id, case=case,
                amount=amount, reference=f"演示方案 {i + 1}", idempotency_key=key)
        except DomainError:
            continue  # that source cannot cover it: demo data simply skips the pairing
        counter["money_transfers"] += 1
        if i % 2 == 0 and transfer.status is MoneyTransferStatus.PENDING:
            ledger.disburse(session, payer, transfer, payee="高唐县人民医院",
                            method=PaymentMethod.HOSPITAL_SETTLEMENT,
                            voucher_number=f"GT-PZ-{transfer.id:06d}",
                            paid_on=dt.date(2026, 1, 5) + dt.timedelta(days=i),
                            second_officer_above=Decimal(5000))
    return counter

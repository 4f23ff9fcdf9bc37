"""Writing balanced journal entries and the stored totals they change, in one step."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from webapp.models import User, utcnow
from webapp.models.ledger import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    Phase,
    Side,
)
from webapp.services import audit

COLUMNS = {
    (Side.DEBIT, Phase.PENDING): "debits_pending",
    (Side.DEBIT, Phase.POSTED): "debits_posted",
    (Side.CREDIT, Phase.PENDING): "credits_pending",
    (Side.CREDIT, Phase.POSTED): "credits_posted",
}

Change = tuple[LedgerAccount, Side, Phase, Decimal]


def write_entry(session: Session, actor: User | None, transfer: MoneyTransfer, action: str,
                changes: list[Change]) -> JournalEntry:
    """Append one journal entry and apply its lines to the stored totals."""
    for phase in Phase:
        debits = sum((d for _, s, p, d in changes if s is Side.DEBIT and p is phase), Decimal(0))
        credits = sum((d for _, s, p, d in changes if s is Side.CREDIT and p is phase),
                      Decimal(0))
        if debits != credits:
            raise AssertionError(f"unbalanced journal entry for {action}")
    entry = JournalEntry(transfer_id=transfer.id, action=action, amount=transfer.amount,
                         actor_id=getattr(actor, "id", None), created_at=utcnow())
    session.add(entry)
    session.flush()
    for account, side, phase, delta in changes:
        column = COLUMNS[(side, phase)]
        # Add in SQL, not in Python: a stale in-memory total can never overwrite a newer one,
        # and the CHECK constraints judge the value actually stored.
        session.execute(update(LedgerAccount).where(LedgerAccount.id == account.id)
                        .values({column: getattr(LedgerAccount, column) + delta})
                        .execution_options(synchronize_session=False))
        session.add(JournalLine(entry_id=entry.id, account_id=account.id, side=side,
                                phase=phase, amount=delta))
    session.flush()
    for account, *_ in changes:
        session.expire(account, list(COLUMNS.values()) + ["updated_at"])
    return entry


def posted_transfer(session: Session, actor: User | None, kind: MoneyTransferKind,
                    debit: LedgerAccount,
                    credit: LedgerAccount, amount: Decimal, *, action: str, case_id: int | None = None,
                    reference: str = "", reverses_id: int | None = None) -> MoneyTransfer:
    """Create a transfer that is posted at once (opening, top-up, refund) and journal it."""
    now = utcnow()
    transfer = MoneyTransfer(kind=kind, status=MoneyTransferStatus.POSTED,
                             debit_account_id=debit.id, credit_account_id=credit.id,
                             amount=amount, case_id=case_id, reference=reference[:120],
                             created_by_id=getattr(actor, "id", None), created_at=now,
                             posted_by_id=getattr(actor, "id", None), posted_at=now,
                             reverses_id=reverses_id)
    session.add(transfer)
    session.flush()
    write_entry(session, actor, transfer, action, [
        (debit, Side.DEBIT, Phase.POSTED, amount), (credit, Side.CREDIT, Phase.POSTED, amount)])
    return transfer


def open_balance(session: Session, actor: User | None, account: LedgerAccount, amount: Decimal,
                 external: LedgerAccount) -> MoneyTransfer:
    """Post the opening balance of a newly opened source account from the outside world."""
    transfer = posted_transfer(session, actor, MoneyTransferKind.OPENING, external, account,
                               amount, action="open", reference="opening")
    audit.record(session, actor, "ledger.open", transfer,
                 summary={"account_id": account.id, "kind": account.kind.value,
                          "amount": str(amount)})
    return transfer


def top_up_from_outside(session: Session, actor: User | None, account: LedgerAccount,
                        amount: Decimal,
                        external: LedgerAccount, *, reference: str) -> MoneyTransfer:
    """Post money into a source account from the outside world (the caller holds the locks)."""
    transfer = posted_transfer(session, actor, MoneyTransferKind.TOP_UP, external, account,
                               amount, action="top_up", reference=reference)
    audit.record(session, actor, "ledger.top_up", transfer,
                 summary={"account_id": account.id, "amount": str(amount)})
    return transfer

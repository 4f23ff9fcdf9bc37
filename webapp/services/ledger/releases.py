"""Releasing the money still reserved for a case that has ended.

When a case is withdrawn, refused, rejected or closed, every pending transfer for it (a
reservation, or a help-first payment not yet paid out) is voided in the same transaction,
through the ordinary void path: the audit head, the transfer and its accounts are locked in
the established order, and each void writes one journal entry and one audit event, with an
automatic reason. One more audit event on the case lists what was released. Money already
disbursed is never touched here: taking it back is a refund, which an officer decides.

A help-first payment still awaiting verification is reversed rather than just voided, so it
does not stay on the ledger pages as a payment waiting for a verdict. On a rejection the
help-first module reverses those itself (and refunds the ones already paid); whatever is
still pending afterwards is released here, whichever of the two handlers runs first.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Case, User
from webapp.models.ledger import (
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    Verification,
)
from webapp.services import audit, events
from webapp.services.ledger import accounts, green_channel, transfers

#: How a case ended (``CaseEnded.reason``), and the reason written on each transfer they release.
RELEASE_REASONS = {
    "withdraw": "个案已撤回，预留自动释放",
    "close": "个案已办结，预留自动释放",
    "reject": "个案不予救助，预留自动释放",
    "refuse": "个案不予受理，预留自动释放",
}


def pending_transfers(session: Session, case: Case) -> list[MoneyTransfer]:
    """The case's reservations and help-first payments neither disbursed nor voided yet."""
    return list(session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.case_id == case.id,
        MoneyTransfer.status == MoneyTransferStatus.PENDING,
        MoneyTransfer.kind.in_(list(transfers.PAYING_KINDS))).order_by(MoneyTransfer.id)))


def release_case_reservations(session: Session, actor: User | None, case: Case, *, reason: str
                              ) -> list[MoneyTransfer]:
    """Void every pending transfer of ``case`` with ``reason``; return the released ones."""
    accounts.serialize_writes(session)
    released = []
    for transfer in pending_transfers(session, case):
        if (transfer.kind is MoneyTransferKind.GREEN_CHANNEL
                and transfer.verification is Verification.UNVERIFIED):
            green_channel.reverse(session, actor, transfer, reason=reason)
        else:
            transfers.void(session, actor, transfer, reason=reason)
        released.append(transfer)
    if released:
        audit.record(session, actor, "ledger.release", case, summary={
            "case_status": case.status.value,
            "transfer_ids": [t.id for t in released],
            "amount": str(sum((t.amount for t in released), Decimal("0.00")))})
    return released


def on_case_ended(session: Session, event: events.CaseEnded) -> events.Effects:
    return events.Effects(released=release_case_reservations(
        session, event.actor, event.case, reason=RELEASE_REASONS[event.reason]))

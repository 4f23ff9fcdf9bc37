"""Help-first payments (先行救助) from the reserve, confirmed or reversed after verification.

The case area publishes ``EmergencyAidGranted`` (with ``case``, ``actor`` and ``amount``) when
an officer grants help before verification: the reserve pays it as a pending transfer. When the
case is later approved the payment is confirmed and kept; when it is rejected the payment is
reversed with a record: voided while still pending, refunded to the reserve once paid.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Case, User
from webapp.models.ledger import MoneyTransfer, MoneyTransferKind, MoneyTransferStatus, Verification
from webapp.services import ConflictError, DomainError, audit, events
from webapp.services.ledger import transfers

REVERSAL_REASON = "核查未通过，先行救助冲回"


def green_channel_key(case: Case) -> str:
    return f"green-channel:case:{case.id}"


def pay_help_first(session: Session, actor: User | None, case: Case, amount: Decimal
                   ) -> MoneyTransfer:
    """Pay a help-first amount for ``case`` from the reserve (once per case)."""
    return transfers.reserve_for_case(
        session, actor, source="reserve", source_id=None, case=case, amount=amount,
        reference=f"先行救助 {case.number}", idempotency_key=green_channel_key(case),
        kind=MoneyTransferKind.GREEN_CHANNEL)


def unverified_payments(session: Session, case: Case) -> list[MoneyTransfer]:
    return list(session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.case_id == case.id, MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL,
        MoneyTransfer.verification == Verification.UNVERIFIED).order_by(MoneyTransfer.id)))


def confirm(session: Session, actor: User | None, transfer: MoneyTransfer) -> MoneyTransfer:
    """Verification upheld the help-first payment: keep it (pending ones still get disbursed)."""
    _require_unverified(transfer)
    transfer.verification = Verification.CONFIRMED
    session.flush()
    audit.record(session, actor, "ledger.green_channel.confirm", transfer,
                 summary={"amount": str(transfer.amount), "status": transfer.status.value,
                          "case_id": transfer.case_id})
    return transfer


def reverse(session: Session, actor: User | None, transfer: MoneyTransfer, *,
            reason: str = REVERSAL_REASON) -> MoneyTransfer:
    """Verification did not uphold the payment: void it, or refund it to the reserve if paid."""
    _require_unverified(transfer)
    reason = (reason or "").strip() or REVERSAL_REASON
    if transfer.status is MoneyTransferStatus.PENDING:
        transfers.void(session, actor, transfer, reason=reason)
    else:
        left = transfer.amount - transfers.refunded_amount(session, transfer)
        if left > 0:
            transfers.refund(session, actor, transfer, left, reason=reason)
    transfer.verification = Verification.REVERSED
    session.flush()
    audit.record(session, actor, "ledger.green_channel.reverse", transfer,
                 summary={"amount": str(transfer.amount), "case_id": transfer.case_id})
    return transfer


def _require_unverified(transfer: MoneyTransfer) -> None:
    if transfer.kind is not MoneyTransferKind.GREEN_CHANNEL:
        raise ConflictError("该笔款项不是先行救助")
    if transfer.verification is not Verification.UNVERIFIED:
        raise ConflictError("该笔先行救助已确认或已冲回")


def on_emergency_aid(session: Session, event: events.EmergencyAidGranted) -> None:
    if event.amount is None:
        return
    try:
        value = Decimal(str(event.amount))
    except ArithmeticError:
        raise DomainError("先行救助金额格式不正确", field="amount") from None
    if value > 0:
        pay_help_first(session, event.actor, event.case, value)


def on_case_approved(session: Session, event: events.CaseApproved) -> None:
    for transfer in unverified_payments(session, event.case):
        confirm(session, event.actor, transfer)


def on_case_ended(session: Session, event: events.CaseEnded) -> events.Effects | None:
    """A rejected case: verification did not uphold its help-first payments. The ones still
    pending are voided (released); the ones paid out are refunded to the reserve."""
    if event.reason != "reject":
        return None
    released = []
    for transfer in unverified_payments(session, event.case):
        pending = transfer.status is MoneyTransferStatus.PENDING
        reverse(session, event.actor, transfer)
        if pending:
            released.append(transfer)
    return events.Effects(released=released)

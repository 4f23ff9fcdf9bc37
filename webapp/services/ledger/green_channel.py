"""Help-first payments (先行救助) from the reserve, confirmed or reversed after verification.

The case area publishes ``EmergencyAidGranted`` (with ``case``, ``actor`` and ``amount``) when
an officer grants help before verification: the reserve pays it as a pending transfer. When the
case is later approved the payment is confirmed and kept; when it is rejected the payment is
reversed with a record: voided while still pending, refunded to the reserve once paid.

A confirmed payment is paid within ``EMERGENCY_PAYMENT_DAYS`` working days of its confirmation
(overdue ones show on the supervision board) or reversed by an officer who gives a reason; a
case holding a confirmed but unpaid payment cannot be closed or withdrawn until then.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from webapp.models import Case, User, utcnow
from webapp.models.ledger import (
    AccountKind,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    Verification,
)
from webapp.services import ConflictError, DomainError, audit, events, need_account
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings
from webapp.services.ledger import accounts, transfers

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
    transfer.verified_at = utcnow()
    session.flush()
    audit.record(session, actor, "ledger.green_channel.confirm", transfer,
                 summary={"amount": str(transfer.amount), "status": transfer.status.value,
                          "case_id": transfer.case_id})
    return transfer


def reverse(session: Session, actor: User | None, transfer: MoneyTransfer, *, reason: str = REVERSAL_REASON
            ) -> MoneyTransfer:
    """Take a help-first payment back: void it while pending, refund it to the reserve if paid.

    An unverified payment is reversed when verification does not uphold it. A confirmed one
    that has not been paid may only be reversed by an officer who writes down why.
    """
    if transfer.kind is not MoneyTransferKind.GREEN_CHANNEL:
        raise ConflictError("该笔款项不是先行救助")
    confirmed = transfer.verification is Verification.CONFIRMED
    if confirmed:
        if transfer.status is not MoneyTransferStatus.PENDING:
            raise ConflictError("该笔先行救助已拨付，如需收回请办理退回")
        if not (reason or "").strip() or reason == REVERSAL_REASON:
            raise DomainError("冲回已确认的先行救助须填写理由", field="reason")
    else:
        _require_unverified(transfer)
    reason = (reason or "").strip() or REVERSAL_REASON
    if transfer.status is MoneyTransferStatus.PENDING:
        transfers.void(session, actor, transfer, reason=reason)
    else:
        left = transfer.amount - transfers.refunded_amount(session, transfer)
        if left > 0:
            transfers.refund(session, actor, transfer, left, reason=reason)
    transfer.verification = Verification.REVERSED
    transfer.verified_at = utcnow()
    session.flush()
    audit.record(session, actor, "ledger.green_channel.reverse", transfer,
                 summary={"amount": str(transfer.amount), "case_id": transfer.case_id,
                          "was_confirmed": confirmed})
    return transfer


def _require_unverified(transfer: MoneyTransfer) -> None:
    if transfer.kind is not MoneyTransferKind.GREEN_CHANNEL:
        raise ConflictError("该笔款项不是先行救助")
    if transfer.verification is not Verification.UNVERIFIED:
        raise ConflictError("该笔先行救助已确认或已冲回")


def confirmed_unpaid(session: Session, case: Case) -> list[MoneyTransfer]:
    """The case's help-first payments confirmed by verification but not paid yet."""
    return list(session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.case_id == case.id, MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL,
        MoneyTransfer.verification == Verification.CONFIRMED,
        MoneyTransfer.status == MoneyTransferStatus.PENDING).order_by(MoneyTransfer.id)))


def require_settled(session: Session, case: Case, *, doing: str) -> None:
    """Refuse to end a case while a confirmed help-first payment is still unpaid: it must be
    paid, or reversed by an officer with a reason, first (never voided silently)."""
    unpaid = confirmed_unpaid(session, case)
    if unpaid:
        total = sum((t.amount for t in unpaid), Decimal("0.00"))
        numbers = "、".join(f"#{t.id}" for t in unpaid)
        raise ConflictError(
            "该个案有已确认但尚未拨付的先行救助 ¥%(total)s（款项 %(numbers)s），不能%(doing)s。"
            "请先在资金台账中拨付该笔款项，或由工作人员填写理由冲回，然后再%(doing)s。",
            total=f"{total:,.2f}", numbers=numbers, doing=doing)


@dataclass(frozen=True)
class OverduePayment:
    """A confirmed help-first payment not paid within the configured working days."""

    transfer: MoneyTransfer
    due_on: dt.date


def overdue_payments(session: Session, *, today: dt.date, settings: CaseSettings,
                     payment_days_on: Callable[[dt.date], int] | None = None
                     ) -> list[OverduePayment]:
    """Confirmed, unpaid help-first payments whose payment deadline has passed, oldest first.
    ``payment_days_on(day)`` gives the limit in force when a payment's clock started (so a
    later change of the county's rule does not move it); without it, today's limit."""
    rows = session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL,
        MoneyTransfer.verification == Verification.CONFIRMED,
        MoneyTransfer.status == MoneyTransferStatus.PENDING).order_by(MoneyTransfer.id)
        .options(joinedload(MoneyTransfer.case)))
    found = []
    for transfer in rows:
        since = deadlines.local_date(transfer.verified_at or transfer.created_at)
        days = payment_days_on(since) if payment_days_on else settings.emergency_payment_days
        due = deadlines.add_working_days(since, days, settings)
        if due < today:
            found.append(OverduePayment(transfer, due))
    return sorted(found, key=lambda o: (o.due_on, o.transfer.id))


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
    # The ledger's own figure of what the case needs follows the approval (a help-first
    # payment opened the account at the reported amount).
    account = accounts.find_account(session, AccountKind.CASE, event.case.id)
    if account is not None:
        account.needed = need_account.needed_amount(event.case)


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

"""Moving money: reserve for a case, disburse (post), void, second sign-off, refund, top up.

Every function validates first, then locks the accounts it touches, re-checks against the
fresh totals, writes one balanced journal entry with the new totals and one audit event, and
flushes. The database CHECK constraints stand behind the checks made here.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import TERMINAL_STATUSES, Case, User, utcnow
from webapp.models.ledger import (
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    PaymentMethod,
    Phase,
    Side,
    Verification,
    Voucher,
)
from webapp.services import (
    ConflictError,
    DomainError,
    Msg,
    NotFoundError,
    PermissionDeniedError,
    audit,
    events,
    need_account,
)
from webapp.services.ledger import accounts, journal, schemes
from webapp.services.ledger.amounts import parse_amount

PAYING_KINDS = frozenset({MoneyTransferKind.RESERVATION, MoneyTransferKind.GREEN_CHANNEL})


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def reserve_for_case(session: Session, actor: User | None, *, source: str, source_id: int | None,
                     case: Case, amount: object, reference: str, idempotency_key: str | None = None,
                     proposed_by_id: int | None = None,
                     kind: MoneyTransferKind = MoneyTransferKind.RESERVATION) -> MoneyTransfer:
    """Reserve ``amount`` from a fund, project, scheme or the reserve for ``case`` (pending).

    A second call with the same ``idempotency_key`` returns the first transfer and changes
    nothing. ``proposed_by_id`` is whoever proposed the pairing: they may not approve it.
    """
    amount = parse_amount(amount)
    if case is None:
        raise NotFoundError("个案不存在")
    if case.status in TERMINAL_STATUSES:
        raise DomainError("个案已结案或已终止，不能再预留资金")
    if proposed_by_id is not None and getattr(actor, "id", None) == proposed_by_id:
        raise PermissionDeniedError("不能审批自己提出的方案")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 128:
        raise DomainError("幂等键长度应为 1–128 个字符", field="idempotency_key")
    accounts.serialize_writes(session)
    if idempotency_key:
        existing = session.scalars(select(MoneyTransfer).where(
            MoneyTransfer.idempotency_key == idempotency_key)).first()
        if existing is not None:
            if existing.case_id != case.id or existing.amount != amount:
                raise ConflictError("该幂等键已用于另一笔预留")
            return existing
    # Read the status again under the lock: a case that ended while this request waited has
    # had its reservations released, and must not get a new one.
    if session.scalar(select(Case.status).where(Case.id == case.id)) in TERMINAL_STATUSES:
        raise DomainError("个案已结案或已终止，不能再预留资金")
    src = accounts.source_account(session, source, source_id)
    dst = accounts.case_account(session, case)
    accounts.lock_accounts(session, src, dst)
    if amount > src.available:
        raise DomainError("可用余额不足：%(account)s 当前可用 %(amount)s 元",
                          field="amount", account=src.name, amount=_yuan(src.available))
    # The cap is the remainder of the case's one account of help: its approved amount (the
    # reported one before approval) less money from every channel and confirmed pledges.
    help_now = need_account.help_account(session, case)
    if amount > help_now.gap:
        raise DomainError("超过个案尚缺金额：尚缺 %(gap)s 元", field="amount",
                          gap=_yuan(help_now.gap))
    # A scheme's own standard (min/max, times per year) unless the joint conference decided.
    decision = schemes.check_scheme_grant(session, src, case, amount, now=utcnow())
    dst.needed = help_now.needed
    transfer = MoneyTransfer(
        kind=kind, status=MoneyTransferStatus.PENDING, debit_account_id=src.id,
        credit_account_id=dst.id, amount=amount, case_id=case.id, reference=reference[:120],
        idempotency_key=idempotency_key, created_by_id=getattr(actor, "id", None),
        created_at=utcnow(),
        verification=Verification.UNVERIFIED if kind is MoneyTransferKind.GREEN_CHANNEL else None)
    session.add(transfer)
    session.flush()
    journal.write_entry(session, actor, transfer, "reserve", [
        (src, Side.DEBIT, Phase.PENDING, amount), (dst, Side.CREDIT, Phase.PENDING, amount)])
    audit.record(session, actor, "ledger.reserve", transfer, summary={
        "kind": kind.value, "source": src.kind.value, "source_account_id": src.id,
        "case_id": case.id, "amount": str(amount), "reference": reference[:120],
        **({"conference_item_id": decision.id} if decision is not None else {})})
    need_account.reindex_case(session, case.id)
    return transfer


def _locked_transfer(session: Session, transfer: MoneyTransfer) -> MoneyTransfer:
    accounts.serialize_writes(session)
    fresh = session.scalars(select(MoneyTransfer).where(MoneyTransfer.id == transfer.id)
                            .with_for_update().execution_options(populate_existing=True)).one()
    accounts.lock_accounts(session, fresh.debit_account, fresh.credit_account)
    return fresh


def _require_pending(transfer: MoneyTransfer, doing: str) -> None:
    if transfer.kind not in PAYING_KINDS:
        raise ConflictError("该笔记录不是预留款项")
    if transfer.status is MoneyTransferStatus.VOIDED:
        raise ConflictError("该笔预留已作废，不能%(doing)s", doing=doing)
    if transfer.status is MoneyTransferStatus.POSTED:
        raise ConflictError("该笔款项已拨付，不能%(doing)s", doing=doing)


def second_approve(session: Session, actor: User, transfer: MoneyTransfer) -> MoneyTransfer:
    """A second officer signs off a pending payment (needed above the configured threshold)."""
    transfer = _locked_transfer(session, transfer)
    _require_pending(transfer, "复核")
    if transfer.second_approver_id is not None:
        raise ConflictError("该笔款项已复核")
    if actor.id == transfer.created_by_id:
        raise PermissionDeniedError("审批人不能复核自己审批的款项")
    transfer.second_approver_id = actor.id
    transfer.second_approved_at = utcnow()
    session.flush()
    audit.record(session, actor, "ledger.second_approval", transfer,
                 summary={"amount": str(transfer.amount)})
    return transfer


def _validate_payment(payee: str | None, method: PaymentMethod | str | None,
                      voucher_number: str | None, paid_on: dt.date | None
                      ) -> tuple[str, PaymentMethod, str, dt.date]:
    errors: dict[str, list[str | Msg]] = {}
    payee = (payee or "").strip()
    if not payee:
        errors["payee"] = ["请填写收款人"]
    elif len(payee) > 200:
        errors["payee"] = [Msg("收款人最多 200 个字符")]
    chosen: PaymentMethod | None = None
    try:
        chosen = PaymentMethod(method)
    except ValueError:
        errors["method"] = ["请选择支付方式"]
    voucher_number = (voucher_number or "").strip()
    if not voucher_number:
        errors["voucher_number"] = ["请填写凭证号"]
    elif len(voucher_number) > 40:
        errors["voucher_number"] = [Msg("凭证号最多 40 个字符")]
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = ["请填写支付日期"]
    elif paid_on > dt.date.today() + dt.timedelta(days=1):
        errors["paid_on"] = [Msg("支付日期不能晚于今天")]
    # A missing method or date has an error above; naming them narrows their types.
    if errors or chosen is None or paid_on is None:
        first = next(iter(errors.values()))[0]
        raise DomainError(first.msgid if isinstance(first, Msg) else first, errors=errors,
                          **(first.params if isinstance(first, Msg) else {}))
    return payee, chosen, voucher_number, paid_on


def disburse(session: Session, actor: User, transfer: MoneyTransfer, *, payee: str | None,
             method: PaymentMethod | str | None, voucher_number: str | None,
             paid_on: dt.date | None, second_officer_above: Decimal) -> MoneyTransfer:
    """Post a pending transfer: the money is paid to ``payee`` under a voucher number."""
    payee, method, voucher_number, paid_on = _validate_payment(payee, method, voucher_number,
                                                               paid_on)
    transfer = _locked_transfer(session, transfer)
    _require_pending(transfer, "拨付")
    if actor.id == transfer.created_by_id:
        raise PermissionDeniedError("不能拨付自己审批的款项")
    if transfer.amount > second_officer_above:
        if transfer.second_approver_id is None:
            raise ConflictError(
                "超过 %(amount)s 元的拨付需要另一名工作人员复核",
                amount=_yuan(second_officer_above))
        if actor.id == transfer.second_approver_id:
            raise PermissionDeniedError("复核人不能同时拨付该笔款项")
    if session.scalars(select(Voucher.id).where(Voucher.number == voucher_number)).first():
        raise ConflictError("凭证号已存在", field="voucher_number")
    now = utcnow()
    transfer.status = MoneyTransferStatus.POSTED
    transfer.posted_by_id, transfer.posted_at = actor.id, now
    amount = transfer.amount
    journal.write_entry(session, actor, transfer, "post", [
        (transfer.debit_account, Side.DEBIT, Phase.PENDING, -amount),
        (transfer.debit_account, Side.DEBIT, Phase.POSTED, amount),
        (transfer.credit_account, Side.CREDIT, Phase.PENDING, -amount),
        (transfer.credit_account, Side.CREDIT, Phase.POSTED, amount)])
    session.add(Voucher(number=voucher_number, transfer_id=transfer.id, method=method,
                        payee=payee, paid_on=paid_on, amount=amount, issued_by_id=actor.id,
                        issued_at=now))
    session.flush()
    audit.record(session, actor, "ledger.disburse", transfer, summary={
        "amount": str(amount), "method": method.value, "voucher_number": voucher_number,
        "case_id": transfer.case_id})
    events.publish(session, events.PaymentPosted(
        session.get(Case, transfer.case_id) if transfer.case_id else None, amount, actor))
    return transfer


def void(session: Session, actor: User | None, transfer: MoneyTransfer, *,
         reason: str) -> MoneyTransfer:
    """Release a pending reservation; the money becomes available again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因", field="reason")
    if len(reason) > 500:
        raise DomainError("作废原因最多 500 个字符", field="reason")
    transfer = _locked_transfer(session, transfer)
    if transfer.status is MoneyTransferStatus.VOIDED:
        raise ConflictError("该笔预留已作废，不能重复作废")
    if transfer.status is MoneyTransferStatus.POSTED:
        raise ConflictError("已拨付的款项不能作废，请办理退回")
    _void_locked(session, actor, transfer, reason)
    return transfer


def _void_locked(session: Session, actor: User | None, transfer: MoneyTransfer,
                 reason: str) -> None:
    transfer.status = MoneyTransferStatus.VOIDED
    transfer.voided_by_id, transfer.voided_at = getattr(actor, "id", None), utcnow()
    transfer.void_reason = reason[:500]
    amount = transfer.amount
    journal.write_entry(session, actor, transfer, "void", [
        (transfer.debit_account, Side.DEBIT, Phase.PENDING, -amount),
        (transfer.credit_account, Side.CREDIT, Phase.PENDING, -amount)])
    audit.record(session, actor, "ledger.void", transfer,
                 summary={"amount": str(amount), "case_id": transfer.case_id})
    need_account.reindex_case(session, transfer.case_id)


def refunded_amount(session: Session, transfer: MoneyTransfer) -> Decimal:
    """How much of a posted transfer has been returned so far."""
    return session.scalar(select(func.coalesce(func.sum(MoneyTransfer.amount), 0)).where(
        MoneyTransfer.reverses_id == transfer.id,
        MoneyTransfer.kind == MoneyTransferKind.REFUND)) or Decimal(0)


def refund(session: Session, actor: User | None, transfer: MoneyTransfer, amount: object, *,
           reason: str) -> MoneyTransfer:
    """Return (part of) a disbursed payment from the case to the account that paid it."""
    amount = parse_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", field="reason")
    transfer = _locked_transfer(session, transfer)
    if transfer.kind not in PAYING_KINDS or transfer.status is not MoneyTransferStatus.POSTED:
        raise ConflictError("只有已拨付的款项可以退回")
    left = transfer.amount - refunded_amount(session, transfer)
    if amount > left:
        raise DomainError("退回金额超过可退金额 %(amount)s 元", field="amount",
                          amount=_yuan(left))
    back = journal.posted_transfer(
        session, actor, MoneyTransferKind.REFUND, transfer.credit_account,
        transfer.debit_account, amount, action="refund", case_id=transfer.case_id,
        reference=reason[:120], reverses_id=transfer.id)
    audit.record(session, actor, "ledger.refund", back,
                 summary={"amount": str(amount), "refunds": transfer.id,
                          "case_id": transfer.case_id})
    need_account.reindex_case(session, transfer.case_id)
    return back


def top_up(session: Session, actor: User | None, *, source: str, source_id: int | None,
           amount: object, reference: str) -> MoneyTransfer:
    """Add money to a fund, project, scheme or the reserve from outside the ledger."""
    amount = parse_amount(amount)
    accounts.serialize_writes(session)
    target = accounts.source_account(session, source, source_id)
    external = accounts.external_account(session)
    accounts.lock_accounts(session, target, external)
    return journal.top_up_from_outside(session, actor, target, amount, external,
                                       reference=(reference or "")[:120])


def get_transfer(session: Session, transfer_id: int) -> MoneyTransfer:
    transfer = session.get(MoneyTransfer, transfer_id)
    if transfer is None:
        raise NotFoundError("款项记录不存在")
    return transfer

"""The money ledger in the JSON API: accounts and their journals, money transfers and the
officer actions on them (reserve, second approval, disburse, void, refund, top up)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from webapp.api.idempotency import IDEMPOTENCY_HEADER, idempotent
from webapp.api.schemas import INT32, PageArgs, PageMeta, page_meta
from webapp.extensions import db
from webapp.ledger.settings import second_officer_threshold
from webapp.models import Case
from webapp.models.ledger import (
    AccountKind,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferStatus,
    PaymentMethod,
)
from webapp.permissions import (
    LEDGER_BALANCE_READERS,
    LEDGER_READERS,
    R,
    access,
    can_view_ledger_account,
    roles,
)
from webapp.services import DomainError, NotFoundError, ledger

blp = Blueprint("api_ledger", __name__, url_prefix="/api/v1", description="资金台账")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class Amount(fields.Field):
    """A money amount in yuan: a JSON string or number, positive, at most two decimals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "format": "decimal", "example": "1200.00"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return ledger.parse_amount(value)
        except DomainError as exc:
            raise ValidationError(exc.message) from None


class LedgerAccountOut(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda a: a.kind.value)
    name = fields.String()
    owner_id = fields.Integer()
    total = Amount(dump_only=True)
    reserved = Amount(dump_only=True)
    disbursed = Amount(dump_only=True)
    available = Amount(dump_only=True)
    needed = Amount(dump_only=True, allow_none=True)
    approved_total = Amount(dump_only=True)


class LedgerAccountPage(Schema):
    items = fields.List(fields.Nested(LedgerAccountOut))
    meta = fields.Nested(PageMeta)


class LedgerAccountArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in AccountKind]))


class LedgerVoucherOut(Schema):
    number = fields.String()
    method = fields.Function(lambda v: v.method.value)
    paid_on = fields.Date()
    amount = Amount(dump_only=True)


class MoneyTransferOut(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda t: t.kind.value)
    status = fields.Function(lambda t: t.status.value)
    amount = Amount(dump_only=True)
    source_account_id = fields.Integer(attribute="debit_account_id")
    target_account_id = fields.Integer(attribute="credit_account_id")
    case_number = fields.Function(lambda t: t.case.number if t.case else None)
    reference = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    second_approver_id = fields.Integer(allow_none=True)
    second_approved_at = fields.DateTime(allow_none=True)
    posted_by_id = fields.Integer(allow_none=True)
    posted_at = fields.DateTime(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    verification = fields.Function(lambda t: t.verification.value if t.verification else None)
    voucher = fields.Nested(LedgerVoucherOut, allow_none=True)


class MoneyTransferPage(Schema):
    items = fields.List(fields.Nested(MoneyTransferOut))
    meta = fields.Nested(PageMeta)


class MoneyTransferArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in MoneyTransferStatus]))
    case_id = fields.Integer(validate=INT32)


class LedgerJournalLineOut(Schema):
    entry_id = fields.Integer()
    transfer_id = fields.Function(lambda line: line.entry.transfer_id)
    action = fields.Function(lambda line: line.entry.action)
    side = fields.Function(lambda line: line.side.value)
    phase = fields.Function(lambda line: line.phase.value)
    amount = fields.Function(lambda line: f"{line.amount:.2f}",
                             metadata={"type": "string", "format": "decimal"})
    case_number = fields.Function(
        lambda line: line.entry.transfer.case.number if line.entry.transfer.case else None)
    actor_id = fields.Function(lambda line: line.entry.actor_id)
    created_at = fields.Function(lambda line: line.entry.created_at.isoformat(),
                                 metadata={"type": "string", "format": "date-time"})


class LedgerJournalPage(Schema):
    items = fields.List(fields.Nested(LedgerJournalLineOut))
    meta = fields.Nested(PageMeta)


class MoneyReserveIn(Schema):
    source = fields.String(required=True,
                           validate=validate.OneOf(["fund", "project", "scheme", "reserve"]))
    source_id = fields.Integer(load_default=None, validate=INT32)
    case_id = fields.Integer(required=True, validate=INT32)
    amount = Amount(required=True)
    reference = fields.String(load_default="", validate=validate.Length(max=120))


class MoneyDisburseIn(Schema):
    payee = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          load_only=True)
    method = fields.String(required=True,
                           validate=validate.OneOf([m.value for m in PaymentMethod]))
    voucher_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    paid_on = fields.Date(required=True)


class MoneyReasonIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MoneyRefundIn(MoneyReasonIn):
    amount = Amount(required=True)


class MoneyTopUpIn(Schema):
    amount = Amount(required=True)
    reference = fields.String(load_default="", validate=validate.Length(max=120))


def _account(account_id: int) -> LedgerAccount:
    account = db.session.get(LedgerAccount, account_id)
    if account is None:
        raise NotFoundError("账户不存在")
    if not can_view_ledger_account(current_user, account):
        abort(403)
    return account


@blp.route("/accounts")
@access(roles(*LEDGER_READERS))
@blp.arguments(LedgerAccountArgs, location="query")
@blp.response(200, LedgerAccountPage)
@blp.doc(security=BEARER)
def list_accounts(args):
    """Ledger accounts with their balances."""
    stmt = select(LedgerAccount).order_by(LedgerAccount.kind, LedgerAccount.id)
    if args.get("kind"):
        stmt = stmt.where(LedgerAccount.kind == AccountKind(args["kind"]))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/accounts/<int:account_id>")
@access(roles(*LEDGER_BALANCE_READERS))
@blp.response(200, LedgerAccountOut)
@blp.alt_response(404, description="账户不存在")
@blp.doc(security=BEARER)
def get_account(account_id: int):
    """One ledger account: total, reserved, disbursed, available."""
    return _account(account_id)


@blp.route("/accounts/<int:account_id>/journal")
@access(roles(*LEDGER_BALANCE_READERS))
@blp.arguments(PageArgs, location="query")
@blp.response(200, LedgerJournalPage)
@blp.alt_response(404, description="账户不存在")
@blp.doc(security=BEARER)
def account_journal(args, account_id: int):
    """The journal lines of one account, newest first (case numbers only, no personal data)."""
    account = _account(account_id)
    stmt = (select(JournalLine).join(JournalEntry).where(JournalLine.account_id == account.id)
            .order_by(JournalLine.id.desc()))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/accounts/<int:account_id>/top-ups", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.arguments(MoneyTopUpIn)
@blp.response(201, MoneyTransferOut)
@blp.doc(security=BEARER)
def top_up(body, account_id: int):
    """Add money to a fund, project, scheme or the reserve from outside the ledger."""
    account = _account(account_id)
    if account.kind not in (AccountKind.FUND, AccountKind.PROJECT, AccountKind.SCHEME,
                            AccountKind.RESERVE):
        raise DomainError("只能向资金来源账户充值")
    return ledger.top_up(db.session, current_user, source=account.kind.value,
                         source_id=account.owner_id, amount=body["amount"],
                         reference=body["reference"])


@blp.route("/money-transfers")
@access(roles(*LEDGER_READERS))
@blp.arguments(MoneyTransferArgs, location="query")
@blp.response(200, MoneyTransferPage)
@blp.doc(security=BEARER)
def list_transfers(args):
    """Money transfers, newest first."""
    stmt = select(MoneyTransfer).order_by(MoneyTransfer.id.desc())
    if args.get("status"):
        stmt = stmt.where(MoneyTransfer.status == MoneyTransferStatus(args["status"]))
    if args.get("case_id"):
        stmt = stmt.where(MoneyTransfer.case_id == args["case_id"])
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/money-transfers", methods=["POST"], parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.arguments(MoneyReserveIn)
@blp.response(201, MoneyTransferOut)
@blp.alt_response(400, description="金额无效、余额不足或超过个案尚缺金额")
@blp.doc(security=BEARER)
def reserve(body):
    """Reserve money from a fund, project, scheme or the reserve for a case (pending)."""
    case = db.session.get(Case, body["case_id"])
    if case is None:
        raise NotFoundError("个案不存在")
    return ledger.reserve_for_case(
        db.session, current_user, source=body["source"], source_id=body["source_id"],
        case=case, amount=body["amount"], reference=body["reference"])


@blp.route("/money-transfers/<int:transfer_id>")
@access(roles(*LEDGER_READERS))
@blp.response(200, MoneyTransferOut)
@blp.doc(security=BEARER)
def get_transfer(transfer_id: int):
    """One money transfer."""
    return ledger.get_transfer(db.session, transfer_id)


@blp.route("/money-transfers/<int:transfer_id>/second-approval", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.response(200, MoneyTransferOut)
@blp.alt_response(409, description="已复核、已拨付或已作废")
@blp.doc(security=BEARER)
def second_approval(transfer_id: int):
    """A second officer signs off a payment above the threshold."""
    transfer = ledger.get_transfer(db.session, transfer_id)
    return ledger.second_approve(db.session, current_user, transfer)


@blp.route("/money-transfers/<int:transfer_id>/disburse", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.arguments(MoneyDisburseIn)
@blp.response(200, MoneyTransferOut)
@blp.alt_response(409, description="已拨付、已作废，或尚需复核")
@blp.doc(security=BEARER)
def disburse(body, transfer_id: int):
    """Pay a reserved transfer: payee, method, voucher number and date (posts it)."""
    transfer = ledger.get_transfer(db.session, transfer_id)
    return ledger.disburse(db.session, current_user, transfer,
                           second_officer_above=second_officer_threshold(), **body)


@blp.route("/money-transfers/<int:transfer_id>/void", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.arguments(MoneyReasonIn)
@blp.response(200, MoneyTransferOut)
@blp.alt_response(409, description="已作废或已拨付")
@blp.doc(security=BEARER)
def void(body, transfer_id: int):
    """Release a reserved transfer; the money becomes available again."""
    transfer = ledger.get_transfer(db.session, transfer_id)
    return ledger.void(db.session, current_user, transfer, reason=body["reason"])


@blp.route("/money-transfers/<int:transfer_id>/refund", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(roles(R.OFFICER))
@idempotent
@blp.arguments(MoneyRefundIn)
@blp.response(201, MoneyTransferOut)
@blp.doc(security=BEARER)
def refund(body, transfer_id: int):
    """Return (part of) a disbursed payment to the account that paid it."""
    transfer = ledger.get_transfer(db.session, transfer_id)
    return ledger.refund(db.session, current_user, transfer, body["amount"],
                         reason=body["reason"])


BALANCE_NAMES = ("total", "reserved", "disbursed", "available")


def ledger_balances_schema(kind: str) -> type[Schema]:
    """A schema to mix into a fund's or project's output: its total, reserved, disbursed and
    available money from the ledger.

    Usage: ``class FundOut(ListingOut, ledger_balances_schema("fund"))``.
    """

    def balance(name: str):
        def read(obj):
            # One query per object, shared by the four fields.
            cache = obj.__dict__.setdefault("_ledger_balances", {})
            if kind not in cache:
                cache[kind] = ledger.balances_for(db.session, kind, obj.id)
            return f"{cache[kind][name]:.2f}"
        return fields.Function(read, metadata={"type": "string", "format": "decimal",
                                               "description": f"ledger {name} (yuan)"})

    return Schema.from_dict({name: balance(name) for name in BALANCE_NAMES},
                            name=f"{kind.title()}LedgerBalances")

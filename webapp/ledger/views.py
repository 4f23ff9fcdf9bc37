"""Views of the money pages: load → authorise → validate → service → commit → respond."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db
from webapp.ledger import bp, exports
from webapp.ledger.forms import ActionForm, AmountReasonForm, DisburseForm, ReasonForm, TopUpForm
from webapp.ledger.settings import second_officer_threshold
from webapp.models.ledger import (
    PAYMENT_METHOD_LABELS,
    SOURCE_KINDS,
    AccountKind,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    Voucher,
)
from webapp.models.resources import Scheme
from webapp.permissions import (
    LEDGER_BALANCE_READERS,
    LEDGER_READERS,
    R,
    access,
    can_read_ledger,
    can_view_ledger_account,
    roles,
)
from webapp.services import DomainError, ledger
from webapp.services.ledger import green_channel
from webapp.services.ledger.reserve import replenish_reserve

KIND_LABELS = {AccountKind.FUND: "公益基金", AccountKind.PROJECT: "慈善项目",
               AccountKind.SCHEME: "救助政策", AccountKind.RESERVE: "临时救助备用金",
               AccountKind.CASE: "个案", AccountKind.EXTERNAL: "外部资金"}
STATUS_LABELS = {MoneyTransferStatus.PENDING: "已预留", MoneyTransferStatus.POSTED: "已拨付",
                 MoneyTransferStatus.VOIDED: "已作废"}


@bp.app_context_processor
def _labels():
    return {"ledger_kind_labels": KIND_LABELS, "ledger_status_labels": STATUS_LABELS,
            "payment_method_labels": PAYMENT_METHOD_LABELS}


@bp.route("/")
@access(roles(*LEDGER_BALANCE_READERS))
def balances():
    kind = request.args.get("kind", "")
    stmt = select(LedgerAccount).where(LedgerAccount.kind.in_(SOURCE_KINDS))
    if kind in {k.value for k in SOURCE_KINDS}:
        stmt = stmt.where(LedgerAccount.kind == AccountKind(kind))
    if not can_read_ledger(current_user):
        stmt = stmt.where(LedgerAccount.kind.in_([AccountKind.FUND, AccountKind.PROJECT]),
                          LedgerAccount.organisation_id == current_user.organisation_id)
    page = db.paginate(stmt.order_by(LedgerAccount.kind, LedgerAccount.id), per_page=30,
                       error_out=False)
    return render_template("ledger/balances.html", page=page, kind=kind,
                           kinds=sorted(SOURCE_KINDS, key=lambda k: k.value))


def _account_or_404(account_id: int) -> LedgerAccount:
    account = db.session.get(LedgerAccount, account_id) or abort(404)
    if not can_view_ledger_account(current_user, account):
        abort(403)
    return account


def _render_account(account: LedgerAccount, *, top_up_form=None, status: int = 200):
    stmt = (select(JournalLine).join(JournalEntry).where(JournalLine.account_id == account.id)
            .order_by(JournalLine.id.desc()))
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template("ledger/account.html", account=account, page=page,
                           top_up_form=top_up_form or TopUpForm(),
                           can_top_up=current_user.has_role(R.OFFICER)
                           and account.kind in SOURCE_KINDS), status


@bp.route("/accounts/<int:account_id>")
@access(roles(*LEDGER_BALANCE_READERS))
def account(account_id: int):
    return _render_account(_account_or_404(account_id))


@bp.route("/accounts/<int:account_id>/top-up", methods=["POST"])
@access(roles(R.OFFICER))
def top_up(account_id: int):
    account = _account_or_404(account_id)
    if account.kind not in SOURCE_KINDS:
        abort(400)
    form = TopUpForm()
    if not form.validate_on_submit():
        return _render_account(account, top_up_form=form, status=400)
    try:
        ledger.top_up(db.session, current_user, source=account.kind.value,
                      source_id=account.owner_id, amount=form.amount.data,
                      reference=form.reference.data or "")
    except DomainError as exc:
        db.session.rollback()
        form.amount.errors.append(exc.message)
        return _render_account(db.session.get_one(LedgerAccount, account_id), top_up_form=form,
                               status=400)
    db.session.commit()
    flash(_("已入账"), "success")
    return redirect(url_for("ledger.account", account_id=account_id))


@bp.route("/transfers")
@access(roles(*LEDGER_READERS))
def transfers():
    status = request.args.get("status", "")
    stmt = select(MoneyTransfer).order_by(MoneyTransfer.id.desc())
    if status in {s.value for s in MoneyTransferStatus}:
        stmt = stmt.where(MoneyTransfer.status == MoneyTransferStatus(status))
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template("ledger/transfers.html", page=page, status=status)


def _transfer_or_404(transfer_id: int) -> MoneyTransfer:
    return db.session.get(MoneyTransfer, transfer_id) or abort(404)


def _render_transfer(transfer: MoneyTransfer, *, status: int = 200, **forms):
    forms.setdefault("disburse_form", DisburseForm())
    forms.setdefault("void_form", ReasonForm())
    forms.setdefault("refund_form", AmountReasonForm())
    forms.setdefault("reverse_form", ReasonForm())
    return render_template(
        "ledger/transfer.html", transfer=transfer, action_form=ActionForm(),
        threshold=second_officer_threshold(), is_officer=current_user.has_role(R.OFFICER),
        refunded=ledger.refunded_amount(db.session, transfer), **forms), status


@bp.route("/transfers/<int:transfer_id>")
@access(roles(*LEDGER_READERS))
def transfer(transfer_id: int):
    return _render_transfer(_transfer_or_404(transfer_id))


def _act(transfer_id: int, form, form_name: str | None, field: str | None, action,
         done: str):
    """Validate ``form``, run ``action(transfer, form)``, commit; on refusal re-show the page."""
    transfer = _transfer_or_404(transfer_id)
    shown = {form_name: form} if form_name else {}
    if not form.validate_on_submit():
        return _render_transfer(transfer, status=400, **shown)
    try:
        action(transfer, form)
    except DomainError as exc:
        db.session.rollback()
        transfer = _transfer_or_404(transfer_id)
        # A field-level refusal shows at its field; a refusal of the state (voided, posted…)
        # shows as a message, since the form may no longer be on the page.
        target = getattr(form, exc.field or "", None) or (
            getattr(form, field) if field and exc.status == 400 else None)
        if target is not None:
            target.errors = [*target.errors, exc.message]
        else:
            flash(exc.message, "danger")
        return _render_transfer(transfer, status=exc.status, **shown)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("ledger.transfer", transfer_id=transfer_id))


@bp.route("/transfers/<int:transfer_id>/disburse", methods=["POST"])
@access(roles(R.OFFICER))
def disburse(transfer_id: int):
    return _act(transfer_id, DisburseForm(), "disburse_form", "voucher_number",
                lambda t, f: ledger.disburse(
                    db.session, current_user, t, payee=f.payee.data, method=f.method.data,
                    voucher_number=f.voucher_number.data, paid_on=f.paid_on.data,
                    second_officer_above=second_officer_threshold()),
                _("已拨付"))


@bp.route("/transfers/<int:transfer_id>/void", methods=["POST"])
@access(roles(R.OFFICER))
def void(transfer_id: int):
    return _act(transfer_id, ReasonForm(), "void_form", "reason",
                lambda t, f: ledger.void(db.session, current_user, t, reason=f.reason.data),
                _("已作废，资金已释放"))


@bp.route("/transfers/<int:transfer_id>/second-approval", methods=["POST"])
@access(roles(R.OFFICER))
def second_approval(transfer_id: int):
    return _act(transfer_id, ActionForm(), None, None,
                lambda t, f: ledger.second_approve(db.session, current_user, t),
                _("已复核"))


@bp.route("/transfers/<int:transfer_id>/refund", methods=["POST"])
@access(roles(R.OFFICER))
def refund(transfer_id: int):
    return _act(transfer_id, AmountReasonForm(), "refund_form", "amount",
                lambda t, f: ledger.refund(db.session, current_user, t, f.amount.data,
                                           reason=f.reason.data),
                _("已退回"))


@bp.route("/transfers/<int:transfer_id>/confirm", methods=["POST"])
@access(roles(R.OFFICER))
def confirm_green_channel(transfer_id: int):
    return _act(transfer_id, ActionForm(), None, None,
                lambda t, f: green_channel.confirm(db.session, current_user, t),
                _("已确认先行救助"))


@bp.route("/transfers/<int:transfer_id>/reverse", methods=["POST"])
@access(roles(R.OFFICER))
def reverse_green_channel(transfer_id: int):
    return _act(transfer_id, ReasonForm(), "reverse_form", "reason",
                lambda t, f: green_channel.reverse(db.session, current_user, t,
                                                   reason=f.reason.data),
                _("已冲回先行救助"))


@bp.route("/vouchers")
@access(roles(*LEDGER_READERS))
def vouchers():
    page = db.paginate(select(Voucher).order_by(Voucher.id.desc()), per_page=30,
                       error_out=False)
    return render_template("ledger/vouchers.html", page=page)


@bp.route("/export/<dataset>.<fmt>")
@access(roles(*LEDGER_READERS))
def export(dataset: str, fmt: str):
    if dataset not in exports.DATASETS or fmt not in ("csv", "xlsx"):
        abort(404)
    return exports.download(db.session, dataset, fmt)


@bp.route("/reserve", methods=["GET", "POST"])
@access(roles(R.OFFICER))
def reserve():
    """The help-first reserve: its balance, and replenishing it from a scheme's budget."""
    typed = {k: request.form.get(k, "") for k in ("scheme_id", "amount", "reference")}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            transfer = replenish_reserve(db.session, current_user,
                                         scheme_id=typed["scheme_id"], amount=typed["amount"],
                                         reference=typed["reference"])
        except DomainError as exc:
            db.session.rollback()
            errors, status = exc.errors or {"amount": [exc.message]}, exc.status
        else:
            amount = transfer.amount
            db.session.commit()
            flash(_("已从救助政策预算补充备用金 %(a)s 元", a=f"{amount:,.2f}"), "success")
            return redirect(url_for("ledger.reserve"))
    account = ledger.reserve_account(db.session)
    schemes = []
    for scheme in db.session.scalars(select(Scheme).order_by(Scheme.code)):
        money = ledger.balances_for(db.session, "scheme", scheme.id)
        if money["total"] > 0:
            schemes.append((scheme, money["available"]))
    history = db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.credit_account_id == account.id,
        MoneyTransfer.kind == MoneyTransferKind.TOP_UP)
        .order_by(MoneyTransfer.id.desc()).limit(20)).all()
    db.session.commit()  # the reserve's account is opened on first sight
    return render_template("ledger/reserve.html", account=account,
                           money=ledger.balances(account), schemes=schemes, history=history,
                           typed=typed, errors=errors, form=ActionForm()), status

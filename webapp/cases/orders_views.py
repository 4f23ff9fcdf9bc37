"""Supervision orders (督办单): issue one from the board, reply to it, close it; flag a case
重大敏感."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.cases import bp
from webapp.cases.views import case_settings, load_case, render_detail, today
from webapp.extensions import db
from webapp.models import Organisation, SupervisionOrder, utcnow
from webapp.permissions import R, access, roles
from webapp.services import DomainError
from webapp.services.cases import orders
from webapp.services.doors import leads as door_leads

READERS = roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR)


def _labels() -> dict:
    return {"LEVEL_LABELS": orders.LEVEL_LABELS, "ORDER_STATUS_LABELS": orders.ORDER_STATUS_LABELS,
            "SUBJECT_LABELS": orders.SUBJECT_LABELS}


def _visible(order_id: int) -> SupervisionOrder:
    order = db.session.get(SupervisionOrder, order_id)
    if order is None or not (current_user.has_role(R.OFFICER, R.AUDITOR)
                             or orders.can_reply(current_user, order)):
        abort(404)
    return order


@bp.route("/orders")
@access(READERS)
def orders_list(error: str | None = None, failed: int | None = None, status: int = 200):
    page = db.paginate(orders.orders_for_user_stmt(current_user), per_page=30, error_out=False)
    lead_ids = [o.subject_id for o in page.items if o.subject_kind == "lead"]
    return render_template("cases/orders.html", page=page, today=today(), error=error,
                           lead_numbers=door_leads.numbers(db.session, lead_ids),
                           failed=failed, typed=request.form,
                           is_officer=current_user.has_role(R.OFFICER),
                           can_reply=lambda o: orders.can_reply(current_user, o),
                           **_labels()), status


@bp.route("/orders/new", methods=["GET", "POST"])
@access(roles(R.OFFICER))
def new_order():
    source = request.form if request.method == "POST" else request.args
    kind, subject_id = source.get("kind", ""), source.get("id", "")
    try:
        subject = orders.load_subject(db.session, kind, subject_id)
    except DomainError:
        abort(404)
    recipients = [db.session.get(Organisation, i) for i in dict.fromkeys(subject.responsible)]
    error, status = None, 200
    if request.method == "POST":
        try:
            order = orders.issue_order(
                db.session, current_user, subject_kind=kind, subject_id=subject_id,
                recipient_id=request.form.get("recipient_id", ""),
                request=request.form.get("request", ""),
                reply_due_on=request.form.get("reply_due_on") or None,
                settings=case_settings(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            flash(_("督办单已发出"), "success")
            return redirect(url_for("cases.orders_list", _anchor=f"order-{order.id}"))
    settings = case_settings()
    return render_template("cases/order_new.html", subject=subject, recipients=recipients,
                           error=error, typed=request.form, default_days=settings.order_reply_days,
                           **_labels()), status


@bp.route("/orders/<int:order_id>/reply", methods=["POST"])
@access(roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER))
def reply_order(order_id: int):
    order = _visible(order_id)
    try:
        orders.reply_order(db.session, current_user, order, reply=request.form.get("reply", ""),
                           now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        return orders_list(error=exc.message, failed=order_id, status=exc.status)
    db.session.commit()
    flash(_("已答复督办单"), "success")
    return redirect(url_for("cases.orders_list"))


@bp.route("/orders/<int:order_id>/close", methods=["POST"])
@access(roles(R.OFFICER))
def close_order(order_id: int):
    order = _visible(order_id)
    try:
        orders.close_order(db.session, current_user, order, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        return orders_list(error=exc.message, failed=order_id, status=exc.status)
    db.session.commit()
    flash(_("督办单已办结"), "success")
    return redirect(url_for("cases.orders_list"))


@bp.route("/<int:case_id>/high-impact", methods=["POST"])
@access(roles(R.OFFICER))
def high_impact(case_id: int):
    case = load_case(case_id)
    try:
        orders.set_high_impact(db.session, current_user, case,
                               flag=request.form.get("flag") == "1",
                               reason=request.form.get("reason", ""),
                               settings=case_settings(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        return render_detail(load_case(case_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash(_("已更新重大敏感标记"), "success")
    return redirect(url_for("cases.detail", case_id=case_id))

"""Public pages, no account: apply online (网上申请) and look up progress (进度查询), each
confirmed by a code sent to the phone; an applicant whose request was refused may ask for a
review from the verified lookup."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from webapp.cases.views import case_settings
from webapp.doors import bp
from webapp.doors.common import door_settings, show_errors, town_choices
from webapp.doors.forms import AppealForm, ApplyForm, CodeForm, LookupForm
from webapp.extensions import db
from webapp.models import utcnow
from webapp.permissions import PUBLIC, access
from webapp.services import DomainError, consent
from webapp.services.cases.deadlines import local_date
from webapp.services.consent import ConsentInput
from webapp.services.doors import codes, self_service

T = TypeVar("T")
GRANT = "status_grant"  # the session key of a verified lookup: number and expiry
GRANT_MINUTES = 15


def _address() -> str:
    return request.remote_addr or "-"


@bp.route("/apply", methods=["GET", "POST"])
@access(PUBLIC)
def apply():
    form = ApplyForm()
    form.town_id.choices = [(0, _("请选择"))] + town_choices()
    status = 200
    if form.validate_on_submit():
        data = form.lead_input(on_behalf=bool(form.on_behalf.data))
        raw = form.consent_version.data or ""
        agreed = ConsentInput(version=int(raw) if raw.isdigit() else None,
                              agreed=bool(form.consent_agreed.data), method="online",
                              proxy_name=form.proxy_name.data or "",
                              proxy_relation=form.proxy_relation.data or "")
        try:
            ticket = self_service.start_application(db.session, data, address=_address(),
                                                    settings=door_settings(), consent=agreed)
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc, "phone", {"consent": "consent_agreed",
                                             "consent_proxy_name": "proxy_name",
                                             "consent_proxy_relation": "proxy_relation"})
            status = exc.status
        else:
            db.session.commit()
            return redirect(url_for("doors.apply_confirm", t=ticket))
    elif request.method == "POST":
        status = 400
    notice = consent.notice_in_force(db.session, local_date(utcnow()))
    if notice is not None:
        form.consent_version.data = str(notice.version)
    return render_template("doors/apply.html", form=form, notice=notice), status


def _code_page(purpose: str, redeem: Callable[[str, str], T],
               done: Callable[[T], ResponseReturnValue]) -> ResponseReturnValue:
    """The verification-code step of applying and of looking up: ``redeem(ticket, code)``,
    then ``done(result)``. A wrong code is committed (the attempt counts); any other refusal
    changes nothing."""
    form = CodeForm()
    if request.method == "GET":
        form.ticket.data = request.args.get("t", "")
    status = 200
    if form.validate_on_submit():
        try:
            result = redeem(form.ticket.data or "", form.code.data or "")
        except codes.WrongCodeError as exc:
            db.session.commit()  # the attempt counts
            form.code.errors = [exc.message]
            status = 400
        except DomainError as exc:
            db.session.rollback()
            form.code.errors = [exc.message]
            status = exc.status
        else:
            db.session.commit()
            return done(result)
    elif request.method == "POST":
        status = 400
    return render_template("doors/code.html", form=form, purpose=purpose), status


@bp.route("/apply/confirm", methods=["GET", "POST"])
@access(PUBLIC)
def apply_confirm():
    return _code_page(
        "apply",
        lambda ticket, code: self_service.confirm_application(
            db.session, ticket, code, settings=door_settings(), case_settings=case_settings()),
        lambda lead: render_template("doors/applied.html", lead=lead))


@bp.route("/status", methods=["GET", "POST"])
@access(PUBLIC)
def status_lookup():
    form = LookupForm()
    status = 200
    if form.validate_on_submit():
        try:
            ticket = self_service.start_lookup(db.session, form.number.data or "",
                                               form.phone.data or "", address=_address(),
                                               settings=door_settings())
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc, "number")
            status = exc.status
        else:
            db.session.commit()
            return redirect(url_for("doors.status_verify", t=ticket))
    elif request.method == "POST":
        status = 400
    return render_template("doors/lookup.html", form=form), status


def _grant_lookup(number: str) -> ResponseReturnValue:
    until = utcnow() + dt.timedelta(minutes=GRANT_MINUTES)
    session[GRANT] = {"number": number, "until": until.isoformat()}
    return redirect(url_for("doors.status_view"))


@bp.route("/status/verify", methods=["GET", "POST"])
@access(PUBLIC)
def status_verify():
    return _code_page(
        "lookup",
        lambda ticket, code: self_service.confirm_lookup(db.session, ticket, code,
                                                         settings=door_settings()),
        _grant_lookup)


def _granted() -> str | None:
    grant = session.get(GRANT)
    if not isinstance(grant, dict):
        return None
    try:
        until = dt.datetime.fromisoformat(str(grant.get("until")))
    except ValueError:
        return None
    return str(grant.get("number")) if until > utcnow() else None


@bp.route("/status/view")
@access(PUBLIC)
def status_view():
    number = _granted()
    if number is None:
        return redirect(url_for("doors.status_lookup"))
    view = self_service.status_of(db.session, number, settings=door_settings())
    return render_template("doors/status.html", view=view, form=AppealForm())


@bp.route("/status/appeal", methods=["POST"])
@access(PUBLIC)
def status_appeal():
    number = _granted()
    if number is None:
        return redirect(url_for("doors.status_lookup"))
    form = AppealForm()
    error, code = None, 400
    if form.validate_on_submit():
        try:
            self_service.appeal_from_lookup(db.session, number, form.reason.data or "",
                                            settings=door_settings())
        except DomainError as exc:
            db.session.rollback()
            error, code = exc.message, exc.status
        else:
            db.session.commit()
            return redirect(url_for("doors.status_view", appealed=1))
    view = self_service.status_of(db.session, number, settings=door_settings())
    if error:
        form.reason.errors = [error]
    return render_template("doors/status.html", view=view, form=form), code

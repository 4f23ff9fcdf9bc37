"""The county rules page: everyone on staff reads it, the administrator changes it."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.models import DayKind, Scheme, utcnow
from webapp.permissions import R, access, roles
from webapp.rules import bp
from webapp.services import DomainError, county_rules
from webapp.services.cases.deadlines import local_date

READERS = roles(R.ADMIN, R.OFFICER, R.AUDITOR)


def today():
    return local_date(utcnow())


def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    return year if 2000 <= year <= 2100 else today().year


def _page(status: int = 200, *, error: str | None = None, failed: str | None = None):
    year = _year()
    return render_template(
        "rules/index.html", rules=county_rules.rules_overview(db.session, current_app.config,
                                                             today()),
        year=year, days=county_rules.calendar_rows(db.session, year), today=today(),
        schemes=county_rules.schemes_overview(db.session, today()), DayKind=DayKind,
        can_edit=current_user.has_role(R.ADMIN), error=error, failed=failed,
        typed=request.form), status


@bp.route("/")
@access(READERS)
def index():
    return _page()


def _act(failed: str, action, message: str):
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        return _page(exc.status, error=exc.message, failed=failed)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("rules.index", year=_year()))


@bp.route("/set", methods=["POST"])
@access(roles(R.ADMIN))
def set_rule():
    form = request.form
    return _act("rule", lambda: county_rules.set_rule(
        db.session, current_user, form.get("key", ""), form.get("value"),
        effective_from=form.get("effective_from") or today(), today=today(),
        note=form.get("note", "")), _("规则已保存"))


@bp.route("/calendar/load", methods=["POST"])
@access(roles(R.ADMIN))
def load_calendar():
    year = request.form.get("year", type=int) or 0

    def load():
        loaded = county_rules.load_library_year(db.session, current_user, year)
        if not loaded.adjusted:
            flash(_("节假日库尚无 %(year)s 年的调休安排，请按国务院通知添加本地调整", year=year),
                  "warning")

    return _act("calendar", load, _("已载入 %(year)s 年法定节假日", year=year))


@bp.route("/calendar/override", methods=["POST"])
@access(roles(R.ADMIN))
def override():
    form = request.form
    return _act("override", lambda: county_rules.set_override(
        db.session, current_user, year=form.get("year", ""), day=form.get("day"),
        kind=form.get("kind"), today=today(), note=form.get("note", "")), _("日历已调整"))


@bp.route("/calendar/override/remove", methods=["POST"])
@access(roles(R.ADMIN))
def remove_override():
    return _act("override", lambda: county_rules.remove_override(
        db.session, current_user, request.form.get("day"), today=today()), _("已删除本地调整"))


@bp.route("/schemes/<int:scheme_id>", methods=["POST"])
@access(roles(R.ADMIN))
def scheme_standards(scheme_id: int):
    scheme = db.session.get(Scheme, scheme_id) or abort(404)
    form = request.form
    return _act(f"scheme-{scheme_id}", lambda: county_rules.set_scheme_standards(
        db.session, current_user, scheme, min_amount=form.get("min_amount"),
        max_amount=form.get("max_amount"), times_per_year=form.get("times_per_year"),
        effective_from=form.get("effective_from") or today(), today=today()),
        _("救助标准已保存"))

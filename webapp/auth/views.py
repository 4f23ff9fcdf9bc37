"""Views of the auth blueprint."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp.auth import bp
from webapp.auth.forms import LoginForm, PasswordForm, RegisterForm
from webapp.auth_loaders import session_lifetime
from webapp.extensions import db
from webapp.main.views import safe_next
from webapp.models import OrgKind, Role
from webapp.permissions import LOGIN, PUBLIC, access
from webapp.services import DomainError, accounts
from webapp.services.login_throttle import ThrottlePolicy


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session, form.username.data, form.password.data,
                address=request.remote_addr or "-",
                policy=ThrottlePolicy.from_config(current_app.config))
        except accounts.ThrottledError as exc:
            db.session.rollback()
            form.username.errors.append(exc.message)
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except accounts.AuthenticationError as exc:
            db.session.commit()  # keep the failure record for throttling
            form.password.errors.append(exc.message)
            status = 401
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session at login, never an attacker-fixed one
            if lang:
                session["lang"] = lang
            accounts.start_login_session(db.session, user, address=request.remote_addr or "-",
                                         lifetime=session_lifetime(current_app))
            login_user(user)
            session.permanent = True
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@access(LOGIN)
def logout():
    accounts.end_login_session(db.session, current_user, current_user.get_id())
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已安全退出"), "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@access(PUBLIC)
def register():
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        kind = form.account_type.data
        try:
            if kind in ("donor", "volunteer"):
                accounts.register_individual(
                    db.session, username=form.username.data, password=form.password.data,
                    display_name=form.display_name.data, role=Role(kind),
                    email=form.email.data or None)
                message = _("注册成功，请登录")
            else:
                accounts.register_organisation(
                    db.session, org_name=form.org_name.data, kind=OrgKind(kind),
                    contact=form.org_contact.data, username=form.username.data,
                    password=form.password.data, display_name=form.display_name.data,
                    email=form.email.data or None)
                message = _("机构注册已提交，民政部门审核通过后即可登录")
        except DomainError as exc:
            db.session.rollback()
            for name, msgs in (exc.errors or {"username": [exc.message]}).items():
                getattr(form, name, form.username).errors.extend(msgs)
            status = 400
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@access(LOGIN)
def password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, current=form.current.data,
                                     new=form.new.data)
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field or "new").errors.append(exc.message)
            status = 400
        else:
            db.session.commit()
            flash(_("密码已修改"), "success")
            return redirect(url_for("main.dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form), status

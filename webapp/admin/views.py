"""Views of the admin blueprint."""
import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from webapp.admin import bp
from webapp.admin.forms import DecisionForm, RolesForm, UserForm, role_choices
from webapp.code_labels import audit_actions_matching, audit_summary
from webapp.extensions import db
from webapp.forms import choices
from webapp.models import AuditEvent, Organisation, OrgStatus, Role, User
from webapp.permissions import R, access, roles
from webapp.services import DomainError, accounts


@bp.route("/users")
@access(roles(R.ADMIN))
def users():
    q = (request.args.get("q") or "").strip()[:64]
    stmt = select(User).order_by(User.username)
    if q:
        stmt = stmt.where(User.username.contains(q) | User.display_name.contains(q))
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@access(roles(R.ADMIN))
def new_user():
    form = UserForm()
    form.roles.choices = role_choices()
    form.organisation_id.choices = choices(
        (o.id, o.name) for o in db.session.scalars(
            select(Organisation).where(Organisation.status == OrgStatus.APPROVED)
            .order_by(Organisation.kind, Organisation.name)))
    status = 200
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation_id.data)
        try:
            accounts.create_user(db.session, current_user, accounts.NewUser(
                form.username.data, form.password.data, form.display_name.data,
                {Role(r) for r in form.roles.data}, org))
        except DomainError as exc:
            db.session.rollback()
            for name, msgs in exc.errors.items():
                getattr(form, name, form.username).errors.extend(msgs)
            status = 400
        else:
            db.session.commit()
            flash(_("用户已创建"), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@access(roles(R.ADMIN))
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RolesForm(obj=None)
    form.roles.choices = role_choices()
    if request.method == "GET":
        form.roles.data = [r.value for r in user.roles]
        form.active.data = user.active
    status = 200
    if form.validate_on_submit():
        if user.id == current_user.id and Role.ADMIN.value not in form.roles.data:
            form.roles.errors.append(_("不能移除自己的管理员角色"))
            status = 400
        else:
            accounts.set_roles(db.session, current_user, user, {Role(r) for r in form.roles.data})
            if user.active != form.active.data and user.id != current_user.id:
                accounts.set_active(db.session, current_user, user, form.active.data)
            db.session.commit()
            flash(_("已保存"), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_edit.html", form=form, subject=user), status


@bp.route("/organisations")
@access(roles(R.ADMIN, R.OFFICER))
def organisations():
    status = request.args.get("status")
    stmt = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if status in {s.value for s in OrgStatus}:
        stmt = stmt.where(Organisation.status == OrgStatus(status))
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template("admin/organisations.html", page=page, form=DecisionForm(),
                           status=status)


@bp.route("/organisations/<int:org_id>/decision", methods=["POST"])
@access(roles(R.ADMIN, R.OFFICER))
def decide_organisation(org_id: int):
    org = db.session.get(Organisation, org_id) or abort(404)
    form = DecisionForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in ("approve", "reject"):
        abort(400)
    approve = decision == "approve"
    accounts.decide_organisation(db.session, current_user, org, approve=approve)
    db.session.commit()
    flash(_("已批准该机构") if approve else _("已驳回该机构"), "success")
    return redirect(url_for("admin.organisations", status="pending"))


@bp.route("/audit")
@access(roles(R.ADMIN, R.AUDITOR, R.OFFICER))
def audit_log():
    action = (request.args.get("action") or "").strip()[:64]
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if action:
        codes = audit_actions_matching(action)
        stmt = stmt.where(or_(AuditEvent.action.startswith(action), AuditEvent.action.in_(codes)))
    page = db.paginate(stmt, per_page=50, error_out=False)
    names, orgs = _people(page.items)
    return render_template("admin/audit.html", page=page, action=action, names=names,
                           orgs=orgs, audit_summary=audit_summary)


def _people(events) -> tuple[dict[int, str], dict[int, str]]:
    """Display names of the people and organisations named on this page of the audit log."""
    users = {e.actor_id for e in events if e.actor_id}
    orgs: set[int] = set()
    for e in events:
        try:
            summary = json.loads(e.summary or "{}")
        except ValueError:
            continue
        if not isinstance(summary, dict):
            continue
        if isinstance(summary.get("owner_id"), int):
            users.add(summary["owner_id"])
        for key in ("organisation_id", "town_id", "department_ids"):
            value = summary.get(key)
            orgs.update(v for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, int))
    names: dict[int, str] = {uid: name for uid, name in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(users)))} if users else {}
    org_names: dict[int, str] = {oid: name for oid, name in db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(orgs)))} if orgs else {}
    return names, org_names

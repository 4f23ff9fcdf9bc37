"""Organisation portals: each organisation manages only its own listings."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp import permissions
from webapp.extensions import db
from webapp.models import Organisation, OrgKind
from webapp.models.resources import LISTING_MODELS, ListingKind, ListingStatus
from webapp.permissions import R, access, roles
from webapp.portal import bp
from webapp.portal.forms import ActionForm, FundForm, OfferForm, ProjectForm, SchemeForm
from webapp.services import DomainError, listings
from webapp.services.listing_rules import LIST_FIELDS, town_ids

OWNER_ROLES = roles(R.CHARITY_STAFF, R.FUND_MANAGER, R.VOLUNTEER, R.OFFICER,
                    R.DEPARTMENT_HANDLER)

STATUS_LABELS = {
    ListingStatus.DRAFT: _l("草稿"), ListingStatus.PENDING_REVIEW: _l("待审核"),
    ListingStatus.LISTED: _l("已公开"), ListingStatus.PAUSED: _l("已暂停"),
    ListingStatus.CLOSED: _l("已关闭"),
}


@dataclass(frozen=True)
class PortalKind:
    kind: ListingKind
    form: type
    title: str
    noun: str


KINDS = {
    "projects": PortalKind(ListingKind.PROJECT, ProjectForm, _l("我的项目"), _l("慈善项目")),
    "funds": PortalKind(ListingKind.FUND, FundForm, _l("我的基金"), _l("公益基金")),
    "offers": PortalKind(ListingKind.OFFER, OfferForm, _l("我的服务"), _l("志愿服务")),
    "schemes": PortalKind(ListingKind.SCHEME, SchemeForm, _l("救助政策"), _l("救助政策")),
}
KIND_PATH = "<any(projects,funds,offers,schemes):kinds>"


def _kind_for(kinds: str) -> PortalKind:
    spec = KINDS[kinds]
    if not permissions.can_create_listing(current_user, spec.kind.value):
        abort(403)
    return spec


def _load(spec: PortalKind, listing_id: int):
    listing = db.session.get(LISTING_MODELS[spec.kind], listing_id) or abort(404)
    if not permissions.can_manage_listing(current_user, listing):
        abort(403)
    return listing


def _prepare(form, spec: PortalKind):
    form.set_choices(town_ids(db.session))
    if spec.kind == ListingKind.SCHEME:
        departments = db.session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.kind.in_([OrgKind.DEPARTMENT, OrgKind.CIVIL_AFFAIRS]))
            .order_by(Organisation.code)).all()
        form.set_departments({org_id: name for org_id, name in departments})
        if not current_user.has_role(R.OFFICER):
            del form.organisation_id


def _fill(form, listing) -> None:
    for name, field in form._fields.items():
        if name == "csrf_token" or not hasattr(listing, name):
            continue
        value = getattr(listing, name)
        if name in LIST_FIELDS:
            value = [v for v in (value or "").split(",") if v]
        elif name == "organisation_id" or value is not None and not hasattr(value, "isoformat"):
            value = str(value)
        field.data = value


def _show_errors(form, exc: DomainError) -> None:
    for name, messages in exc.errors.items():
        target = getattr(form, name, None)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = list(target.errors) + list(messages)
    if not exc.errors:
        form.form_errors.append(exc.message)


def listing_index(kinds: str):
    spec = _kind_for(kinds)
    status = request.args.get("status")
    status = ListingStatus(status) if status in {s.value for s in ListingStatus} else None
    page = db.paginate(listings.own_listings(current_user, spec.kind, status=status),
                       per_page=20, error_out=False)
    return render_template("portal/listings.html", spec=spec, kinds=kinds, page=page,
                           status=status, labels=STATUS_LABELS, action_form=ActionForm())


access(OWNER_ROLES)(listing_index)
for _name in KINDS:
    bp.add_url_rule(f"/{_name}", endpoint=_name, view_func=listing_index,
                    defaults={"kinds": _name})


@bp.route(f"/{KIND_PATH}/new", methods=["GET", "POST"])
@access(OWNER_ROLES)
def new_listing(kinds: str):
    spec = _kind_for(kinds)
    form = spec.form()
    _prepare(form, spec)
    status = 200
    if form.validate_on_submit():
        try:
            listing = listings.create_listing(db.session, current_user, spec.kind,
                                              form.listing_data())
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            flash(_("已保存为草稿。确认无误后请提交审核。"), "success")
            return redirect(url_for("portal.edit_listing", kinds=kinds, listing_id=listing.id))
    elif request.method == "POST":
        status = 400
    return render_template("portal/listing_form.html", spec=spec, kinds=kinds, form=form,
                           listing=None, labels=STATUS_LABELS), status


@bp.route(f"/{KIND_PATH}/<int:listing_id>", methods=["GET", "POST"])
@access(OWNER_ROLES)
def edit_listing(kinds: str, listing_id: int):
    spec = _kind_for(kinds)
    listing = _load(spec, listing_id)
    form = spec.form()
    _prepare(form, spec)
    if request.method == "GET":
        _fill(form, listing)
    status = 200
    if form.validate_on_submit():
        try:
            was = listing.status
            changed = listings.update_listing(db.session, current_user, listing,
                                              form.listing_data())
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            if not changed:
                flash(_("没有需要保存的修改"), "info")
            elif was != listing.status == ListingStatus.PENDING_REVIEW:
                flash(_("修改已保存。内容有实质变化，需民政部门重新审核后再公开。"), "warning")
            else:
                flash(_("修改已保存"), "success")
            return redirect(url_for("portal.edit_listing", kinds=kinds, listing_id=listing.id))
    elif request.method == "POST":
        status = 400
    return render_template("portal/listing_form.html", spec=spec, kinds=kinds, form=form,
                           listing=listing, labels=STATUS_LABELS,
                           action_form=ActionForm()), status


@bp.route(f"/{KIND_PATH}/<int:listing_id>/submit", methods=["POST"])
@access(OWNER_ROLES)
def submit_listing(kinds: str, listing_id: int):
    spec = _kind_for(kinds)
    listing = _load(spec, listing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    listings.submit_listing(db.session, current_user, listing)
    db.session.commit()
    flash(_("已提交审核，民政部门审核通过后即向社会公开"), "success")
    return redirect(url_for("portal.edit_listing", kinds=kinds, listing_id=listing.id))


@bp.route(f"/{KIND_PATH}/<int:listing_id>/status", methods=["POST"])
@access(OWNER_ROLES)
def change_status(kinds: str, listing_id: int):
    spec = _kind_for(kinds)
    listing = _load(spec, listing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    target = request.form.get("target", "")
    if target not in {s.value for s in ListingStatus}:
        abort(400)
    listings.set_listing_status(db.session, current_user, listing, ListingStatus(target))
    db.session.commit()
    flash(_("状态已更新为：%(s)s", s=STATUS_LABELS[listing.status]), "success")
    return redirect(url_for("portal.edit_listing", kinds=kinds, listing_id=listing.id))

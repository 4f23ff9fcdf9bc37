"""Pledging: a logged-in donor pledges to a published need or a listed project, gets a
confirmation and sees the history at 我的捐助."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import permissions
from webapp.extensions import db
from webapp.models.resources import Pledge
from webapp.pdf import pdf_response
from webapp.permissions import R, access, roles
from webapp.portal.forms import ActionForm
from webapp.portal.pledge_desk import PLEDGE_LABELS
from webapp.public import bp
from webapp.public.forms import PledgeForm
from webapp.services import DomainError, browse, pledges
from webapp.services.delivery import OUTCOME_LABELS


def _pledge_page(target_view, *, need=None, project=None):
    form = PledgeForm()
    status = 200
    if form.validate_on_submit():
        try:
            pledge = pledges.make_pledge(db.session, current_user, need=need, project=project,
                                         **form.pledge_data())
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                target = getattr(form, name, None)
                if target is None:
                    form.form_errors.extend(messages)
                else:
                    target.errors = list(target.errors) + list(messages)
            status = 400
        else:
            db.session.commit()
            return redirect(url_for("public.pledge_detail", pledge_id=pledge.id, new=1))
    elif form.is_submitted():
        status = 400
    return render_template("public/pledge_form.html", form=form, view=target_view,
                           need=need, project=project), status


@bp.route("/needs/<int:need_id>/pledge", methods=["GET", "POST"])
@access(roles(R.DONOR))
def pledge_need(need_id: int):
    view = browse.published_need(db.session, need_id) or abort(404)
    return _pledge_page(view, need=view.card)


@bp.route("/projects/<int:project_id>/pledge", methods=["GET", "POST"])
@access(roles(R.DONOR))
def pledge_project(project_id: int):
    view = browse.listed_project(db.session, project_id) or abort(404)
    return _pledge_page(view, project=view.project)


@bp.route("/my/pledges")
@access(roles(R.DONOR))
def my_pledges():
    page = db.paginate(pledges.donor_pledges(current_user), per_page=20, error_out=False)
    return render_template("public/my_pledges.html", page=page, labels=PLEDGE_LABELS,
                           form=ActionForm())


@bp.route("/my/pledges/<int:pledge_id>")
@access(roles(R.DONOR))
def pledge_detail(pledge_id: int):
    pledge = db.session.get(Pledge, pledge_id) or abort(404)
    if pledge.donor_id != current_user.id:
        abort(404)
    return render_template("public/pledge_detail.html", pledge=pledge, labels=PLEDGE_LABELS,
                           form=ActionForm(), life=pledges.pledge_life(db.session, pledge),
                           outcome_labels=OUTCOME_LABELS)


@bp.route("/my/pledges/<int:pledge_id>/certificate.pdf")
@access(roles(R.DONOR))
def pledge_certificate(pledge_id: int):
    """The donation certificate (捐赠证明) of a received pledge, as a printable PDF."""
    pledge = db.session.get(Pledge, pledge_id) or abort(404)
    if pledge.donor_id != current_user.id:
        abort(404)
    life = pledges.pledge_life(db.session, pledge)
    if not life.certifiable:
        abort(404)
    return pdf_response("public/pdf/donation_certificate.html", f"捐赠证明-{pledge.reference}.pdf",
                        pledge=pledge, life=life, issued_on=dt.date.today(),
                        outcome_labels=OUTCOME_LABELS)


@bp.route("/my/pledges/<int:pledge_id>/cancel", methods=["POST"])
@access(roles(R.DONOR))
def cancel_pledge(pledge_id: int):
    pledge = db.session.get(Pledge, pledge_id) or abort(404)
    if not permissions.can_view_pledge(current_user, pledge) or pledge.donor_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    pledges.cancel_pledge(db.session, current_user, pledge)
    db.session.commit()
    flash(_("已取消这笔认捐"), "success")
    return redirect(url_for("public.my_pledges"))

"""The receivers' pledge desk: charities confirm and fulfil pledges to their projects, the
bureau's officers those to published needs."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import permissions
from webapp.extensions import db
from webapp.models.resources import Pledge, PledgeStatus
from webapp.permissions import R, access, roles
from webapp.portal import bp
from webapp.portal.forms import ActionForm
from webapp.services import DomainError, pledges

PLEDGE_LABELS = {PledgeStatus.PLEDGED: _l("待确认"), PledgeStatus.CONFIRMED: _l("已确认"),
                 PledgeStatus.FULFILLED: _l("已兑现"), PledgeStatus.CANCELLED: _l("已取消")}
ACTIONS = {"confirm": pledges.confirm_pledge, "fulfil": pledges.fulfil_pledge,
           "cancel": pledges.cancel_pledge}


@bp.route("/pledges")
@access(roles(R.CHARITY_STAFF, R.OFFICER))
def pledge_desk():
    status = request.args.get("status", "pledged")
    status = PledgeStatus(status) if status in {s.value for s in PledgeStatus} else None
    page = db.paginate(pledges.pledges_for_handler(current_user, status=status), per_page=25,
                       error_out=False)
    uses = {p.id: pledges.project_needs(db.session, p.project) for p in page.items
            if p.project is not None and p.status is PledgeStatus.CONFIRMED}
    return render_template("portal/pledges.html", page=page, status=status,
                           labels=PLEDGE_LABELS, form=ActionForm(), uses=uses)


@bp.route("/pledges/<int:pledge_id>/<any(confirm,fulfil,cancel):action>", methods=["POST"])
@access(roles(R.CHARITY_STAFF, R.OFFICER))
def handle_pledge(pledge_id: int, action: str):
    pledge = db.session.get(Pledge, pledge_id) or abort(404)
    if not permissions.can_handle_pledge(current_user, pledge):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "fulfil":
        used = request.form.get("used_need_id", "")
        try:
            pledges.fulfil_pledge(db.session, current_user, pledge,
                                  used_need_id=int(used) if used.isdigit() else None)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("portal.pledge_desk",
                                    status=request.args.get("status", "pledged")))
    else:
        ACTIONS[action](db.session, current_user, pledge)
    db.session.commit()
    flash(_("认捐状态已更新为：%(s)s", s=PLEDGE_LABELS[pledge.status]), "success")
    return redirect(url_for("portal.pledge_desk", status=request.args.get("status", "pledged")))

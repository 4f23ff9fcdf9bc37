"""The officers' review queue: a new or materially changed listing is approved (made public)
or rejected with a reason."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.resources import LISTING_MODELS, ListingReview, ReviewDecision
from webapp.permissions import R, access, roles
from webapp.portal import bp
from webapp.portal.forms import ReviewForm
from webapp.portal.views import STATUS_LABELS
from webapp.services import DomainError, listings
from webapp.services.listing_rules import FIELD_LABELS, town_ids

KIND_LABELS = {"project": "慈善项目", "fund": "公益基金", "offer": "志愿服务",
               "scheme": "救助政策"}


@bp.route("/review")
@access(roles(R.OFFICER))
def review_queue():
    stmt = listings.pending_reviews(db.session).options(joinedload(ListingReview.organisation))
    page = db.paginate(stmt, per_page=25, error_out=False)
    # One query per kind of listing on the page, not one per row.
    wanted: dict = {}
    for r in page.items:
        wanted.setdefault(r.kind, set()).add(r.listing_id)
    found = {(kind, x.id): x for kind, ids in wanted.items()
             for x in db.session.scalars(select(LISTING_MODELS[kind]).where(
                 LISTING_MODELS[kind].id.in_(ids)))}
    rows = [(r, found.get((r.kind, r.listing_id))
             or listings.get_listing(db.session, r.kind, r.listing_id)) for r in page.items]
    return render_template("portal/review_queue.html", page=page, rows=rows,
                           kind_labels=KIND_LABELS, field_labels=FIELD_LABELS)


@bp.route("/review/<int:review_id>", methods=["GET", "POST"])
@access(roles(R.OFFICER))
def review_detail(review_id: int):
    review = db.session.get(ListingReview, review_id) or abort(404)
    listing = listings.get_listing(db.session, review.kind, review.listing_id)
    form = ReviewForm()
    status = 200
    decision = request.form.get("decision")
    if form.validate_on_submit():
        if decision not in ("approve", "reject"):
            # Never read a missing choice as a rejection: say so and change nothing.
            form.reason.errors = list(form.reason.errors) + [_("请选择通过或驳回")]
            return _render(review, listing, form), 400
        approve = decision == "approve"
        try:
            listings.decide_review(db.session, current_user, review, approve=approve,
                                   reason=form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            if exc.status != 400:
                raise
            form.reason.errors = list(form.reason.errors) + [exc.message]
            status = 400
        else:
            db.session.commit()
            flash(_("已通过，信息已向社会公开") if approve else _("已驳回，已通知提交机构修改"),
                  "success")
            return redirect(url_for("portal.review_queue"))
    elif request.method == "POST":
        status = 400
    return _render(review, listing, form), status


def _render(review: ListingReview, listing, form: ReviewForm) -> str:
    changed = [f for f in review.changed_fields.split(",") if f in FIELD_LABELS]
    return render_template("portal/review_detail.html", review=review, listing=listing,
                           form=form, kind_labels=KIND_LABELS, field_labels=FIELD_LABELS,
                           changed=changed, towns=town_ids(db.session), labels=STATUS_LABELS,
                           pending=review.decision == ReviewDecision.PENDING)

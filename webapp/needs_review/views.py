"""发布审核 pages: the cases awaiting publication, and the review of one case's card."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp import permissions
from webapp.extensions import db
from webapp.models import CATEGORY_LABELS, Case, CaseStatus, utcnow
from webapp.needs_review import bp
from webapp.needs_review.forms import ReviewForm, UnpublishForm
from webapp.needs_review.marks import highlight
from webapp.permissions import R, access, roles
from webapp.services import DomainError, county_rules, needs
from webapp.services.cases import deadlines, workflow

REVIEWERS = roles(R.OFFICER)
REVIEWABLE = (CaseStatus.APPROVED, CaseStatus.PUBLISHED)


def _load(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not permissions.can_view_case(current_user, case):
        abort(404)
    return case


def _edits() -> tuple[str | None, str | None]:
    form = request.form
    return form.get("title"), form.get("story")


def _render(case: Case, *, title: str | None = None, story: str | None = None,
            error: str | None = None, status: int = 200):
    published = needs.published_card(db.session, case)
    if title is None and story is None and published is not None:
        title, story = published.title, published.story
    try:
        draft = needs.draft_card(db.session, case, title=title, story=story)
    except DomainError as exc:
        error, status = exc.message, exc.status
        draft = needs.draft_card(db.session, case)
        title = story = None
    form = ReviewForm(formdata=None, title=title if title is not None else draft.title,
                      story=story if story is not None else draft.story)
    return render_template(
        "needs_review/review.html", case=case, draft=draft, form=form, published=published,
        unpublish_form=UnpublishForm(formdata=None), error=error,
        title_html=highlight(draft.title, draft.title_findings),
        story_html=highlight(draft.story, draft.story_findings),
        labels=needs.PII_LABELS, categories=CATEGORY_LABELS,
        can_publish=case.status == CaseStatus.APPROVED), status


@bp.route("/")
@access(REVIEWERS)
def index():
    status = request.args.get("status", CaseStatus.APPROVED.value)
    chosen = CaseStatus(status) if status in {s.value for s in REVIEWABLE} else \
        CaseStatus.APPROVED
    stmt = select(Case).where(Case.status == chosen).order_by(Case.urgency.desc(), Case.id)
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template("needs_review/list.html", page=page, chosen=chosen,
                           categories=CATEGORY_LABELS,
                           status_label=workflow.status_label)


@bp.route("/<int:case_id>")
@access(REVIEWERS)
def review(case_id: int):
    return _render(_load(case_id))


@bp.route("/<int:case_id>/check", methods=["POST"])
@access(REVIEWERS)
def check(case_id: int):
    """Re-check the edited card and show it again; nothing is saved."""
    title, story = _edits()
    return _render(_load(case_id), title=title, story=story)


@bp.route("/<int:case_id>/check.json", methods=["POST"])
@access(REVIEWERS)
def check_json(case_id: int):
    """The re-check the review page runs as the officer types."""
    case = _load(case_id)
    title, story = _edits()
    try:
        draft = needs.draft_card(db.session, case, title=title, story=story)
    except DomainError as exc:
        return jsonify({"publishable": False, "error": exc.message, "findings": []}), 400
    return jsonify({"publishable": draft.publishable,
                    "findings": sorted(dict.fromkeys(_(needs.PII_LABELS[s.type])
                                                     for s in draft.findings)),
                    "title_html": str(highlight(draft.title, draft.title_findings)),
                    "story_html": str(highlight(draft.story, draft.story_findings))})


@bp.route("/<int:case_id>/publish", methods=["POST"])
@access(REVIEWERS)
def publish(case_id: int):
    case = _load(case_id)
    if not ReviewForm().validate_on_submit():
        abort(400)
    title, story = _edits()
    try:
        workflow.fire(db.session, current_user, case, "publish",
                      settings=county_rules.settings_on(db.session, current_app.config,
                                                        deadlines.local_date(utcnow())),
                      title=title, story=story)
    except DomainError as exc:
        db.session.rollback()
        return _render(_load(case_id), title=title, story=story, error=exc.message,
                       status=exc.status)
    db.session.commit()
    flash(_("需求已发布"), "success")
    return redirect(url_for("needs_review.review", case_id=case.id))


@bp.route("/<int:case_id>/unpublish", methods=["POST"])
@access(REVIEWERS)
def unpublish(case_id: int):
    case = _load(case_id)
    form = UnpublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        workflow.fire(db.session, current_user, case, "unpublish",
                      settings=county_rules.settings_on(db.session, current_app.config,
                                                        deadlines.local_date(utcnow())),
                      reason=(form.reason.data or "")[:1000])
    except DomainError as exc:
        db.session.rollback()
        return _render(_load(case_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash(_("需求已撤下，公开页面和搜索中不再显示"), "success")
    return redirect(url_for("needs_review.review", case_id=case.id))

"""Matching pages: load → authorise → validate → service → commit → respond."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select

from webapp.cases.forms import URGENCY_LABELS
from webapp.extensions import db
from webapp.matching import bp
from webapp.matching.forms import ApproveForm, RejectForm, RespondForm, RunForm, SessionForm
from webapp.matching.labels import (
    FEATURE_LABELS,
    KIND_LABELS,
    RULE_ORDER,
    RUN_STATUS_LABELS,
    UNIT_LABELS,
    explain,
    rule_label,
    run_status,
    skip_reason,
)
from webapp.models import CATEGORY_LABELS, Job, MatchRun, NeedCard, Offer, Proposal, ProposalStatus
from webapp.models.matching import REJECT_REASON_LABELS
from webapp.permissions import MATCH_RESPONDER_ROLES, R, access, can_respond_to_proposal, roles
from webapp.services import DomainError, delivery, matching
from webapp.services.matching.decisions import listing_of
from webapp.services.need_account import need_accounts

OFFICERS = roles(R.OFFICER)
RESPONDERS = roles(*MATCH_RESPONDER_ROLES)
RESPONDER_KINDS = {R.CHARITY_STAFF: "project", R.FUND_MANAGER: "fund", R.VOLUNTEER: "offer",
                   R.DEPARTMENT_HANDLER: "scheme", R.OFFICER: "scheme"}


@bp.app_context_processor
def _labels():
    return {"match_labels": {"feature": FEATURE_LABELS, "kind": KIND_LABELS, "unit": UNIT_LABELS,
                             "status": matching.STATUS_LABELS, "reason": REJECT_REASON_LABELS,
                             "category": CATEGORY_LABELS},
            "run_status_labels": RUN_STATUS_LABELS, "urgency_labels": URGENCY_LABELS}


def _proposal_or_404(proposal_id: int) -> Proposal:
    return db.session.get(Proposal, proposal_id) or abort(404)


@bp.route("/")
@access(OFFICERS)
def proposals():
    """Undecided proposals grouped by need, most urgent first."""
    has_open = select(Proposal.need_card_id).where(Proposal.status == ProposalStatus.PROPOSED)
    stmt = (select(NeedCard).where(NeedCard.id.in_(has_open))
            .order_by(NeedCard.urgency.desc(), NeedCard.id))
    page = db.paginate(stmt, per_page=10, error_out=False)
    groups = []
    for card in page.items:
        rows = db.session.scalars(select(Proposal).where(
            Proposal.need_card_id == card.id, Proposal.status == ProposalStatus.PROPOSED)
            .order_by(Proposal.score.desc(), Proposal.id)).all()
        groups.append((card, [(p, listing_of(db.session, p), matching.limits(db.session, p),
                               explain(p.explanation)) for p in rows]))
    latest = db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc()).limit(1)).first()
    return render_template("matching/proposals.html", page=page, groups=groups, latest=latest,
                           accounts=need_accounts(db.session, page.items),
                           run_form=RunForm(), approve_form=ApproveForm(),
                           reject_form=RejectForm())


@bp.route("/runs", methods=["POST"])
@access(OFFICERS)
def start_run():
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    run = matching.start_run(db.session, current_user)
    db.session.commit()
    flash(_("已提交匹配批次，正在后台运行。"), "success")
    return redirect(url_for("matching.run", run_id=run.id))


@bp.route("/runs")
@access(OFFICERS)
def runs():
    page = db.paginate(select(MatchRun).order_by(MatchRun.id.desc()), per_page=20,
                       error_out=False)
    return render_template("matching/runs.html", page=page, run_form=RunForm(),
                           status_of=lambda r: run_status(r, _job(r)))


def _job(run: MatchRun) -> Job | None:
    return db.session.get(Job, run.job_id) if run.job_id else None


@bp.route("/runs/<int:run_id>")
@access(OFFICERS)
def run(run_id: int):
    found = db.session.get(MatchRun, run_id) or abort(404)
    job = _job(found)
    skipped = [dict(item, label=skip_reason(item["reason"]),
                    rules=[(code, rule_label(code), item["reasons"][code]) for code in RULE_ORDER
                           if item.get("reasons", {}).get(code)])
               for item in found.skipped or []]
    totals = {code: sum(1 for item in found.skipped or []
                        if item.get("reasons", {}).get(code)) for code in RULE_ORDER}
    rule_totals = [(rule_label(code), n) for code, n in totals.items() if n]
    labels = {c.value: label for c, label in CATEGORY_LABELS.items()}
    fairness = [dict(row, category_label=labels.get(row["category"], row["category"]))
                for row in found.fairness or []]
    return render_template("matching/run.html", run=found, job=job, skipped=skipped,
                           rule_totals=rule_totals, fairness=fairness,
                           status=run_status(found, job), run_form=RunForm())


@bp.route("/runs/<int:run_id>/status")
@access(OFFICERS)
def run_status_json(run_id: int):
    found = db.session.get(MatchRun, run_id) or abort(404)
    return jsonify({"id": found.id, "status": run_status(found, _job(found)),
                    "proposals": found.n_proposals})


@bp.route("/proposals/<int:proposal_id>/approve", methods=["POST"])
@access(OFFICERS)
def approve(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        flash(_("批准数额无效"), "error")
        return redirect(url_for("matching.proposals"))
    try:
        matching.approve(db.session, current_user, proposal, amount=form.amount.data or None)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("matching.proposals"))
    db.session.commit()
    flash(_("已批准匹配建议 #%(id)s。", id=proposal_id), "success")
    return redirect(url_for("matching.proposals"))


@bp.route("/proposals/<int:proposal_id>/reject", methods=["POST"])
@access(OFFICERS)
def reject(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("请选择驳回原因"), "error")
        return redirect(url_for("matching.proposals"))
    try:
        matching.reject(db.session, current_user, proposal, reason_code=form.reason_code.data,
                        note=form.note.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("matching.proposals"))
    db.session.commit()
    flash(_("已驳回匹配建议 #%(id)s。", id=proposal_id), "success")
    return redirect(url_for("matching.proposals"))


def _assignments_stmt(user):
    """Approved pairings for the listings the user provides (never any personal data)."""
    kinds = {RESPONDER_KINDS[r] for r in user.roles if r in RESPONDER_KINDS}
    stmt = select(Proposal).where(Proposal.status.in_([
        ProposalStatus.APPROVED, ProposalStatus.ACCEPTED, ProposalStatus.DECLINED,
        ProposalStatus.CANCELLED]))
    clauses = [and_(Proposal.resource_kind == kind, Proposal.organisation_id ==
                    user.organisation_id) for kind in kinds - {"offer"}]
    if "offer" in kinds:
        mine = select(Offer.id).where(or_(
            Offer.volunteer_id == user.id,
            and_(Offer.volunteer_id.is_(None), Offer.organisation_id == user.organisation_id)))
        clauses.append(and_(Proposal.resource_kind == "offer", Proposal.resource_id.in_(mine)))
    return stmt.where(or_(*clauses)).order_by(Proposal.decided_at.desc(), Proposal.id.desc())


@bp.route("/assignments")
@access(RESPONDERS)
def assignments():
    page = db.paginate(_assignments_stmt(current_user), per_page=20, error_out=False)
    rows = []
    for proposal in page.items:
        listing = listing_of(db.session, proposal)
        rows.append((proposal, listing, can_respond_to_proposal(current_user, proposal, listing)))
    hours = delivery.delivered_hours(db.session, [p.id for p in page.items if p.unit == "hours"])
    return render_template("matching/assignments.html", page=page, rows=rows,
                           respond_form=RespondForm(), delivered=hours)


@bp.route("/assignments/<int:proposal_id>/sessions", methods=["GET", "POST"])
@access(RESPONDERS)
def sessions(proposal_id: int):
    """The volunteer's (or organisation's) log of service delivered under one pairing."""
    proposal = _proposal_or_404(proposal_id)
    if not delivery.can_log_sessions(db.session, current_user, proposal):
        abort(403)
    form = SessionForm()
    if request.method == "GET":
        form.delivered_on.data = date.today().isoformat()
    if form.validate_on_submit():
        try:
            delivery.log_session(db.session, current_user, proposal,
                                 delivered_on=form.delivered_on.data, hours=form.hours.data,
                                 note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [*target.errors, *messages]
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("已记录 %(h)s 小时服务。", h=form.hours.data), "success")
            return redirect(url_for("matching.sessions", proposal_id=proposal.id))
    rows = delivery.sessions_of(db.session, proposal)
    promised = proposal.approved_amount or proposal.amount
    done = sum((r.hours for r in rows), delivery.ZERO)
    return render_template("matching/sessions.html", proposal=proposal, form=form, rows=rows,
                           listing=listing_of(db.session, proposal), promised=promised,
                           done=done)


@bp.route("/proposals/<int:proposal_id>/respond", methods=["POST"])
@access(RESPONDERS)
def respond(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not can_respond_to_proposal(current_user, proposal, listing_of(db.session, proposal)):
        abort(403)
    form = RespondForm()
    if not form.validate_on_submit():
        flash(_("请选择接受或婉拒"), "error")
        return redirect(url_for("matching.assignments"))
    try:
        matching.respond(db.session, current_user, proposal,
                         accept=form.decision.data == "accept", note=form.note.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("matching.assignments"))
    db.session.commit()
    flash(_("已答复匹配 #%(id)s。", id=proposal_id), "success")
    return redirect(url_for("matching.assignments"))

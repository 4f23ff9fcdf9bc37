"""Work lists: the transfer inbox, the supervision board, the joint conference, the inbox."""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp import caching
from webapp.cases import bp
from webapp.cases.forms import ConferenceForm
from webapp.cases.views import case_settings, template_globals, today
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    Case,
    CaseStatus,
    Conference,
    ConferenceMember,
    Notification,
    Organisation,
    Transfer,
    TransferStatus,
)
from webapp.pdf import pdf_response
from webapp.permissions import LOGIN, R, access, roles
from webapp.services import DomainError, complaints, county_rules
from webapp.services.cases import conference as conference_service
from webapp.services.cases import conference_records as records
from webapp.services.cases import deadlines, notifications, orders, queries, transfers, workflow
from webapp.services.cases.deadlines import LOCAL_TZ
from webapp.services.doors import leads as door_leads
from webapp.services.ledger import green_channel


@bp.route("/transfers")
@access(roles(R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR))
def transfer_inbox():
    state = request.args.get("state", "open")
    stmt = transfers.visible_transfers_stmt(current_user)
    if state in {s.value for s in TransferStatus}:
        stmt = stmt.where(Transfer.status == TransferStatus(state))
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template("cases/transfers.html", page=page, state=state, today=today(),
                           can_answer=current_user.has_role(R.DEPARTMENT_HANDLER, R.OFFICER),
                           **template_globals())


@bp.route("/transfers/<int:transfer_id>/answer", methods=["POST"])
@access(roles(R.DEPARTMENT_HANDLER, R.OFFICER))
def answer(transfer_id: int):
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer not in db.session.scalars(
            transfers.visible_transfers_stmt(current_user).where(Transfer.id == transfer_id)):
        abort(404)
    try:
        workflow.answer_transfer(db.session, current_user, transfer,
                                 answer=request.form.get("answer", ""),
                                 settings=case_settings())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return transfer_inbox(), exc.status
    db.session.commit()
    flash(_("已答复转办"), "success")
    return redirect(url_for("cases.transfer_inbox"))


@bp.route("/supervision")
@access(roles(R.OFFICER, R.AUDITOR))
def supervision():
    town_id = request.args.get("town", type=int)
    department_id = request.args.get("department", type=int)
    stmt = queries.supervision_rows(db.session, today=today(), town_id=town_id,
                                    department_id=department_id)
    # Counts over every overdue step: once per data version and day, not once per request.
    page = db.paginate(stmt, per_page=50, error_out=False, count=False)
    page.total = caching.memo("supervision_total", lambda: db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())) or 0,
        town_id, department_id, today())
    open_orders = db.session.scalars(orders.open_orders_stmt().limit(50)).all()
    return render_template(
        "cases/supervision.html", page=page, today=today(), town_id=town_id,
        department_id=department_id, towns=queries.towns(db.session),
        departments=transfers.departments(db.session),
        by_unit=caching.memo("overdue_by_unit", lambda: queries.overdue_by_unit(
            db.session, today=today()), today()),
        overdue_payments=green_channel.overdue_payments(
            db.session, today=today(), settings=case_settings(),
            payment_days_on=county_rules.payment_days_on(db.session, current_app.config)),
        open_orders=open_orders,
        lead_numbers=door_leads.numbers(
            db.session, [o.subject_id for o in open_orders if o.subject_kind == "lead"]),
        LEVEL_LABELS=orders.LEVEL_LABELS, ORDER_STATUS_LABELS=orders.ORDER_STATUS_LABELS,
        payment_days=case_settings().emergency_payment_days,
        late_leads=door_leads.late_leads(db.session, today=today()),
        overdue_complaints=complaints.overdue_complaints(db.session, today=today()),
        working_days=lambda d: deadlines.working_days_between(d, today(), case_settings()),
        **template_globals())


@bp.route("/conferences", methods=["GET", "POST"])
@access(roles(R.OFFICER, R.AUDITOR))
def conferences():
    form = ConferenceForm()
    status = 200
    if request.method == "POST":
        if not current_user.has_role(R.OFFICER):
            abort(403)
        if form.validate_on_submit():
            when = form.scheduled_at.data.replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC)
            try:
                item = conference_service.schedule_conference(
                    db.session, current_user, title=form.title.data, scheduled_at=when,
                    location=form.location.data or "")
            except DomainError as exc:
                db.session.rollback()
                for name, messages in exc.errors.items():
                    getattr(form, name, form.title).errors.extend(messages)
                status = exc.status
            else:
                db.session.commit()
                flash(_("会议已安排"), "success")
                return redirect(url_for("cases.conference", conference_id=item.id))
        else:
            status = 400
    return _render_conferences(form, status)


def _render_conferences(form: ConferenceForm, status: int):
    page = db.paginate(select(Conference).order_by(Conference.scheduled_at.desc()),
                       per_page=20, error_out=False)
    return render_template("cases/conferences.html", page=page, form=form,
                           members=records.members(db.session),
                           candidates=transfers.departments(db.session),
                           **_record_globals()), status


def _record_globals() -> dict:
    return {"meeting_state": records.meeting_state, "STATE_LABELS": records.STATE_LABELS}


@bp.route("/conferences/members", methods=["POST"])
@access(roles(R.OFFICER))
def add_member():
    organisation = db.session.get(Organisation,
                                  request.form.get("organisation_id", type=int) or 0)
    try:
        records.add_member(db.session, current_user, organisation)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_conferences(ConferenceForm(formdata=None), exc.status)
    db.session.commit()
    flash(_("已添加成员单位"), "success")
    return redirect(url_for("cases.conferences"))


@bp.route("/conferences/members/<int:member_id>/remove", methods=["POST"])
@access(roles(R.OFFICER))
def remove_member(member_id: int):
    member = db.session.get(ConferenceMember, member_id) or abort(404)
    records.remove_member(db.session, current_user, member)
    db.session.commit()
    flash(_("已移除成员单位"), "success")
    return redirect(url_for("cases.conferences"))


@bp.route("/conferences/<int:conference_id>/attendance", methods=["POST"])
@access(roles(R.OFFICER))
def attendance(conference_id: int):
    meeting = db.session.get(Conference, conference_id) or abort(404)
    form = request.form
    try:
        present = [int(i) for i in form.getlist("present")]
        names = {int(k.removeprefix("representative_")): v for k, v in form.items()
                 if k.startswith("representative_")}
    except ValueError:
        present, names = [0], {}   # not a number: not a member either, refused below
    try:
        records.record_attendance(db.session, current_user, meeting, present=present,
                                  representatives=names)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return conference(conference_id), exc.status
    db.session.commit()
    flash(_("已记录出席情况"), "success")
    return redirect(url_for("cases.conference", conference_id=conference_id,
                            _anchor="attendance"))


@bp.route("/conferences/<int:conference_id>/minutes", methods=["POST"])
@access(roles(R.OFFICER))
def minutes(conference_id: int):
    meeting = db.session.get(Conference, conference_id) or abort(404)
    try:
        records.record_minutes(db.session, current_user, meeting,
                               minutes=request.form.get("minutes", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return conference(conference_id), exc.status
    db.session.commit()
    flash(_("已保存会议纪要"), "success")
    return redirect(url_for("cases.conference", conference_id=conference_id,
                            _anchor="minutes"))


@bp.route("/conferences/<int:conference_id>/minutes.pdf")
@access(roles(R.OFFICER, R.AUDITOR))
def minutes_pdf(conference_id: int):
    meeting = db.session.get(Conference, conference_id) or abort(404)
    if meeting.minutes_at is None:
        abort(404)
    names = {d.id: d.name for d in transfers.departments(db.session)}
    return pdf_response("cases/pdf/minutes.html", f"minutes-{meeting.id}.pdf", meeting=meeting,
                        department_names=names, **template_globals())


@bp.route("/conferences/<int:conference_id>")
@access(roles(R.OFFICER, R.AUDITOR))
def conference(conference_id: int):
    meeting = db.session.get(Conference, conference_id) or abort(404)
    on_agenda = select(AgendaItem.case_id).where(AgendaItem.decision.is_(None))
    candidates = db.session.scalars(select(Case).where(
        Case.status == CaseStatus.ESCALATED, Case.id.not_in(on_agenda))
        .order_by(Case.id)).all()
    member_rows = records.members(db.session)
    recorded = {a.organisation_id: a for a in meeting.attendance}
    return render_template("cases/conference.html", meeting=meeting, candidates=candidates,
                           departments=transfers.departments(db.session),
                           members=member_rows, recorded=recorded,
                           **template_globals(), **_record_globals())


@bp.route("/conferences/<int:conference_id>/agenda", methods=["POST"])
@access(roles(R.OFFICER))
def add_agenda(conference_id: int):
    meeting = db.session.get(Conference, conference_id) or abort(404)
    case = db.session.get(Case, request.form.get("case_id", type=int) or 0)
    if case is None:
        flash(_("请选择个案"), "error")
        return redirect(url_for("cases.conference", conference_id=meeting.id))
    try:
        conference_service.add_to_agenda(db.session, current_user, meeting, case)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return conference(conference_id), exc.status
    db.session.commit()
    flash(_("已列入议程"), "success")
    return redirect(url_for("cases.conference", conference_id=meeting.id))


@bp.route("/conferences/items/<int:item_id>/decision", methods=["POST"])
@access(roles(R.OFFICER))
def decide(item_id: int):
    item = db.session.get(AgendaItem, item_id) or abort(404)
    conference_id = item.conference_id
    form = request.form
    try:
        conference_service.record_decision(
            db.session, current_user, item, decision=form.get("decision", ""),
            note=form.get("note", ""), amount=form.get("amount") or None,
            department_ids=form.getlist("department_ids"),
            exception_reason=form.get("exception_reason") or None, settings=case_settings())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return conference(conference_id), exc.status
    db.session.commit()
    flash(_("已记录会议决定"), "success")
    return redirect(url_for("cases.conference", conference_id=conference_id))


@bp.route("/notifications")
@access(LOGIN)
def inbox():
    stmt = (select(Notification).where(Notification.user_id == current_user.id)
            .order_by(Notification.read_at.is_not(None), Notification.id.desc()))
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template("cases/notifications.html", page=page,
                           unread=notifications.unread_count(db.session, current_user))


@bp.route("/notifications/read", methods=["POST"])
@access(LOGIN)
def mark_read():
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()] or None
    notifications.mark_read(db.session, current_user, ids)
    db.session.commit()
    return redirect(url_for("cases.inbox"))


"""Staff pages: file a lead, the town window's lead queue, a lead's page (convert or close),
the finder's own leads, appeals, and the development outbox of messages to applicants."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.cases.views import case_settings, today
from webapp.doors import bp
from webapp.doors.common import door_settings, show_errors, town_choices
from webapp.doors.forms import CloseForm, ConvertForm, DecisionForm, LeadForm, WindowAppealForm
from webapp.extensions import db
from webapp.models import Appeal, AppealStatus, Case, LeadStatus, Role
from webapp.permissions import access, roles
from webapp.privacy.publishing.redact import mask_phone
from webapp.services import DomainError, NotFoundError, consent
from webapp.services.cases import duplicates, orders, workflow
from webapp.services.doors import appeals, leads, messages

R = Role
FILERS = roles(R.INTAKE_WORKER, R.VOLUNTEER, R.DEPARTMENT_HANDLER, R.RESCUE_STATION, R.OFFICER)
LEAD_READERS = roles(R.INTAKE_WORKER, R.VOLUNTEER, R.DEPARTMENT_HANDLER, R.RESCUE_STATION,
                     R.OFFICER, R.AUDITOR)
HANDLERS = roles(R.INTAKE_WORKER, R.OFFICER)


def _labels() -> dict:
    return {"LEAD_STATUS_LABELS": leads.LEAD_STATUS_LABELS,
            "CLOSE_REASON_LABELS": leads.CLOSE_REASON_LABELS,
            "CHANNEL_LABELS": leads.CHANNEL_LABELS,
            "APPEAL_STATUS_LABELS": appeals.APPEAL_STATUS_LABELS,
            "outcome_text": leads.outcome_text, "mask_phone": mask_phone,
            "STATUS": workflow.STATUS_LABELS}


#: What each kind of message to an applicant is about (the outbox page).
MESSAGE_KIND_LABELS = {"code": "验证码", "lead": "网上申请", "accepted": "已受理",
                       "transferred": "已转办", "approved": "已批准", "paid": "已拨付",
                       "refused": "未获批准", "closed": "已办结", "appeal": "复核结果"}
MESSAGE_STATUS_LABELS = {"queued": "待发送", "sent": "已发送", "retrying": "失败待重试",
                         "failed": "发送失败"}


@bp.route("/leads")
@access(roles(R.INTAKE_WORKER, R.OFFICER, R.AUDITOR))
def lead_queue():
    state = request.args.get("state", "open")
    status = {"open": LeadStatus.OPEN, "converted": LeadStatus.CONVERTED,
              "closed": LeadStatus.CLOSED}.get(state, LeadStatus.OPEN)
    page = db.paginate(leads.queue_stmt(current_user, status=status), per_page=30,
                       error_out=False)
    return render_template("doors/queue.html", page=page, state=status.value, today=today(),
                           **_labels())


@bp.route("/leads/new", methods=["GET", "POST"])
@access(FILERS)
def new_lead():
    form = LeadForm()
    form.town_id.choices = [(0, _("请选择"))] + town_choices()
    status = 200
    if form.validate_on_submit():
        data = form.lead_input(on_behalf=True)
        try:
            lead = leads.file_lead(db.session, current_user, data, settings=door_settings(),
                                   case_settings=case_settings())
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc, "description")
            status = exc.status
        else:
            db.session.commit()
            flash(_("线索 %(n)s 已送到%(town)s受理窗口，应在 %(due)s 前首次联系",
                    n=lead.number, town=lead.town.name, due=lead.due_on.isoformat()), "success")
            return redirect(url_for("doors.lead", lead_id=lead.id))
    elif request.method == "POST":
        status = 400
    return render_template("doors/new_lead.html", form=form), status


@bp.route("/leads/mine")
@access(FILERS)
def my_leads():
    page = db.paginate(leads.mine_stmt(current_user), per_page=30, error_out=False)
    return render_template("doors/mine.html", page=page, **_labels())


def _load(lead_id: int):
    try:
        return leads.get_lead(db.session, current_user, lead_id)
    except NotFoundError:
        abort(404)


def _render_lead(lead, *, convert=None, close=None, status: int = 200, duplicate_message=""):
    handler = leads.can_handle(current_user, lead)
    convert = convert or ConvertForm(prefix="convert")
    close = close or CloseForm(prefix="close")
    notice = consent.notice_in_force(db.session, today())
    if notice is not None:
        if convert.consent_agreed.errors:
            convert.consent_agreed.data = False
        convert.consent_version.data = str(notice.version)
    watcher = handler or current_user.has_role(R.AUDITOR)
    return render_template("doors/lead.html", lead=lead, handler=handler, convert=convert,
                           close=close, today=today(), notice=notice,
                           lead_consent=consent.consent_of_lead(db.session, lead),
                           duplicate_message=duplicate_message,
                           orders=orders.subject_orders(db.session, "lead", lead.id)
                           if watcher else [],
                           LEVEL_LABELS=orders.LEVEL_LABELS,
                           ORDER_STATUS_LABELS=orders.ORDER_STATUS_LABELS,
                           PROXY_RELATIONS=consent.PROXY_RELATIONS, **_labels()), status


@bp.route("/leads/<int:lead_id>")
@access(LEAD_READERS)
def lead(lead_id: int):
    return _render_lead(_load(lead_id))


@bp.route("/leads/<int:lead_id>/convert", methods=["POST"])
@access(HANDLERS)
def convert(lead_id: int):
    lead = _load(lead_id)
    form = ConvertForm(prefix="convert")
    if not form.validate_on_submit():
        return _render_lead(lead, convert=form, status=400)
    hits = duplicates.find_duplicates(db.session, current_user, [form.id_number.data or ""],
                                      category=form.category.data,
                                      hash_key=case_settings().person_hash_key)
    if hits and not form.confirm_duplicates.data and lead.status is LeadStatus.OPEN:
        db.session.commit()  # the audited look-up; no case is written
        return _render_lead(lead, convert=form, status=409,
                            duplicate_message=duplicates.warning(hits))
    try:
        case = leads.convert_lead(db.session, current_user, lead,
                                  id_number=form.id_number.data or "",
                                  category=form.category.data,
                                  amount_needed=form.amount_needed.data or "0",
                                  local_hukou=form.local_hukou.data == "local",
                                  consent=form.consent_input(),
                                  case_settings=case_settings())
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc, "id_number", {"applicant.id_number": "id_number",
                                             "amount_needed": "amount_needed",
                                             "category": "category",
                                             "consent": "consent_agreed"})
        return _render_lead(_load(lead_id), convert=form, status=exc.status)
    db.session.commit()
    flash(_("线索已转为个案 %(n)s 并已受理", n=case.number), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/leads/<int:lead_id>/close", methods=["POST"])
@access(HANDLERS)
def close(lead_id: int):
    lead = _load(lead_id)
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _render_lead(lead, close=form, status=400)
    try:
        leads.close_lead(db.session, current_user, lead, reason=form.reason.data,
                         note=form.note.data or "")
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc, "note")
        return _render_lead(_load(lead_id), close=form, status=exc.status)
    db.session.commit()
    flash(_("线索已关闭"), "success")
    return redirect(url_for("doors.lead_queue"))


# ---- appeals ------------------------------------------------------------------------------

@bp.route("/appeals")
@access(roles(R.OFFICER, R.AUDITOR))
def appeal_list():
    state = request.args.get("state", "open")
    status = AppealStatus.OPEN if state == "open" else None
    rows = list(db.session.scalars(appeals.queue_stmt(status=status).limit(200)))
    return render_template("doors/appeals.html", rows=rows, state=state, form=DecisionForm(),
                           **_labels())


@bp.route("/appeals/<int:appeal_id>/decision", methods=["POST"])
@access(roles(R.OFFICER))
def decide(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        appeals.decide_appeal(db.session, current_user, appeal,
                              overturn=form.outcome.data == "overturn",
                              note=form.note.data or "", case_settings=case_settings())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("doors.appeal_list")), 303
    db.session.commit()
    flash(_("复核已办理：%(outcome)s", outcome=_(appeals.APPEAL_STATUS_LABELS[appeal.status])),
          "success")
    return redirect(url_for("cases.detail", case_id=appeal.case_id))


@bp.route("/appeals/new", methods=["GET", "POST"])
@access(HANDLERS)
def window_appeal():
    """A window files an appeal on the applicant's behalf (代为申请复核)."""
    form = WindowAppealForm()
    status = 200
    if form.validate_on_submit():
        number = (form.number.data or "").strip().upper()
        case = db.session.scalars(select(Case).where(Case.number == number)).first()
        try:
            if case is None:
                raise DomainError("没有找到这个个案编号", field="number")
            appeal = appeals.file_appeal(db.session, current_user, case,
                                         reason=form.reason.data or "",
                                         settings=door_settings())
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc, "reason")
            status = exc.status
        else:
            db.session.commit()
            flash(_("已代为申请复核，将由原决定人以外的工作人员办理"), "success")
            return redirect(url_for("cases.detail", case_id=appeal.case_id))
    elif request.method == "POST":
        status = 400
    return render_template("doors/window_appeal.html", form=form), status


# ---- the development outbox ---------------------------------------------------------------

@bp.route("/outbox")
@access(roles(R.OFFICER, R.ADMIN))
def outbox():
    """What was sent to applicants' phones. With the local sender the texts are shown (so a
    developer can read a code); with a real gateway only the delivery record is."""
    local = messages.current_sender().name == "outbox"
    rows = messages.visible_outbox(db.session)
    return render_template("doors/outbox.html", rows=rows, local=local, mask_phone=mask_phone,
                           KINDS=MESSAGE_KIND_LABELS, MSG_STATUS=MESSAGE_STATUS_LABELS)

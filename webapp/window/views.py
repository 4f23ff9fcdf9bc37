"""Window pages: the public page and wall poster of each town window, the public complaint
form, and the complaint desk of officers (answer) and auditors (read only)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import choices
from webapp.models import Complaint, Organisation, OrgKind, utcnow
from webapp.pdf import pdf_response
from webapp.permissions import PUBLIC, R, access, roles
from webapp.services import DomainError, complaints, windows
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings
from webapp.window import bp
from webapp.window.forms import AnswerForm, ComplaintForm, WindowForm


def case_settings() -> CaseSettings:
    return CaseSettings.from_config(current_app.config)


def county_phone() -> str:
    return str(current_app.config["SUPERVISION_PHONE"])


@bp.app_context_processor
def _inject() -> dict:
    return {"supervision_phone": county_phone()}


def load_town(town_id: int) -> Organisation:
    town = db.session.get(Organisation, town_id)
    if town is None or town.kind != OrgKind.TOWN:
        abort(404)
    return town


def window_context(town: Organisation) -> dict:
    window = windows.window_of(db.session, town)
    return {"town": town, "window": window,
            "duties": windows.duties(case_settings()),
            "schemes": windows.applicable_schemes(db.session, town),
            "town_supervision_phone": windows.supervision_phone(window, county_phone()),
            "complaint_days": complaints.ComplaintPolicy.from_config(
                current_app.config).answer_days}


@bp.route("/windows")
@access(PUBLIC)
def index():
    return render_template("window/index.html",
                           rows=windows.town_windows(db.session))


@bp.route("/windows/<int:town_id>")
@access(PUBLIC)
def page(town_id: int):
    town = load_town(town_id)
    return render_template("window/page.html", **window_context(town),
                           can_edit=current_user.is_authenticated
                           and current_user.has_role(R.OFFICER, R.ADMIN))


@bp.route("/windows/<int:town_id>/poster.pdf")
@access(PUBLIC)
def poster(town_id: int):
    town = load_town(town_id)
    return pdf_response("window/pdf/window_poster.html", f"window-{town.id}-poster.pdf",
                        **window_context(town))


@bp.route("/windows/<int:town_id>/edit", methods=["GET", "POST"])
@access(roles(R.OFFICER, R.ADMIN))
def edit(town_id: int):
    town = load_town(town_id)
    window = windows.window_of(db.session, town)
    form = WindowForm(obj=window)
    status = 200
    if form.validate_on_submit():
        try:
            windows.update_window(db.session, current_user, town,
                                  address=form.address.data or "",
                                  opening_hours=form.opening_hours.data or "",
                                  phone=form.phone.data or "",
                                  supervision_phone=form.supervision_phone.data or "")
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                getattr(form, name, form.address).errors = list(messages)
            status = exc.status
        else:
            db.session.commit()
            flash(_("窗口信息已更新"), "success")
            return redirect(url_for("window.page", town_id=town.id))
    elif request.method == "POST":
        status = 400
    return render_template("window/edit.html", form=form, town=town), status


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    towns = [t for t, _w in windows.town_windows(db.session)]
    form.town_id.choices = choices([(0, _("不确定 / 县级"))] + [(t.id, t.name) for t in towns])
    return form


@bp.route("/complaints/new", methods=["GET", "POST"])
@access(PUBLIC)
def complain():
    form = _complaint_form()
    if request.method == "GET" and request.args.get("town", "").isdigit():
        form.town_id.data = int(request.args["town"])
    status = 200
    if form.validate_on_submit():
        data = complaints.ComplaintInput(
            topic=form.topic.data or "", content=form.content.data or "",
            town_id=form.town_id.data or None, case_number=form.case_number.data or "",
            contact_name=form.contact_name.data or "",
            contact_phone=form.contact_phone.data or "")
        try:
            complaint = complaints.file_complaint(
                db.session, data, address=request.remote_addr or "-",
                policy=complaints.ComplaintPolicy.from_config(current_app.config),
                settings=case_settings())
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                getattr(form, name, form.content).errors = list(messages)
            if not exc.errors:
                form.content.errors = [exc.message]
            status = exc.status
        else:
            db.session.commit()
            return render_template("window/complaint_filed.html", complaint=complaint)
    elif request.method == "POST":
        status = 400
    return render_template("window/complaint_form.html", form=form), status


@bp.route("/supervision/complaints")
@access(roles(R.OFFICER, R.AUDITOR))
def complaint_list():
    state = request.args.get("state", "open")
    page = db.paginate(complaints.complaints_stmt(state if state != "all" else None),
                       per_page=25, error_out=False)
    return render_template("window/complaints.html", page=page, state=state,
                           today=deadlines.local_date(utcnow()))


def render_complaint(complaint: Complaint, form: AnswerForm | None = None, status: int = 200):
    return render_template("window/complaint.html", complaint=complaint,
                           form=form or AnswerForm(),
                           may_answer=complaints.can_answer(current_user),
                           today=deadlines.local_date(utcnow())), status


def load_complaint(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


@bp.route("/supervision/complaints/<int:complaint_id>")
@access(roles(R.OFFICER, R.AUDITOR))
def complaint_detail(complaint_id: int):
    complaint = load_complaint(complaint_id)
    complaints.record_view(db.session, current_user, complaint)
    db.session.commit()
    return render_complaint(complaint)


@bp.route("/supervision/complaints/<int:complaint_id>/answer", methods=["POST"])
@access(roles(R.OFFICER))
def answer(complaint_id: int):
    complaint = load_complaint(complaint_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_complaint(complaint, form, 400)
    try:
        complaints.answer_complaint(db.session, current_user, complaint,
                                    answer=form.answer.data or "")
    except DomainError as exc:
        db.session.rollback()
        form.answer.errors = [exc.message]
        return render_complaint(load_complaint(complaint_id), form, exc.status)
    db.session.commit()
    flash(_("已答复投诉 %(n)s", n=complaint.number), "success")
    return redirect(url_for("window.complaint_detail", complaint_id=complaint.id))

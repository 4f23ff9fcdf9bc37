"""Case pages: intake, my cases, case detail with its actions, reveal, attachments."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp import caching, permissions
from webapp.cases import bp
from webapp.cases.forms import AttachmentForm, IntakeForm
from webapp.extensions import db
from webapp.forms import choices
from webapp.models import (
    CATEGORY_LABELS,
    TERMINAL_STATUSES,
    Attachment,
    Case,
    Role,
    User,
    UserRole,
    utcnow,
)
from webapp.models.catalog import URGENCY_LABELS, VULNERABILITY_FLAGS
from webapp.models.resources import ListingStatus, Scheme
from webapp.permissions import R, access, roles
from webapp.services import DomainError, NotFoundError, consent, county_rules, delivery, ledger
from webapp.services.cases import (
    attachments,
    deadlines,
    disclosure,
    duplicates,
    finding,
    notifications,
    queries,
    transfers,
    workflow,
)
from webapp.services.cases.household import RELATION_LABELS, MemberInput
from webapp.services.cases.intake import (
    SOURCE_LABELS,
    ApplicantInput,
    CaseInput,
    HouseholdInput,
    report_case,
)
from webapp.services.cases.orders import LEVEL_LABELS, ORDER_STATUS_LABELS, case_orders
from webapp.services.cases.settings import CaseSettings
from webapp.services.doors import appeals
from webapp.services.doors.settings import DoorSettings
from webapp.services.ledger import schemes as scheme_rules
from webapp.services.statistics import timeliness

ORDER_ACTION_LABELS = {"order_issue": "发出督办单", "order_reply": "答复督办单",
                       "order_escalate": "督办单升级", "order_close": "督办单办结",
                       "high_impact_on": "标记为重大敏感", "high_impact_off": "取消重大敏感标记"}
READERS = roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR)
WRITERS = roles(R.INTAKE_WORKER, R.OFFICER)
FIELD_OF = {"applicant.name": "name", "applicant.id_number": "id_number",
            "applicant.phone": "phone", "applicant.address": "address", "town": "town_id",
            "village": "village_id", "household.size": "household_size",
            "household.flags": "household_flags", "consent": "consent_agreed"}


def case_settings() -> CaseSettings:
    """The county's rules in force today (database over the config defaults), read once a
    request: a board calls it for every row it dates."""
    found: CaseSettings | None = g.get("case_settings")
    if found is None:
        found = g.case_settings = county_rules.settings_on(db.session, current_app.config,
                                                           today())
    return found


def today() -> dt.date:
    return deadlines.local_date(utcnow())


def upload_dir() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or
                Path(current_app.config["DATA_DIR"]) / "uploads")


def load_case(case_id: int) -> Case:
    """Load a case the current user may see, or 404 (never reveal that it exists)."""
    case = db.session.get(Case, case_id)
    if case is None or not permissions.can_view_case(current_user, case):
        abort(404)
    return case


# Timeline lines written by appeals (webapp/services/doors/appeals.py).
APPEAL_ACTION_LABELS = {"appeal": "申请复核", "appeal_upheld": "复核：维持原决定",
                        "appeal_overturned": "复核：撤销原决定"}


def template_globals() -> dict:
    return {"status_label": workflow.status_label, "STATUS_LABELS": workflow.STATUS_LABELS,
            "CATEGORY_LABELS": CATEGORY_LABELS, "URGENCY_LABELS": URGENCY_LABELS,
            "SOURCE_LABELS": SOURCE_LABELS, "STEP_LABELS": notifications.STEP_LABELS,
            "FLAG_LABELS": VULNERABILITY_FLAGS, "RELATION_LABELS": RELATION_LABELS,
            "TRANSITION_LABELS": {"report": "登记", **ORDER_ACTION_LABELS,
                                  **{a: t.label for a, t in workflow.TRANSITIONS.items()},
                                  **APPEAL_ACTION_LABELS}}


@bp.app_context_processor
def _inject():
    return {"case_labels": template_globals()}


def _visibility(user) -> tuple:
    """What decides which cases ``user`` sees (queries.visible_cases_stmt)."""
    return (sorted(r.value for r in user.roles), permissions.town_id_of(user),
            user.organisation_id)


@bp.route("/")
@access(READERS)
def index():
    args = request.args
    query = finding.parse_query(args.get("q"), hash_key=case_settings().person_hash_key)
    f = queries.CaseFilters(status=args.get("status") or None,
                            town_id=args.get("town", type=int),
                            category=args.get("category") or None,
                            mine=args.get("mine") == "1", overdue=args.get("overdue") == "1",
                            q=query)
    drill = _statistics_drill(args)
    if drill is not None:
        f.within = drill["cases"]
    stmt = queries.apply_filters(queries.visible_cases_stmt(current_user), current_user, f,
                                 today=today()).order_by(Case.high_impact.desc(),
                                                         Case.urgency.desc(), Case.id.desc())
    # The total (a count over every visible case) is computed once per data version.
    page = db.paginate(stmt, per_page=25, error_out=False, count=False)
    page.total = caching.memo("case_list_total", lambda: db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())) or 0,
        sorted((k, v) for k, v in args.items(multi=True) if k != "page"),
        _visibility(current_user), current_user.id, today())
    if query is not None and query.about_person:
        finding.record_person_search(db.session, current_user, query, matches=page.total)
        db.session.commit()
    return render_template("cases/list.html", page=page, f=f,
                           q=(args.get("q") or "").strip()[:40],
                           person_search=finding.may_search_people(current_user),
                           counts=caching.memo("status_counts", lambda: queries.status_counts(
                               db.session, current_user), _visibility(current_user)),
                           towns=queries.towns(db.session), drill=drill,
                           **template_globals())


def _statistics_drill(args) -> dict | None:
    """The cases behind a figure of the statistics page (``?measure=…``), or None; bad
    arguments are a 400 with the reason."""
    if not args.get("measure"):
        return None
    try:
        filters = timeliness.parse_filters(args, today=today())
        cases = timeliness.cases_behind(current_user, filters, measure=args["measure"],
                                        key=args.get("key") or None, today=today())
    except DomainError as exc:
        abort(400, exc.message)
    return {"cases": cases, "label": timeliness.DRILL_LABELS[args["measure"]],
            "months": filters.months,
            "back": url_for("statistics.index", **filters.args())}


def _intake_form() -> IntakeForm:
    form = IntakeForm()
    towns = queries.towns(db.session)
    own = permissions.town_id_of(current_user)
    if not current_user.has_role(Role.OFFICER):
        towns = [t for t in towns if t.id == own]
    form.town_id.choices = choices((t.id, t.name) for t in towns)
    town_id = form.town_id.data or (own if own else (towns[0].id if towns else None))
    villages = queries.villages(db.session, town_id) if town_id else []
    form.village_id.choices = choices([(0, _("（未指定）"))] + [(v.id, v.name) for v in villages])
    return form


def _member_inputs(form: IntakeForm) -> list[MemberInput]:
    return [MemberInput(row.form.name.data or "", row.form.relation.data or "",
                        row.form.id_number.data or "", frozenset(row.form.flags.data or []))
            for row in form.members]


def _show_errors(form: IntakeForm, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (members.<i>.<field> on the row)."""
    for name, messages in exc.errors.items():
        parts = name.split(".")
        if parts[0] == "members" and len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(form.members):
            target = getattr(form.members[int(parts[1])].form, parts[2], form.description)
        else:
            target = getattr(form, FIELD_OF.get(name, name), form.description)
        target.errors = [*target.errors, *messages]
    if not exc.errors:
        form.description.errors.append(exc.message)


@bp.route("/new", methods=["GET", "POST"])
@access(WRITERS)
def new():
    form = _intake_form()
    status = 200
    hits: list[duplicates.DuplicateHit] = []
    if form.validate_on_submit():
        members = _member_inputs(form)
        data = CaseInput(
            applicant=ApplicantInput(form.name.data, form.id_number.data, form.phone.data or "",
                                     form.address.data or "",
                                     local_hukou=form.local_hukou.data == "local"),
            town_id=form.town_id.data, village_id=form.village_id.data or None,
            category=form.category.data, urgency=form.urgency.data,
            amount_needed=form.amount_needed.data, description=form.description.data,
            source=form.source.data, services=list(form.services.data or []),
            household=HouseholdInput(form.household_size.data,
                                     frozenset(form.household_flags.data or [])),
            members=members, consent=form.consent_input())
        hits = duplicates.find_duplicates(
            db.session, current_user, [form.id_number.data, *(m.id_number for m in members)],
            category=form.category.data, hash_key=case_settings().person_hash_key)
        if hits and not form.confirm_duplicates.data:
            db.session.commit()  # the audited look-up; no case is written
            status = 409
        else:
            try:
                case = report_case(db.session, current_user, data, settings=case_settings())
            except DomainError as exc:
                db.session.rollback()
                _show_errors(form, exc)
                status = exc.status
            else:
                db.session.commit()
                flash(_("个案 %(n)s 已登记，请在时限内受理", n=case.number), "success")
                return redirect(url_for("cases.detail", case_id=case.id))
    elif request.method == "POST":
        status = 400
    notice = consent.notice_in_force(db.session, today())
    if notice is not None:  # a refused consent is asked again, for the version in force
        if form.consent_agreed.errors:
            form.consent_agreed.data = False
        form.consent_version.data = str(notice.version)
    return render_template("cases/intake.html", form=form, duplicate_hits=hits,
                           duplicate_message=duplicates.warning(hits), notice=notice), status


@bp.route("/duplicates", methods=["POST"])
@access(WRITERS)
def duplicate_check():
    """The intake form asks, as an ID number is filled in, whether it is already known."""
    hits = duplicates.find_duplicates(
        db.session, current_user, [request.form.get("id_number", "")[:24]],
        category=request.form.get("category") or None,
        hash_key=case_settings().person_hash_key)
    db.session.commit()
    return {"matches": duplicates.as_dicts(hits), "message": duplicates.warning(hits)}


def _owner_choices(case: Case) -> list[User]:
    users = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role.in_([Role.INTAKE_WORKER, Role.OFFICER]), User.active.is_(True))
        .order_by(User.display_name)).unique()
    return [u for u in users if u.id != case.owner_id and (
        u.has_role(Role.OFFICER) or permissions.is_case_town_worker(u, case))]


def render_detail(case: Case, *, revealed: bool = False, error: str | None = None,
                  status: int = 200, failed: str | None = None, typed: dict | None = None):
    view = disclosure.applicant_view(current_user, case, revealed=revealed, today=today())
    description = disclosure.description_view(current_user, case, revealed=revealed)
    files = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                               .order_by(Attachment.id)).all()
    actions = workflow.available_actions(current_user, case)
    held = []
    if any(t.target in TERMINAL_STATUSES for t in actions):
        held = ledger.pending_transfers(db.session, case)
    return render_template(
        "cases/detail.html", case=case, applicant=view, description=description.text,
        members=disclosure.member_views(current_user, case, revealed=revealed),
        consents=disclosure.consent_views(db.session, current_user, case, revealed=revealed),
        CONSENT_METHOD_LABELS=consent.METHOD_LABELS, PROXY_RELATIONS=consent.PROXY_RELATIONS,
        description_masked=description.masked,
        actions=actions, terminal_statuses=TERMINAL_STATUSES,
        held_money=(len(held), sum(t.amount for t in held)),
        open_steps=deadlines.open_deadlines(db.session, case), today=today(),
        departments=transfers.departments(db.session), owners=_owner_choices(case),
        files=files, attachment_form=AttachmentForm(), error=error, failed=failed,
        typed=typed or {}, orders=case_orders(db.session, case),
        LEVEL_LABELS=LEVEL_LABELS, ORDER_STATUS_LABELS=ORDER_STATUS_LABELS,
        can_reveal=permissions.can_reveal_case(current_user, case),
        can_files=permissions.can_view_attachments(current_user, case),
        can_upload=permissions.can_change_case(current_user, case) and not case.is_terminal,
        outcome=delivery.outcome_of(db.session, case.id),
        schemes=_listed_schemes() if any(t.action == "approve" for t in actions) else [],
        conference=scheme_rules.conference_decision(db.session, case),
        outcome_labels=delivery.OUTCOME_LABELS, **_appeal_context(case),
        **template_globals()), status


def _appeal_context(case: Case) -> dict:
    """The case page's appeal card: the latest appeal, and the window's button to file one on
    the applicant's behalf while the decision may still be appealed."""
    settings = DoorSettings.from_config(current_app.config)
    return {"appeal": appeals.latest_appeal(db.session, case),
            "can_appeal": case.status in appeals.APPEALABLE and appeals.may_file(
                db.session, current_user, case, settings=settings, today=today()),
            "appeal_until": appeals.appeal_until(case, settings),
            "APPEAL_STATUS_LABELS": appeals.APPEAL_STATUS_LABELS}


def _listed_schemes() -> list[Scheme]:
    return list(db.session.scalars(select(Scheme).where(Scheme.status == ListingStatus.LISTED)
                                   .order_by(Scheme.code)))


@bp.route("/<int:case_id>")
@access(READERS)
def detail(case_id: int):
    return render_detail(load_case(case_id))


@bp.route("/<int:case_id>/reveal", methods=["POST"])
@access(roles(R.INTAKE_WORKER, R.OFFICER, R.AUDITOR))
def reveal(case_id: int):
    case = load_case(case_id)
    disclosure.reveal(db.session, current_user, case, reason=request.form.get("reason", ""))
    db.session.commit()
    return render_detail(case, revealed=True)


@bp.route("/<int:case_id>/actions/<action>", methods=["POST"])
@access(WRITERS)
def act(case_id: int, action: str):
    case = load_case(case_id)
    if action not in workflow.API_ACTIONS:
        abort(404)
    params: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        result = workflow.fire(db.session, current_user, case, action,
                               settings=case_settings(), **params)
    except DomainError as exc:
        db.session.rollback()
        case = load_case(case_id)
        return render_detail(case, error=exc.message, status=exc.status, failed=action,
                             typed=params)
    released = [(t.id, t.amount) for t in result.released]
    db.session.commit()
    flash(_("已%(label)s", label=_(workflow.TRANSITIONS[action].label)), "success")
    if released:
        flash(_("已自动释放 %(n)s 笔未拨付的预留款项，共 %(amount)s 元（%(ids)s），已恢复为"
                "原资金来源的可用余额；已拨付的款项不受影响。", n=len(released),
                amount=f"{sum(amount for _id, amount in released):,.2f}",
                ids="、".join(f"#{tid}" for tid, _amount in released)), "info")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/outcome", methods=["POST"])
@access(roles(R.OFFICER))
def record_outcome(case_id: int):
    """The officer records the structured, publishable outcome of a closed case."""
    case = load_case(case_id)
    typed = {k: request.form.get(k, "") for k in ("result", "story")}
    try:
        delivery.record_outcome(db.session, current_user, case, result=typed["result"],
                                story=typed["story"])
    except DomainError as exc:
        db.session.rollback()
        return render_detail(load_case(case_id), error=exc.message, status=exc.status,
                             failed="outcome", typed=typed)
    db.session.commit()
    flash(_("已记录救助成效，需求公开页将显示这一结果。"), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@access(WRITERS)
def upload(case_id: int):
    case = load_case(case_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return render_detail(case, error=_("请填写材料名称并选择文件"), status=400)
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    data = form.file.data.read(limit + 1) if form.file.data else b""
    try:
        attachments.add_attachment(db.session, current_user, case, data=data,
                                   label=form.label.data, upload_dir=upload_dir(),
                                   max_bytes=limit)
    except DomainError as exc:
        db.session.rollback()
        return render_detail(load_case(case_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash(_("材料已上传"), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@access(roles(R.INTAKE_WORKER, R.OFFICER, R.AUDITOR))
def download(case_id: int, attachment_id: int):
    case = load_case(case_id)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.case_id != case.id:
        raise NotFoundError("材料不存在")
    path = attachments.open_attachment(db.session, current_user, case, row,
                                       upload_dir=upload_dir())
    db.session.commit()
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=row.media_type,
                         as_attachment=True,
                         download_name=f"{case.number}-{row.id}{path.suffix}")
    response.headers["Cache-Control"] = "no-store"
    return response


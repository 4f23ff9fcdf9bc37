"""The case API: report, list, read, fire transitions, list and answer transfers."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from webapp import permissions
from webapp.api.case_schemas import (
    AnswerIn,
    CaseCreatedOut,
    CaseDetailOut,
    CaseIn,
    CaseListArgs,
    CasePage,
    RevealArgs,
    TransferListArgs,
    TransferOut,
    TransferPage,
    TransitionIn,
    TransitionOut,
)
from webapp.api.schemas import commit_with_body, page_meta
from webapp.errors import problem
from webapp.extensions import db
from webapp.models import Case, Transfer, TransferStatus, utcnow
from webapp.permissions import R, access, roles
from webapp.services import NotFoundError, county_rules
from webapp.services.cases import (
    deadlines,
    disclosure,
    duplicates,
    finding,
    queries,
    transfers,
    workflow,
)
from webapp.services.cases.household import MemberInput
from webapp.services.cases.intake import (
    ApplicantInput,
    CaseInput,
    HouseholdInput,
    check_case,
    report_case,
)
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1", description="急难个案与转办")
READERS = roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR)
WRITERS = roles(R.INTAKE_WORKER, R.OFFICER)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _settings() -> CaseSettings:
    return county_rules.settings_on(db.session, current_app.config,
                                    deadlines.local_date(utcnow()))


def _load(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not permissions.can_view_case(current_user, case):
        raise NotFoundError("个案不存在或您无权查看")
    return case


def _dump(case: Case, *, revealed: bool = False, detail: bool = False) -> dict:
    today = deadlines.local_date(utcnow())
    data = {c: getattr(case, c) for c in (
        "id", "number", "status", "town_id", "town", "village_id", "category", "urgency",
        "amount_needed", "approved_amount", "emergency_amount", "source", "service_list",
        "owner_id", "reported_at", "procedure_due_on", "closed_at")}
    view = disclosure.applicant_view(current_user, case, revealed=revealed, today=today)
    data["applicant"] = view.__dict__ if view else None
    data["members"] = disclosure.member_views(current_user, case, revealed=revealed)
    if detail:
        data["description"] = disclosure.description_view(current_user, case,
                                                           revealed=revealed).text
        data["events"] = case.events
        data["deadlines"] = [{"step": d.step.value, "due_on": d.due_on, "overdue": d.due_on < today,
                              "department_id": d.department_id,
                              "responsible_id": d.responsible_id}
                             for d in deadlines.open_deadlines(db.session, case)]
        data["transfers"] = case.transfers
        data["actions"] = [t.action for t in workflow.available_actions(current_user, case)]
        data["consents"] = disclosure.consent_views(db.session, current_user, case,
                                                    revealed=revealed)
    return _Obj(data)


class _Obj(dict):
    """A dict readable by attribute, so the schemas' Function fields work on it."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@blp.route("/cases", methods=["POST"])
@access(WRITERS)
@blp.arguments(CaseIn)
@blp.response(201, CaseCreatedOut)
@blp.alt_response(400, description="输入有误，未做任何更改")
@blp.alt_response(409, description="该身份证号码（申请人或家庭成员）已有在办个案或本年同类救助："
                                   "`duplicates` 列出个案编号和所在镇；核实后以 "
                                   "`confirm_duplicates: true` 重新提交")
@blp.doc(security=BEARER)
def create_case(body):
    """Report a case (一门受理). Non-local residents are accepted like everyone else.

    The applicant's and the members' ID numbers are checked first, as on the intake page: an
    open case or this year's help for the same cause anywhere in the county refuses the report
    (409, case numbers and towns only) unless ``confirm_duplicates`` is set; the check is
    audited either way."""
    a, h = body["applicant"], body["household"]
    data = CaseInput(
        applicant=ApplicantInput(a["name"], a["id_number"], a["phone"], a["address"],
                                 local_hukou=a["local_hukou"]),
        town_id=body["town"], village_id=body["village"], category=body["category"],
        urgency=body["urgency"], amount_needed=body["amount_needed"],
        description=body["description"], source=body["source"], services=body["services"],
        household=HouseholdInput(h.get("size", 1), frozenset(h.get("flags", ()))),
        members=[MemberInput(m["name"], m["relation"], m["id_number"], frozenset(m["flags"]))
                  for m in body["members"]],
        consent=ConsentInput(**body["consent"]) if body["consent"] else None)
    settings = _settings()
    check_case(db.session, current_user, data, settings=settings)
    hits = duplicates.find_duplicates(
        db.session, current_user, [a["id_number"], *(m["id_number"] for m in body["members"])],
        category=body["category"], hash_key=settings.person_hash_key)
    if hits and not body["confirm_duplicates"]:
        db.session.commit()  # the audited look-up; no case is written
        return problem(409, duplicates.warning(hits), duplicates=duplicates.as_dicts(hits))
    case = report_case(db.session, current_user, data, settings=settings)
    db.session.commit()
    out = _dump(case)
    out["duplicates"] = duplicates.as_dicts(hits)
    return out


@blp.route("/cases", methods=["GET"])
@access(READERS)
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePage)
@blp.doc(security=BEARER)
def list_cases(args):
    """Cases the caller may see, filtered and paginated; personal data masked.

    ``q`` finds a case number or a fragment of it ('303'), and, for those who may see personal
    data, the applicant's full name or ID number (an audited search)."""
    query = finding.parse_query(args.get("q"), hash_key=_settings().person_hash_key)
    f = queries.CaseFilters(status=args.get("status"), town_id=args.get("town"),
                            category=args.get("category"), mine=args["mine"],
                            overdue=args["overdue"], q=query)
    stmt = queries.apply_filters(queries.visible_cases_stmt(current_user), current_user, f,
                                 today=deadlines.local_date(utcnow())).order_by(Case.id.desc())
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    if query is not None and query.about_person:
        finding.record_person_search(db.session, current_user, query, matches=page.total)
        db.session.commit()
    return {"items": [_dump(c) for c in page.items], "meta": page_meta(page)}


@blp.route("/cases/<int:case_id>", methods=["GET"])
@access(READERS)
@blp.arguments(RevealArgs, location="query")
@blp.response(200, CaseDetailOut)
@blp.alt_response(404, description="个案不存在或无权查看")
@blp.doc(security=BEARER)
def get_case(args, case_id: int):
    """One case with timeline, open deadlines, transfers and the caller's actions.

    ``?reveal=1`` shows unmasked personal data to permitted roles and is audited.
    """
    case = _load(case_id)
    if args["reveal"]:
        disclosure.reveal(db.session, current_user, case)
        db.session.commit()
    return _dump(case, revealed=args["reveal"], detail=True)


@blp.route("/cases/<int:case_id>/transitions", methods=["POST"])
@access(WRITERS)
@blp.arguments(TransitionIn)
@blp.response(200, TransitionOut)
@blp.alt_response(403, description="角色或承办人不符")
@blp.alt_response(409, description="当前状态不允许此操作")
@blp.doc(security=BEARER)
def transition(body, case_id: int):
    """Fire one transition of the case's state machine; say which reservations it released."""
    case = _load(case_id)
    params = dict(body)
    action = params.pop("action")
    result = workflow.fire(db.session, current_user, case, action, settings=_settings(),
                           **params)
    data = _dump(case, detail=True)
    data["released_transfers"] = [{"id": t.id, "amount": t.amount} for t in result.released]
    return commit_with_body(TransitionOut(), data)


@blp.route("/transfers", methods=["GET"])
@access(roles(R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR))
@blp.arguments(TransferListArgs, location="query")
@blp.response(200, TransferPage)
@blp.doc(security=BEARER)
def list_transfers(args):
    """Transfers to the caller's department (all of them for officers and auditors)."""
    stmt = transfers.visible_transfers_stmt(current_user)
    if args.get("status"):
        stmt = stmt.where(Transfer.status == TransferStatus(args["status"]))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/transfers/<int:transfer_id>/answer", methods=["POST"])
@access(roles(R.DEPARTMENT_HANDLER, R.OFFICER))
@blp.arguments(AnswerIn)
@blp.response(200, TransferOut)
@blp.alt_response(409, description="已经答复")
@blp.doc(security=BEARER)
def answer_transfer(body, transfer_id: int):
    """A department answers a transfer; the case goes back to where it was."""
    transfer = db.session.scalars(transfers.visible_transfers_stmt(current_user)
                                  .where(Transfer.id == transfer_id)).first()
    if transfer is None:
        raise NotFoundError("转办记录不存在")
    workflow.answer_transfer(db.session, current_user, transfer, answer=body["answer"],
                             settings=_settings())
    db.session.commit()
    return transfer

"""The lead API: file a lead, list the window's queue or one's own leads, read one, turn it
into a case or close it."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from webapp.api.lead_schemas import (
    ClosureIn,
    ConversionIn,
    ConversionOut,
    LeadIn,
    LeadListArgs,
    LeadOut,
    LeadPage,
)
from webapp.api.schemas import page_meta
from webapp.errors import problem
from webapp.extensions import db
from webapp.models import Lead, LeadStatus
from webapp.permissions import R, access, roles
from webapp.services.cases import duplicates
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput
from webapp.services.doors import leads
from webapp.services.doors.settings import DoorSettings

blp = Blueprint("api_leads", __name__, url_prefix="/api/v1", description="线索（主动发现）")
FILERS = roles(R.INTAKE_WORKER, R.VOLUNTEER, R.DEPARTMENT_HANDLER, R.RESCUE_STATION, R.OFFICER)
READERS = roles(R.INTAKE_WORKER, R.VOLUNTEER, R.DEPARTMENT_HANDLER, R.RESCUE_STATION, R.OFFICER,
                R.AUDITOR)
HANDLERS = roles(R.INTAKE_WORKER, R.OFFICER)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _dump(lead: Lead) -> dict:
    personal = leads.can_handle(current_user, lead) or lead.reporter_id == current_user.id
    return {"id": lead.id, "number": lead.number, "status": lead.status,
            "channel": lead.channel, "town_id": lead.town_id, "urgency": lead.urgency,
            "created_at": lead.created_at, "due_on": lead.due_on,
            "outcome": leads.outcome_text(lead), "close_reason": lead.close_reason,
            "case_number": lead.case.number if lead.case else None,
            "name": lead.name if personal else None, "phone": lead.phone if personal else None,
            "address": lead.address if personal else None,
            "description": lead.description if personal else None}


class _Obj(dict):
    def __getattr__(self, name):
        return self[name]


@blp.route("/leads", methods=["POST"])
@access(FILERS)
@blp.arguments(LeadIn)
@blp.response(201, LeadOut)
@blp.alt_response(400, description="输入有误（如镇不存在），未做任何更改")
@blp.doc(security=BEARER)
def file_lead(body):
    """Report a lead (线索) to the town window with the least data needed."""
    data = leads.LeadInput(name=body["name"], town_id=body["town"],
                           description=body["description"], phone=body["phone"],
                           address=body["address"], urgency=body["urgency"], on_behalf=True)
    lead = leads.file_lead(db.session, current_user, data,
                           settings=DoorSettings.from_config(current_app.config),
                           case_settings=CaseSettings.from_config(current_app.config))
    db.session.commit()
    return _Obj(_dump(lead))


@blp.route("/leads", methods=["GET"])
@access(READERS)
@blp.arguments(LeadListArgs, location="query")
@blp.response(200, LeadPage)
@blp.doc(security=BEARER)
def list_leads(args):
    """The window's queue (``status``, default open), or with ``mine=1`` one's own leads."""
    if args["mine"] or not current_user.has_role(R.INTAKE_WORKER, R.OFFICER, R.AUDITOR):
        stmt = leads.mine_stmt(current_user)
    else:
        stmt = leads.queue_stmt(current_user,
                                status=LeadStatus(args["status"] or LeadStatus.OPEN.value))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": [_Obj(_dump(lead)) for lead in page.items], "meta": page_meta(page)}


@blp.route("/leads/<int:lead_id>", methods=["GET"])
@access(READERS)
@blp.response(200, LeadOut)
@blp.alt_response(404, description="线索不存在或无权查看")
@blp.doc(security=BEARER)
def get_lead(lead_id: int):
    """One lead and what became of it."""
    return _Obj(_dump(leads.get_lead(db.session, current_user, lead_id)))


@blp.route("/leads/<int:lead_id>/conversion", methods=["POST"])
@access(HANDLERS)
@blp.arguments(ConversionIn)
@blp.response(201, ConversionOut)
@blp.alt_response(400, description="输入有误，未做任何更改")
@blp.alt_response(409, description="线索已处理；或该身份证号码已有在办个案或本年同类救助（`duplicates` "
                                   "列出个案编号和所在镇，核实后以 `confirm_duplicates: true` 重新提交）")
@blp.doc(security=BEARER)
def convert_lead(body, lead_id: int):
    """Turn the lead into a case accepted by this window; only what it lacks is sent. The ID
    number is checked for duplicates first, as at intake."""
    lead = leads.get_lead(db.session, current_user, lead_id)
    settings = CaseSettings.from_config(current_app.config)
    hits = duplicates.find_duplicates(db.session, current_user, [body["id_number"]],
                                      category=body["category"],
                                      hash_key=settings.person_hash_key)
    if hits and not body["confirm_duplicates"] and lead.status is LeadStatus.OPEN:
        db.session.commit()  # the audited look-up; no case is written
        return problem(409, duplicates.warning(hits), duplicates=duplicates.as_dicts(hits))
    case = leads.convert_lead(db.session, current_user, lead, id_number=body["id_number"],
                              category=body["category"], amount_needed=body["amount_needed"],
                              local_hukou=body["local_hukou"],
                              consent=ConsentInput(**body["consent"]) if body["consent"] else None,
                              case_settings=settings)
    db.session.commit()
    return {"lead": _Obj(_dump(lead)), "case_id": case.id, "case_number": case.number}


@blp.route("/leads/<int:lead_id>/closure", methods=["POST"])
@access(HANDLERS)
@blp.arguments(ClosureIn)
@blp.response(200, LeadOut)
@blp.alt_response(400, description="输入有误，未做任何更改")
@blp.alt_response(409, description="线索已处理")
@blp.doc(security=BEARER)
def close_lead(body, lead_id: int):
    """Close the lead with a reason the reporter will see."""
    lead = leads.get_lead(db.session, current_user, lead_id)
    leads.close_lead(db.session, current_user, lead, reason=body["reason"], note=body["note"])
    db.session.commit()
    return _Obj(_dump(lead))

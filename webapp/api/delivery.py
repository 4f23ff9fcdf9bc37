"""Help delivered: service sessions logged against a pairing, and the outcome of a closed case."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from webapp.extensions import db
from webapp.models import Case, Proposal
from webapp.permissions import MATCH_RESPONDER_ROLES, R, access, roles
from webapp.services import NotFoundError, PermissionDeniedError, delivery

blp = Blueprint("api_delivery", __name__, url_prefix="/api/v1", description="服务交付与救助成效")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
HOURS_DOC = {"type": "string", "format": "decimal", "example": "2.50"}


class SessionIn(Schema):
    delivered_on = fields.String(required=True, metadata={"format": "date",
                                                          "example": "2026-12-01"})
    hours = fields.Raw(required=True, metadata={"type": "string", "format": "decimal",
                                                "example": "2.50"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class SessionOut(Schema):
    id = fields.Integer()
    proposal_id = fields.Integer()
    delivered_on = fields.Date()
    hours = fields.Decimal(as_string=True, metadata=HOURS_DOC)
    note = fields.String()
    created_at = fields.DateTime()


class SessionList(Schema):
    items = fields.List(fields.Nested(SessionOut))
    hours_approved = fields.Decimal(as_string=True, metadata=HOURS_DOC)
    hours_delivered = fields.Decimal(as_string=True, metadata=HOURS_DOC)


class OutcomeIn(Schema):
    result = fields.String(required=True, metadata={
        "description": "resolved | partly_resolved | not_resolved | referred_on"})
    story = fields.String(required=True, validate=validate.Length(max=2000))


class OutcomeOut(Schema):
    case_id = fields.Integer()
    result = fields.Function(lambda o: o.result.value)
    story = fields.String()
    recorded_at = fields.DateTime()


def _pairing(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError("匹配不存在")
    return proposal


@blp.route("/proposals/<int:proposal_id>/sessions")
@access(roles(*MATCH_RESPONDER_ROLES))
@blp.response(200, SessionList)
@blp.alt_response(403, description="不是该服务的提供方")
@blp.doc(security=BEARER)
def list_sessions(proposal_id: int):
    """The service sessions logged against a volunteer pairing (its provider and officers)."""
    proposal = _pairing(proposal_id)
    if not (current_user.has_role(R.OFFICER)
            or delivery.can_log_sessions(db.session, current_user, proposal)):
        raise PermissionDeniedError("只能查看您自己提供的服务对接")
    rows = delivery.sessions_of(db.session, proposal)
    return {"items": rows, "hours_approved": proposal.approved_amount or proposal.amount,
            "hours_delivered": sum((r.hours for r in rows), delivery.ZERO)}


@blp.route("/proposals/<int:proposal_id>/sessions", methods=["POST"])
@access(roles(*MATCH_RESPONDER_ROLES))
@blp.arguments(SessionIn)
@blp.response(201, SessionOut)
@blp.alt_response(400, description="日期、时长或说明有误，或超过批准的时长")
@blp.alt_response(403, description="不是该服务的提供方")
@blp.alt_response(409, description="对接尚未被接受")
@blp.doc(security=BEARER)
def log_session(body, proposal_id: int):
    """Log one session of service delivered (date, hours, short note) against a pairing."""
    row = delivery.log_session(db.session, current_user, _pairing(proposal_id),
                               delivered_on=body["delivered_on"], hours=body["hours"],
                               note=body["note"])
    db.session.commit()
    return row


@blp.route("/cases/<int:case_id>/outcome", methods=["POST"])
@access(roles(R.OFFICER))
@blp.arguments(OutcomeIn)
@blp.response(201, OutcomeOut)
@blp.alt_response(400, description="结果无效，或说明中含有个人信息")
@blp.alt_response(409, description="个案未办结，或已记录成效")
@blp.doc(security=BEARER)
def record_outcome(body, case_id: int):
    """Record the structured outcome of a closed case (once)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFoundError("个案不存在")
    outcome = delivery.record_outcome(db.session, current_user, case, result=body["result"],
                                      story=body["story"])
    db.session.commit()
    return outcome

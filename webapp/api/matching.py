"""Matching in the JSON API: batch runs, proposals and the officer's decisions, and live
suggestions for one need. Officers only; nothing here carries personal data."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from webapp.api.idempotency import IDEMPOTENCY_HEADER, idempotent
from webapp.api.schemas import INT32, PageArgs, PageMeta, page_meta
from webapp.extensions import db
from webapp.matching.labels import run_status
from webapp.models import Job, MatchRun, NeedCard, Proposal, ProposalStatus, RejectReason
from webapp.permissions import R, access, roles
from webapp.services import NotFoundError, matching

blp = Blueprint("api_matching", __name__, url_prefix="/api/v1", description="资源匹配")
BEARER = [{"bearerAuth": []}]
OFFICERS = roles(R.OFFICER)


class Quantity(fields.Field):
    """An amount in yuan (two decimals at most) or whole hours, as a string or number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "format": "decimal", "example": "3000.00"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError("数额格式不正确")
        return str(value)


class SkippedOut(Schema):
    kind = fields.String()
    resource_kind = fields.String(allow_none=True)
    id = fields.Integer()
    title = fields.String()
    reason = fields.String()


class MatchRunOut(Schema):
    id = fields.Integer()
    status = fields.Function(lambda r: run_status(r, db.session.get(Job, r.job_id)
                                                  if r.job_id else None))
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    scorer = fields.String(allow_none=True)
    scorer_reason = fields.String(allow_none=True)
    n_needs = fields.Integer()
    n_resources = fields.Integer()
    n_candidates = fields.Integer()
    n_proposals = fields.Integer()
    n_superseded = fields.Integer()
    objective = fields.Float(allow_none=True)
    greedy_objective = fields.Float(allow_none=True)
    skipped = fields.List(fields.Nested(SkippedOut))
    unmet_need_ids = fields.List(fields.Integer())
    timings = fields.Dict(keys=fields.String(), values=fields.Float())


class ProposalOut(Schema):
    id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    need_id = fields.Integer(attribute="need_card_id")
    case_id = fields.Integer()
    resource_kind = fields.Function(lambda p: p.resource_kind.value)
    resource_id = fields.Integer()
    unit = fields.String()
    amount = Quantity(dump_only=True)
    approved_amount = Quantity(dump_only=True, allow_none=True)
    score = fields.Float()
    explanation = fields.Dict(keys=fields.String(), values=fields.Float())
    status = fields.Function(lambda p: p.status.value)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reason_code = fields.Function(lambda p: p.reason_code.value if p.reason_code else None)
    note = fields.String(allow_none=True)
    money_transfer_id = fields.Integer(allow_none=True)


class ProposalPage(Schema):
    items = fields.List(fields.Nested(ProposalOut))
    meta = fields.Nested(PageMeta)


class ProposalArgs(PageArgs):
    need_id = fields.Integer(validate=INT32)
    status = fields.String(validate=validate.OneOf([s.value for s in ProposalStatus]))


class ApproveIn(Schema):
    amount = Quantity(load_default=None, allow_none=True)


class RejectIn(Schema):
    reason_code = fields.String(required=True,
                                validate=validate.OneOf([r.value for r in RejectReason]))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class SuggestionOut(Schema):
    resource_kind = fields.String()
    resource_id = fields.Integer()
    title = fields.String()
    score = fields.Float()
    unit = fields.String()
    amount_cap = fields.Float()
    explanation = fields.Dict(keys=fields.String(), values=fields.Float())


class SuggestionList(Schema):
    need_id = fields.Integer()
    items = fields.List(fields.Nested(SuggestionOut))


def _proposal(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError("匹配建议不存在")
    return proposal


@blp.route("/matching/runs", methods=["POST"])
@access(OFFICERS)
@blp.response(202, MatchRunOut)
@blp.doc(security=BEARER)
def start_run():
    """Queue a matching batch over all open needs; it runs in the background."""
    run = matching.start_run(db.session, current_user)
    db.session.commit()
    return run


@blp.route("/matching/runs/<int:run_id>")
@access(OFFICERS)
@blp.response(200, MatchRunOut)
@blp.alt_response(404, description="匹配批次不存在")
@blp.doc(security=BEARER)
def get_run(run_id: int):
    """A batch's status and report: counts, skipped items, objective vs greedy, timings."""
    run = db.session.get(MatchRun, run_id)
    if run is None:
        raise NotFoundError("匹配批次不存在")
    return run


@blp.route("/proposals")
@access(OFFICERS)
@blp.arguments(ProposalArgs, location="query")
@blp.response(200, ProposalPage)
@blp.doc(security=BEARER)
def list_proposals(args):
    """Proposals, best score first, filtered by need and status."""
    stmt = select(Proposal).order_by(Proposal.need_card_id, Proposal.score.desc(), Proposal.id)
    if args.get("need_id"):
        stmt = stmt.where(Proposal.need_card_id == args["need_id"])
    if args.get("status"):
        stmt = stmt.where(Proposal.status == ProposalStatus(args["status"]))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/proposals/<int:proposal_id>/approve", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(OFFICERS)
@idempotent
@blp.arguments(ApproveIn)
@blp.response(200, ProposalOut)
@blp.alt_response(400, description="数额无效或超过可批准上限")
@blp.alt_response(409, description="已处理过，或需求已关闭")
@blp.doc(security=BEARER)
def approve(body, proposal_id: int):
    """Approve a proposal (optionally another amount within the limits); money is reserved."""
    return matching.approve(db.session, current_user, _proposal(proposal_id),
                            amount=body.get("amount"))


@blp.route("/proposals/<int:proposal_id>/reject", methods=["POST"],
           parameters=[IDEMPOTENCY_HEADER])
@access(OFFICERS)
@idempotent
@blp.arguments(RejectIn)
@blp.response(200, ProposalOut)
@blp.alt_response(409, description="已处理过")
@blp.doc(security=BEARER)
def reject(body, proposal_id: int):
    """Reject a proposal with a coded reason (不符合条件, 已获救助, 资源不足, 信息不实, 其他)."""
    return matching.reject(db.session, current_user, _proposal(proposal_id),
                           reason_code=body["reason_code"], note=body["note"])


@blp.route("/needs/<int:need_id>/suggestions")
@access(OFFICERS)
@blp.response(200, SuggestionList)
@blp.alt_response(404, description="需求不存在")
@blp.doc(security=BEARER)
def suggestions(need_id: int):
    """The best resources for one published need right now (nothing is written)."""
    card = db.session.get(NeedCard, need_id)
    if card is None:
        raise NotFoundError("需求不存在")
    snap, _index, found = matching.suggestions(db.session, card)
    items = []
    for s in found:
        ref = snap.refs[s.resource_id]
        items.append({"resource_kind": ref.kind.value, "resource_id": ref.id,
                      "title": ref.title, "score": s.score, "unit": s.unit,
                      "amount_cap": s.amount_cap, "explanation": s.contributions})
    return {"need_id": card.id, "items": items}

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
from webapp.matching.labels import explanation_label, rule_label, run_status
from webapp.models import (
    Job,
    ListingKind,
    MatchRun,
    NeedCard,
    Proposal,
    ProposalStatus,
    RejectReason,
)
from webapp.permissions import R, access, roles
from webapp.services import NotFoundError, matching

blp = Blueprint("api_matching", __name__, url_prefix="/api/v1", description="资源匹配")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
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


class SkippedCompetitorOut(Schema):
    need_id = fields.Integer()
    case_number = fields.String()


class SkippedOut(Schema):
    kind = fields.String()
    resource_kind = fields.String(allow_none=True)
    id = fields.Integer()
    title = fields.String()
    case_number = fields.String(metadata={"description": "case of a skipped need"})
    reason = fields.String()
    reasons = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "per rule, how many resources it removed (see the why-not endpoint)"})
    competitors = fields.List(fields.Nested(SkippedCompetitorOut))


class FairnessOut(Schema):
    town = fields.String()
    category = fields.String()
    n_open = fields.Integer()
    share_proposed = fields.Float()
    share_proposed_greedy = fields.Float()
    median_covered = fields.Float()
    median_covered_greedy = fields.Float()


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
    fairness = fields.List(fields.Nested(FairnessOut), metadata={
        "description": "by town and category: share of open needs proposed and median share "
                       "of the gap covered, optimal vs the greedy baseline"})
    timings = fields.Dict(keys=fields.String(), values=fields.Float())


class ExplanationTerm(Schema):
    term = fields.String(metadata={"description": "feature name, or baseline"})
    label = fields.String(metadata={"description": "what the officer reads (Chinese)"})
    contribution = fields.Float()


def _terms(explanation: dict | None) -> list[dict]:
    """The explanation as labelled terms, largest first; they add up to the score."""
    items = sorted((explanation or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"term": k, "label": explanation_label(k), "contribution": v}
            for k, v in items if v != 0]


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
    explanation_terms = fields.Function(
        lambda p: _terms(p.explanation), metadata={"description": "the score as a sum of "
                                                   "labelled terms, largest first"})
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
    explanation_terms = fields.List(fields.Nested(ExplanationTerm))


class SuggestionList(Schema):
    need_id = fields.Integer()
    items = fields.List(fields.Nested(SuggestionOut))


class WhyNotArgs(Schema):
    resource = fields.String(
        required=True, validate=validate.Regexp(r"^(project|fund|offer|scheme):[1-9][0-9]{0,9}$",
                                                error="资源格式应为 类型:编号，如 project:3"),
        metadata={"description": "kind:id of the listing, e.g. project:3", "example": "fund:2"})


class CompetitorOut(Schema):
    need_id = fields.Integer()
    case_number = fields.String()
    amount = Quantity(dump_only=True)
    unit = fields.String()
    status = fields.String()


class WhyNotOut(Schema):
    need_id = fields.Integer()
    resource = fields.String()
    rule = fields.String(metadata={"description": (
        "gap_covered, category, town, kind, service, household, age, once_per_cause, decided, "
        "capacity_used, not_chosen (matcher rules), or not_listed, dates, need_closed, "
        "proposed, taken")})
    label = fields.String(metadata={"description": "the reason in the officer's words"})
    competitors = fields.List(fields.Nested(CompetitorOut), metadata={
        "description": "needs holding the resource's capacity (capacity_used, taken)"})


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
        unit, cap = matching.suggestion_amount(snap, s)
        items.append({"resource_kind": ref.kind.value, "resource_id": ref.id,
                      "title": ref.title, "score": s.score, "unit": unit,
                      "amount_cap": cap, "explanation": s.contributions,
                      "explanation_terms": _terms(s.contributions)})
    return {"need_id": card.id, "items": items}


@blp.route("/needs/<int:need_id>/why-not")
@access(OFFICERS)
@blp.arguments(WhyNotArgs, location="query")
@blp.response(200, WhyNotOut)
@blp.alt_response(404, description="需求或资源不存在")
@blp.doc(security=BEARER)
def why_not(args, need_id: int):
    """Why a resource (``?resource=kind:id``) is not proposed for a need: the hard rule that
    excludes the pair, or the competing needs that took its capacity."""
    card = db.session.get(NeedCard, need_id)
    if card is None:
        raise NotFoundError("需求不存在")
    kind, _sep, listing_id = args["resource"].partition(":")
    answer = matching.why_not(db.session, card, ListingKind(kind), int(listing_id))
    return {"need_id": card.id, "resource": args["resource"], "rule": answer.rule,
            "label": rule_label(answer.rule), "competitors": answer.competitors}

"""Pledges API and the public, anonymized needs API."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from webapp import permissions
from webapp.api import resource_schemas as rs
from webapp.api.resources import filters_from_args
from webapp.api.schemas import commit_with_body, page_meta
from webapp.extensions import db
from webapp.models import NeedCard
from webapp.models.resources import Pledge, PledgeStatus, Project
from webapp.permissions import LOGIN, PUBLIC, R, access, roles
from webapp.services import NotFoundError, browse, pledges

blp = Blueprint("api_pledges", __name__, url_prefix="/api/v1",
                description="急难需求（匿名）与爱心认捐")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/needs")
@access(PUBLIC)
@blp.arguments(rs.NeedArgs, location="query")
@blp.response(200, rs.page_of(rs.NeedOut))
def list_needs(args):
    """Published needs (anonymized cards), by urgency, unmet gap and waiting time."""
    views = browse.published_needs(db.session, filters_from_args(args))
    page = browse.ListPagination(views, page=args["page"], per_page=args["per_page"])
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/needs/<int:need_id>")
@access(PUBLIC)
@blp.response(200, rs.NeedOut)
def get_need(need_id: int):
    """One published need (anonymized card)."""
    return browse.published_need(db.session, need_id) or abort(404)


@blp.route("/pledges")
@access(LOGIN)
@blp.arguments(rs.PledgeArgs, location="query")
@blp.response(200, rs.page_of(rs.PledgeOut))
@blp.doc(security=SECURITY)
def list_pledges(args):
    """Pledges you made, or (charities, officers) pledges you receive."""
    status = PledgeStatus(args["status"]) if args.get("status") else None
    page = db.paginate(pledges.visible_pledges(current_user, status=status),
                       page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/pledges", methods=["POST"])
@access(roles(R.DONOR))
@blp.arguments(rs.PledgeIn)
@blp.response(201, rs.PledgeOut)
@blp.alt_response(400, description="validation failed, e.g. the need is not published")
@blp.doc(security=SECURITY)
def create_pledge(body):
    """Pledge money or a service to a published need or a listed project."""
    need = project = None
    if body.get("need_id") is not None:
        need = db.session.get(NeedCard, body["need_id"])
        if need is None:
            raise NotFoundError("需求不存在", field="need_id")
    if body.get("project_id") is not None:
        project = db.session.get(Project, body["project_id"])
        if project is None:
            raise NotFoundError("项目不存在", field="project_id")
    pledge = pledges.make_pledge(db.session, current_user, need=need, project=project,
                                 amount=body.get("amount"), service=body.get("service"),
                                 message=body.get("message"))
    return commit_with_body(rs.PledgeOut(), pledge, 201)


def _load(pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or not permissions.can_view_pledge(current_user, pledge):
        abort(404)
    return pledge


@blp.route("/pledges/<int:pledge_id>")
@access(LOGIN)
@blp.response(200, rs.PledgeOut)
@blp.doc(security=SECURITY)
def get_pledge(pledge_id: int):
    """One pledge you made or receive."""
    return _load(pledge_id)


@blp.route("/pledges/<int:pledge_id>", methods=["PATCH"])
@access(LOGIN)
@blp.arguments(rs.PledgePatch)
@blp.response(200, rs.PledgeOut)
@blp.alt_response(409, description="not allowed from the current status")
@blp.doc(security=SECURITY)
def patch_pledge(body, pledge_id: int):
    """Confirm, fulfil or cancel a pledge (receivers; donors may cancel before confirmation)."""
    pledge = _load(pledge_id)
    pledges.move_pledge(db.session, current_user, pledge, PledgeStatus(body["status"]),
                        used_need_id=body.get("used_need_id"))
    db.session.commit()
    return pledge

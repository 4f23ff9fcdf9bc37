"""Listings API: charity projects, relief funds, volunteer offers and government schemes.

Listed items are public (no token needed); writes need the right role and organisation.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from webapp import permissions
from webapp.api import resource_schemas as rs
from webapp.api.schemas import page_meta
from webapp.extensions import db
from webapp.models import Category
from webapp.models.resources import LISTING_MODELS, ListingKind, ListingStatus, Project
from webapp.permissions import LOGIN, PUBLIC, access, roles
from webapp.services import browse, listings

blp = Blueprint("api_resources", __name__, url_prefix="/api/v1",
                description="慈善项目、公益基金、志愿服务与救助政策")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class WithProgress:
    """A project seen through the API: its columns plus pledged and gap."""

    def __init__(self, view: browse.ProjectView):
        self._view = view

    def __getattr__(self, name):
        if name in ("pledged", "gap"):
            return getattr(self._view, name)
        return getattr(self._view.project, name)


def _present(listing):
    if isinstance(listing, Project):
        pledged = browse.listed_project(db.session, listing.id)
        return WithProgress(pledged or browse.ProjectView(listing, browse.ZERO))
    return listing


def filters_from_args(args) -> browse.Filters:
    category = args.get("category")
    return browse.Filters(category=Category(category) if category else None,
                          town_id=args.get("town"), min_urgency=args.get("urgency"),
                          min_gap=args.get("min_gap"), max_gap=args.get("max_gap"))


def _readable(listing) -> bool:
    return listing.status == ListingStatus.LISTED or (
        current_user.is_authenticated and (permissions.can_manage_listing(current_user, listing)
                                           or permissions.can_review_listings(current_user)))


@dataclass(frozen=True)
class Endpoint:
    kind: ListingKind
    path: str
    out: type
    body: type
    patch: type
    noun: str


ENDPOINTS = [
    Endpoint(ListingKind.PROJECT, "projects", rs.ProjectOut, rs.ProjectIn, rs.ProjectPatch,
             "charity project"),
    Endpoint(ListingKind.FUND, "funds", rs.FundOut, rs.FundIn, rs.FundPatch, "relief fund"),
    Endpoint(ListingKind.OFFER, "offers", rs.OfferOut, rs.OfferIn, rs.OfferPatch,
             "volunteer offer"),
    Endpoint(ListingKind.SCHEME, "schemes", rs.SchemeOut, rs.SchemeIn, rs.SchemePatch,
             "government scheme"),
]


def _list_rows(ep: Endpoint, args):
    filters = filters_from_args(args)
    page, per_page = args["page"], args["per_page"]
    model = LISTING_MODELS[ep.kind]
    if args.get("mine"):
        if not current_user.is_authenticated:
            abort(401)
        if not permissions.can_create_listing(current_user, ep.kind.value):
            abort(403)
        status = ListingStatus(args["status"]) if args.get("status") else None
        stmt = browse.filter_listings(listings.own_listings(current_user, ep.kind,
                                                            status=status), model, filters)
        result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
        return [_present(x) for x in result.items], result
    if ep.kind == ListingKind.PROJECT:
        result = browse.paginate_projects(db.session, filters, page=page, per_page=per_page)
        return [WithProgress(v) for v in result.items], result
    stmt = browse.filter_listings(
        select(model).where(model.status == ListingStatus.LISTED)
        .order_by(model.listed_at.desc(), model.id.desc()), model, filters)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return result.items, result


def _register(ep: Endpoint) -> None:
    def list_items(args):
        items, result = _list_rows(ep, args)
        return {"items": items, "meta": page_meta(result)}

    def create_item(body):
        listing = listings.create_listing(db.session, current_user, ep.kind, body)
        db.session.commit()
        return _present(listing)

    def get_item(item_id: int):
        listing = db.session.get(LISTING_MODELS[ep.kind], item_id)
        if listing is None or not _readable(listing):
            abort(404)
        return _present(listing)

    def patch_item(body, item_id: int):
        listing = db.session.get(LISTING_MODELS[ep.kind], item_id)
        if listing is None or not _readable(listing):
            abort(404)
        target = body.pop("status", None)
        moderating = target in ("paused", "closed") and not body and \
            permissions.can_review_listings(current_user)
        if not permissions.can_manage_listing(current_user, listing) and not moderating:
            abort(403)
        if body:
            listings.update_listing(db.session, current_user, listing, body)
        if target == ListingStatus.PENDING_REVIEW.value and listing.status == ListingStatus.DRAFT:
            listings.submit_listing(db.session, current_user, listing)
        elif target is not None and target != ListingStatus.PENDING_REVIEW.value:
            listings.set_listing_status(db.session, current_user, listing, ListingStatus(target))
        db.session.commit()
        return _present(listing)

    for fn, verb in ((list_items, "list"), (create_item, "create"), (get_item, "get"),
                     (patch_item, "patch")):
        fn.__name__ = f"{verb}_{ep.path}"
        fn.__qualname__ = fn.__name__

    list_items.__doc__ = f"List {ep.noun}s: listed ones for everyone; mine=true for your own."
    create_item.__doc__ = f"Create a draft {ep.noun} for your organisation."
    get_item.__doc__ = f"One {ep.noun} (listed ones are public)."
    patch_item.__doc__ = (f"Edit a {ep.noun} of your organisation or change its status; a "
                          "material edit of a listed item sends it back to review.")

    blp.route(f"/{ep.path}", methods=["GET"])(
        access(PUBLIC)(blp.arguments(rs.ListingArgs, location="query")(
            blp.response(200, rs.page_of(ep.out))(blp.doc(security=SECURITY)(list_items)))))
    blp.route(f"/{ep.path}", methods=["POST"])(
        access(roles(*permissions.LISTING_ROLES[ep.kind.value]))(
            blp.arguments(ep.body)(blp.response(201, ep.out)(
                blp.alt_response(400, description="validation failed (problem+json)")(
                    blp.doc(security=SECURITY)(create_item))))))
    blp.route(f"/{ep.path}/<int:item_id>", methods=["GET"])(
        access(PUBLIC)(blp.response(200, ep.out)(blp.doc(security=SECURITY)(get_item))))
    blp.route(f"/{ep.path}/<int:item_id>", methods=["PATCH"])(
        access(LOGIN)(blp.arguments(ep.patch)(blp.response(200, ep.out)(
            blp.alt_response(403, description="not your organisation's")(
                blp.doc(security=SECURITY)(patch_item))))))


for _ep in ENDPOINTS:
    _register(_ep)

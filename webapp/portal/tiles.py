"""Dashboard tiles of the resource area: own listings, pledges to confirm, pending reviews."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.main import dashboards
from webapp.models import Role
from webapp.models.resources import ListingKind, ListingStatus, PledgeStatus
from webapp.services import listings, pledges


def _count(stmt) -> int:
    return db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _listing_tiles(kind: ListingKind, endpoint: str, title: str):
    def provider(user):
        stmt = listings.own_listings(user, kind)
        return [(title, _count(stmt), url_for(endpoint)),
                ("已公开", _count(listings.own_listings(user, kind, status=ListingStatus.LISTED)),
                 url_for(endpoint, status="listed"))]
    return provider


def _pledges_to_confirm(user):
    stmt = pledges.pledges_for_handler(user, status=PledgeStatus.PLEDGED)
    return [("待确认的认捐", _count(stmt), url_for("portal.pledge_desk"))]


def _pending_reviews(user):
    return [("待审核的上架申请", _count(listings.pending_reviews(db.session)),
             url_for("portal.review_queue"))]


def _my_pledges(user):
    return [("我的捐助", _count(pledges.donor_pledges(user)), url_for("public.my_pledges"))]


dashboards.register(frozenset({Role.CHARITY_STAFF}),
                    _listing_tiles(ListingKind.PROJECT, "portal.projects", "我的项目"))
dashboards.register(frozenset({Role.FUND_MANAGER}),
                    _listing_tiles(ListingKind.FUND, "portal.funds", "我的基金"))
dashboards.register(frozenset({Role.VOLUNTEER}),
                    _listing_tiles(ListingKind.OFFER, "portal.offers", "我的服务"))
dashboards.register(frozenset({Role.OFFICER}), _pending_reviews)
dashboards.register(frozenset({Role.CHARITY_STAFF, Role.OFFICER}), _pledges_to_confirm)
dashboards.register(frozenset({Role.DONOR}), _my_pledges)

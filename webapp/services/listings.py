"""Listings (charity projects, relief funds, volunteer offers, government schemes): create,
edit, submit for review, officer review, pause, resume and close.

A new or materially changed listing waits in the officers' review queue (``ListingReview``)
before it is public. Every change writes one audit event and publishes ``listing.changed``.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import User, utcnow
from webapp.models.resources import (
    LISTING_MODELS,
    ListingKind,
    ListingMixin,
    ListingReview,
    ListingStatus,
    Offer,
    Project,
    ReviewDecision,
)
from webapp.services import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    audit,
    events,
)
from webapp.services.listing_rules import NON_MATERIAL, clean

S = ListingStatus
# Moves an owner may make directly; listing needs a review (see submit_listing / review).
# A paused listing goes public again only through review: the pause may be an officer's
# moderation, which its owner must not be able to undo (see set_listing_status).
OWNER_MOVES = {
    (S.LISTED, S.PAUSED),
    (S.DRAFT, S.CLOSED), (S.PENDING_REVIEW, S.CLOSED), (S.LISTED, S.CLOSED), (S.PAUSED, S.CLOSED),
    (S.PENDING_REVIEW, S.DRAFT),
}


def _announce(session: Session, actor: User, listing: ListingMixin, action: str,
              summary: dict[str, Any]) -> None:
    audit.record(session, actor, f"{listing.kind.value}.{action}", listing,
                 summary={"status": listing.status.value, **summary})
    events.publish(session, events.ListingChanged(listing.kind.value, listing.id))


def get_listing(session: Session, kind: ListingKind, listing_id: int) -> ListingMixin:
    """The listing of ``kind`` with this id, or NotFoundError."""
    listing = session.get(LISTING_MODELS[kind], listing_id)
    if listing is None:
        raise NotFoundError("记录不存在")
    return listing


def _require_manager(actor: User, listing: ListingMixin) -> None:
    if not permissions.can_manage_listing(actor, listing):
        raise PermissionDeniedError("只能管理本机构的项目、基金或服务")


def create_listing(session: Session, actor: User, kind: ListingKind,
                   data: dict[str, Any]) -> ListingMixin:
    """Create a draft listing owned by the actor's organisation (or a chosen department)."""
    if not permissions.can_create_listing(actor, kind.value):
        raise PermissionDeniedError("您的角色不能发布此类信息")
    if kind == ListingKind.SCHEME and not actor.has_role(permissions.R.OFFICER):
        data = {**data, "organisation_id": actor.organisation_id}
    values = clean(session, kind, data)
    model = LISTING_MODELS[kind]
    listing = model(status=S.DRAFT, **values)
    if kind != ListingKind.SCHEME:
        listing.organisation_id = actor.organisation_id
    if isinstance(listing, Offer) and actor.organisation.kind.value == "public":
        listing.volunteer_id = actor.id
    session.add(listing)
    session.flush()
    _announce(session, actor, listing, "create", {})
    return listing


def _pending_review(session: Session, listing: ListingMixin) -> ListingReview | None:
    return session.scalars(select(ListingReview).where(
        ListingReview.kind == listing.kind, ListingReview.listing_id == listing.id,
        ListingReview.decision == ReviewDecision.PENDING)).first()


def update_listing(session: Session, actor: User, listing: ListingMixin,
                   data: dict[str, Any]) -> list[str]:
    """Apply an edit; a material change to a public listing sends it back to review.

    Returns the names of the fields that changed.
    """
    _require_manager(actor, listing)
    if listing.status == S.CLOSED:
        raise ConflictError("已关闭的信息不能再修改")
    if listing.kind == ListingKind.SCHEME and not actor.has_role(permissions.R.OFFICER):
        data = {k: v for k, v in data.items() if k != "organisation_id"}
    values = clean(session, listing.kind, data, current=listing)
    changed = sorted(k for k, v in values.items() if getattr(listing, k) != v)
    if not changed:
        return []
    for name in changed:
        setattr(listing, name, values[name])
    material = [f for f in changed if f not in NON_MATERIAL.get(listing.kind, frozenset())]
    if material and listing.status in (S.LISTED, S.PAUSED):
        listing.status = S.PENDING_REVIEW
        session.add(ListingReview(kind=listing.kind, listing_id=listing.id,
                                  organisation_id=listing.organisation_id,
                                  changed_fields=",".join(material), submitted_by_id=actor.id))
    elif material and listing.status == S.PENDING_REVIEW:
        review = _pending_review(session, listing)
        if review is not None and review.changed_fields:
            fields = set(review.changed_fields.split(",")) | set(material)
            review.changed_fields = ",".join(sorted(fields))
    session.flush()
    _announce(session, actor, listing, "update", {"fields": changed})
    return changed


def submit_listing(session: Session, actor: User, listing: ListingMixin) -> ListingReview:
    """Send a draft to the officers' review queue."""
    _require_manager(actor, listing)
    if listing.status != S.DRAFT:
        raise ConflictError("只有草稿可以提交审核")
    listing.status = S.PENDING_REVIEW
    review = ListingReview(kind=listing.kind, listing_id=listing.id,
                           organisation_id=listing.organisation_id, submitted_by_id=actor.id,
                           changed_fields="" if listing.listed_at is None else "resubmitted")
    session.add(review)
    session.flush()
    _announce(session, actor, listing, "submit", {"review_id": review.id})
    return review


def _resubmit_paused(session: Session, actor: User, listing: ListingMixin) -> None:
    """The owner asks for a paused listing to be public again: it goes back to review."""
    listing.status = S.PENDING_REVIEW
    review = ListingReview(kind=listing.kind, listing_id=listing.id,
                           organisation_id=listing.organisation_id, submitted_by_id=actor.id,
                           changed_fields="resumed")
    session.add(review)
    session.flush()
    _announce(session, actor, listing, "submit", {"review_id": review.id, "from": "paused"})


def set_listing_status(session: Session, actor: User, listing: ListingMixin,
                       target: ListingStatus) -> None:
    """Pause, resume, withdraw from review or close a listing. Officers may pause or close
    any listing (moderation); resuming a paused listing sends it to review."""
    moderating = permissions.can_review_listings(actor) and target in (S.PAUSED, S.CLOSED) \
        and not permissions.can_manage_listing(actor, listing)
    if not moderating:
        _require_manager(actor, listing)
    if listing.status == target:
        return
    if (listing.status, target) == (S.PAUSED, S.LISTED):
        _resubmit_paused(session, actor, listing)
        return
    if (listing.status, target) not in OWNER_MOVES:
        if target == S.LISTED:
            raise ConflictError("需经民政部门审核通过后才能公开")
        raise ConflictError("当前状态下不能进行此操作")
    before = listing.status
    if before == S.PENDING_REVIEW:
        review = _pending_review(session, listing)
        if review is not None:
            review.decision = ReviewDecision.WITHDRAWN
            review.decided_at = utcnow()
    listing.status = target
    session.flush()
    _announce(session, actor, listing, "status", {"from": before.value})


def decide_review(session: Session, actor: User, review: ListingReview, *, approve: bool,
                  reason: str | None = None) -> None:
    """Approve (the listing becomes public) or reject with a reason (back to draft)."""
    if not permissions.can_review_listings(actor):
        raise PermissionDeniedError("只有民政部门工作人员可以审核")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("驳回时请填写原因", field="reason")
    if len(reason) > 500:
        raise DomainError("原因不能超过 500 个字", field="reason")
    if review.decision != ReviewDecision.PENDING:
        raise ConflictError("该申请已经处理过了")
    listing = get_listing(session, review.kind, review.listing_id)
    if listing.status != S.PENDING_REVIEW:
        raise ConflictError("该信息已不在待审核状态")
    now = utcnow()
    review.decision = ReviewDecision.APPROVED if approve else ReviewDecision.REJECTED
    review.decided_by_id, review.decided_at, review.reason = actor.id, now, reason or None
    if approve:
        listing.status = S.LISTED
        listing.listed_at = listing.listed_at or now
        listing.review_note = None
    else:
        listing.status = S.DRAFT
        listing.review_note = reason
    session.flush()
    _announce(session, actor, listing, "approve" if approve else "reject",
              {"review_id": review.id})


def set_featured(session: Session, actor: User, project: Project, featured: bool) -> None:
    """Officers choose which listed projects the home page features."""
    if not permissions.can_review_listings(actor):
        raise PermissionDeniedError("只有民政部门工作人员可以设置推荐项目")
    if project.featured == featured:
        return
    project.featured = featured
    session.flush()
    _announce(session, actor, project, "feature", {"featured": featured})


def pending_reviews(session: Session) -> Select[tuple[ListingReview]]:
    """Statement of the pending reviews, oldest first."""
    return select(ListingReview).where(ListingReview.decision == ReviewDecision.PENDING) \
        .order_by(ListingReview.submitted_at, ListingReview.id)


def own_listings(actor: User, kind: ListingKind, *,
                 status: ListingStatus | None = None) -> Select[tuple[ListingMixin]]:
    """Statement of the listings of ``kind`` the actor manages, newest first."""
    model = LISTING_MODELS[kind]
    stmt = select(model).order_by(model.updated_at.desc(), model.id.desc())
    if kind == ListingKind.SCHEME and actor.has_role(permissions.R.OFFICER):
        pass
    elif kind == ListingKind.OFFER and actor.organisation.kind.value == "public":
        stmt = stmt.where(Offer.volunteer_id == actor.id)  # the model of this kind
    else:
        stmt = stmt.where(model.organisation_id == actor.organisation_id)
    if status is not None:
        stmt = stmt.where(model.status == status)
    return stmt

"""Why a resource was not proposed for a need, in the words an officer can act on.

First the listing itself (not listed, or its dates over), then the matcher's hard rules for the
pair (:func:`matching.pipeline.why_not`), and when every rule allows the pair, what happened to
it: it is proposed or decided already, other needs hold its capacity (named with their case
numbers), or better-fitting resources were proposed for this need instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.pipeline import why_not as engine_why_not
from webapp.models import ListingKind, ListingStatus, NeedCard, Proposal, ProposalStatus, utcnow
from webapp.models.matching import ACTIVE_STATUSES
from webapp.models.resources import split_codes
from webapp.services import NotFoundError
from webapp.services.matching import records
from webapp.services.matching.runs import cached_index

#: Reasons beyond the matcher's rules (see matching.reasons.RULES for those).
LISTING_RULES = ("not_listed", "dates", "need_closed", "service_taken", "proposed", "taken")


@dataclass(frozen=True)
class WhyNotAnswer:
    """The rule (or event) that kept the resource from the need, and the needs that took it."""

    rule: str
    competitors: list[dict[str, Any]] = field(default_factory=list)


def _competitors(session: Session, card: NeedCard, kind: ListingKind, listing_id: int,
                 statuses: Iterable[ProposalStatus]) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Proposal.need_card_id, Proposal.amount, Proposal.unit, Proposal.status)
        .where(Proposal.resource_kind == kind, Proposal.resource_id == listing_id,
               Proposal.need_card_id != card.id, Proposal.status.in_(list(statuses)))
        .order_by(Proposal.id)).all()
    cards = {c.id: c for c in session.scalars(
        select(NeedCard).where(NeedCard.id.in_([r[0] for r in rows])))}
    return [{"need_id": need_id, "case_number": cards[need_id].case.number,
             "amount": float(amount), "unit": unit, "status": status.value}
            for need_id, amount, unit, status in rows if need_id in cards]


def _service_taken(session: Session, card: NeedCard, offer: Any) -> bool:
    """Whether the offer provides a service the need asked for, that another offer (approved
    or accepted) already takes on: one offer per service, so the matcher no longer asks it."""
    shared = frozenset(split_codes(card.services)) & frozenset(split_codes(offer.services or ""))
    return bool(shared) and shared <= records.services_taken_on(session, [card.id]).get(
        card.id, frozenset())


def why_not(session: Session, card: NeedCard, kind: ListingKind, listing_id: int, *,
            now: dt.datetime | None = None) -> WhyNotAnswer:
    """Say why ``kind:listing_id`` is not (or no longer) proposed for ``card``."""
    now = now or utcnow()
    listing: Any = session.get(records.LISTING_MODELS[kind], listing_id)
    if listing is None:
        raise NotFoundError("资源不存在")
    if listing.status != ListingStatus.LISTED:
        return WhyNotAnswer("not_listed")
    if not records.still_running(listing, now.date()):
        return WhyNotAnswer("dates")
    index, resources, refs = cached_index(session, today=now.date())
    snap = records.snapshot(session, need_ids=[card.id], resources=(resources, refs), now=now)
    if not snap.needs:
        return WhyNotAnswer("need_closed")
    rid = snap.matcher_id(kind, listing_id)
    if rid is None:  # listed after the cached index was built: rebuild on the next call
        return WhyNotAnswer("not_listed")
    rule = engine_why_not(snap.needs[0], index, rid, exclusions=snap.exclusions)
    if rule == "service" and kind == ListingKind.OFFER and _service_taken(session, card, listing):
        return WhyNotAnswer("service_taken")
    if rule == "capacity_used":
        return WhyNotAnswer(rule, _competitors(session, card, kind, listing_id, ACTIVE_STATUSES))
    if rule is not None:
        return WhyNotAnswer(rule)
    mine = session.scalars(select(Proposal.id).where(
        Proposal.need_card_id == card.id, Proposal.resource_kind == kind,
        Proposal.resource_id == listing_id, Proposal.status == ProposalStatus.PROPOSED)).first()
    if mine is not None:
        return WhyNotAnswer("proposed")
    taken = _competitors(session, card, kind, listing_id,
                         {ProposalStatus.PROPOSED, *ACTIVE_STATUSES})
    if taken:
        return WhyNotAnswer("taken", taken)
    return WhyNotAnswer("not_chosen")

"""Plain matcher records built from the database.

Needs carry only what the anonymized card publishes (category, urgency, amounts, age band,
services, the redacted story) plus the case's town, household flags and size and the keyed
person hash;
no name, ID number, phone, address or birth date is ever read here. Listings live in four
tables, so each gets a matcher id for the run and a :class:`ResourceRef` to map it back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.records import DEFAULT_SERVICE_HOURS, Exclusions, Need, Resource
from search.analysis import analyze
from search.thesaurus import get_thesaurus
from webapp.models import (
    TERMINAL_STATUSES,
    Applicant,
    AssistanceException,
    Case,
    Fund,
    Household,
    ListingKind,
    ListingStatus,
    NeedCard,
    NeedStatus,
    Offer,
    Project,
    Proposal,
    ProposalStatus,
    Scheme,
    utcnow,
)
from webapp.models.delivery import ServiceSession
from webapp.models.ledger import AccountKind, LedgerAccount
from webapp.models.matching import ACTIVE_STATUSES
from webapp.models.resources import ListingMixin, split_codes
from webapp.services import ledger
from webapp.services.cases.once_per_year import WINDOW
from webapp.services.need_account import id_slices, need_account, need_accounts

#: Hours of volunteer time an offer can give per matching horizon: four weeks.
OFFER_WEEKS = 4
#: Representative age of each published age band (the exact birth date is never read).
AGE_OF_BAND = {"未成年": 12, "18-29岁": 24, "60岁以上": 68}
#: Proposals that, once decided, must not be proposed again for the same pair.
DECIDED = frozenset({ProposalStatus.REJECTED, ProposalStatus.DECLINED, ProposalStatus.CANCELLED,
                     *ACTIVE_STATUSES})
KIND_ORDER = (ListingKind.PROJECT, ListingKind.FUND, ListingKind.OFFER, ListingKind.SCHEME)
LISTING_MODELS: dict[ListingKind, type[ListingMixin]] = {ListingKind.PROJECT: Project, ListingKind.FUND: Fund,
                  ListingKind.OFFER: Offer, ListingKind.SCHEME: Scheme}


@dataclass(frozen=True)
class ResourceRef:
    """Where a matcher resource id comes from."""

    kind: ListingKind
    id: int
    organisation_id: int | None
    title: str
    #: For a volunteer offer: the hours one case gets (its weekly hours shared by its places).
    hours_per_case: float | None = None


@dataclass
class Snapshot:
    """Everything one matching pass needs, read in one transaction."""

    cards: dict[int, NeedCard]
    needs: list[Need]
    resources: list[Resource]
    refs: dict[int, ResourceRef]
    exclusions: Exclusions

    def matcher_id(self, kind: ListingKind, listing_id: int) -> int | None:
        for rid, ref in self.refs.items():
            if ref.kind == kind and ref.id == listing_id:
                return rid
        return None


def age_of_band(band: str | None) -> int | None:
    """A representative age for a published age band, or ``None`` when unknown."""
    if not band:
        return None
    if band in AGE_OF_BAND:
        return AGE_OF_BAND[band]
    low = band.split("-", 1)[0]
    return int(low) + 5 if low.isdigit() else None


def open_needs(session: Session, need_ids: list[int] | None = None) -> list[NeedCard]:
    """Published cards whose case is still open, oldest first."""
    stmt = (select(NeedCard).join(Case, Case.id == NeedCard.case_id)
            .where(NeedCard.status == NeedStatus.PUBLISHED,
                   Case.status.not_in(list(TERMINAL_STATUSES)))
            .order_by(NeedCard.id))
    if need_ids is not None:
        stmt = stmt.where(NeedCard.id.in_(need_ids))
    return list(session.scalars(stmt))


def active_amounts(session: Session, *, by: str, unit: str) -> dict[Any, Decimal]:
    """Sum of approved/accepted amounts in ``unit``, keyed by need id or by (kind, listing)."""
    keys: tuple[Any, ...]
    if by == "need":
        keys = (Proposal.need_card_id,)
    else:
        keys = (Proposal.resource_kind, Proposal.resource_id)
    rows = session.execute(select(*keys, func.sum(Proposal.approved_amount))
                           .where(Proposal.status.in_(list(ACTIVE_STATUSES)),
                                  Proposal.unit == unit).group_by(*keys))
    return {(row[0] if by == "need" else (row[0], row[1])): row[-1] or Decimal(0)
            for row in rows}


def live_offer_pairings(session: Session) -> list[tuple[ListingKind, int, int, Decimal, Decimal]]:
    """Approved or accepted volunteer pairings still running, as
    (kind, listing id, need card id, hours approved, hours delivered).

    A pairing runs while its need is open (card published, case not ended) and its volunteer
    has not yet delivered every hour approved; a completed pairing, and one whose case ended,
    hold neither a place nor hours of the offer any more. Delivered hours are the sessions
    logged in the delivery log (``webapp.services.delivery``).
    """
    delivered = (select(ServiceSession.proposal_id,
                        func.sum(ServiceSession.hours).label("hours"))
                 .group_by(ServiceSession.proposal_id).subquery())
    rows = session.execute(
        select(Proposal.resource_kind, Proposal.resource_id, Proposal.need_card_id,
               Proposal.approved_amount, delivered.c.hours)
        .join(NeedCard, NeedCard.id == Proposal.need_card_id)
        .join(Case, Case.id == NeedCard.case_id)
        .outerjoin(delivered, delivered.c.proposal_id == Proposal.id)
        .where(Proposal.status.in_(list(ACTIVE_STATUSES)), Proposal.unit == "hours",
               NeedCard.status == NeedStatus.PUBLISHED,
               Case.status.not_in(list(TERMINAL_STATUSES))))
    live = []
    for kind, rid, card_id, approved, given in rows:
        approved, given = Decimal(approved or 0), Decimal(given or 0)
        if given < approved:
            live.append((kind, int(rid), int(card_id), approved, given))
    return live


def outstanding_hours(session: Session) -> dict[Any, Decimal]:
    """Per (kind, listing), hours promised by running pairings and not yet delivered.

    Promised hours reserve the offer's capacity until they are delivered or the pairing ends
    (completed, or its case closed): the offer's capacity is the next ``OFFER_WEEKS`` weeks of
    its hours per week, and a delivered hour lies in the past, so it frees the reservation
    rather than counting against the weeks ahead.
    """
    promised: dict[Any, Decimal] = {}
    for kind, rid, _card, approved, given in live_offer_pairings(session):
        promised[(kind, rid)] = promised.get((kind, rid), Decimal(0)) + approved - given
    return promised


def money_gap(session: Session, card: NeedCard) -> Decimal:
    """Yuan still missing: the gap of the need's one account of help (ledger money from every
    channel and confirmed pledges counted)."""
    return need_account(session, card).gap


def services_taken_on(session: Session, card_ids: list[int]) -> dict[int, frozenset[str]]:
    """Per need card, the services its approved or accepted volunteer offers provide."""
    taken: dict[int, set[str]] = {}
    for ids in id_slices(card_ids):
        rows = session.execute(
            select(Proposal.need_card_id, Offer.services)
            .join(Offer, Offer.id == Proposal.resource_id)
            .where(Proposal.resource_kind == ListingKind.OFFER,
                   Proposal.status.in_(list(ACTIVE_STATUSES)),
                   Proposal.need_card_id.in_(ids)))
        for card_id, services in rows:
            taken.setdefault(int(card_id), set()).update(split_codes(services or ""))
    return {card_id: frozenset(names) for card_id, names in taken.items()}


def need_records(session: Session, cards: list[NeedCard], *, now: dt.datetime | None = None
                 ) -> list[Need]:
    """Matcher needs for ``cards`` (anonymized fields, household flags, keyed person hash)."""
    now = now or utcnow()
    case_ids = [c.case_id for c in cards]
    if not case_ids:
        return []
    person = dict(session.execute(select(Case.id, Applicant.person_key)
                                  .join(Applicant, Applicant.id == Case.applicant_id)
                                  .where(Case.id.in_(case_ids))).tuples().all())
    households = {h.case_id: h for h in session.scalars(
        select(Household).where(Household.case_id.in_(case_ids)))}
    accounts = need_accounts(session, cards)
    covered = services_taken_on(session, [c.id for c in cards])
    needs = []
    for card in cards:
        case = card.case
        household = households.get(case.id)
        # A service an approved or accepted offer already takes on is not asked again (one
        # offer per service); the others still are, each with its own offer's hours.
        services = frozenset(split_codes(card.services)) - covered.get(card.id, frozenset())
        hours = DEFAULT_SERVICE_HOURS if services else None
        waited = (now - case.reported_at).days if case.reported_at else 0
        needs.append(Need(
            # The case's own town, even when the published card was generalised to the county
            # for k-anonymity: matching runs inside the restricted zone, and a town is not
            # identifying on its own; only the published card must stay k-anonymous.
            id=card.id, category=card.category.value, town=str(case.town_id),
            urgency=card.urgency,
            gap=float(accounts[card.id].gap),
            days_waiting=max(waited, 0),
            vulnerability=household.flags if household else frozenset(),
            services=services, tokens=_text_tokens(f"{card.title} {card.story}"),
            age=age_of_band(card.age_band),
            household_size=household.size if household else None,
            person_key=person.get(case.id), hours_needed=hours))
    return needs


# ``listing: Any`` below: a Project, Fund, Offer or Scheme; each function reads the columns of
# the kinds it is given.

def still_running(listing: Any, today: dt.date) -> bool:
    end = getattr(listing, "ends_on", None) or getattr(listing, "available_until", None)
    return end is None or end >= today


def _money_capacity(session: Session, kind: ListingKind, listing: Any,
                    accounts: dict[tuple[str, int], LedgerAccount]) -> Decimal:
    account = accounts.get((kind.value, listing.id))
    if account is not None:
        return account.available
    available: Decimal = ledger.balances_for(session, kind.value, listing.id)["available"]
    return available


def _text_tokens(text: str) -> tuple[str, ...]:
    """Analysed text plus the search thesaurus's canonical term of each word, so a need that
    says 车祸 meets a project that says 交通事故 (matching/ itself knows no thesaurus)."""
    return get_thesaurus().with_canonical(analyze(text))


def _tokens(listing: Any) -> tuple[str, ...]:
    return _text_tokens(f"{listing.title} {listing.description}")


def offer_places(listing: Any, *, used_hours: float, open_cases: int) -> tuple[int, float]:
    """(places the offer can still take, hours one case gets) from both of its capacities.

    An offer gives ``hours_per_week`` hours a week to at most ``max_cases`` cases at once, so
    one case gets ``OFFER_WEEKS × hours_per_week / max_cases`` hours over the horizon. Its free
    places are those not held by open cases, and no more than the hours left can fill.
    """
    total = float(OFFER_WEEKS * listing.hours_per_week)
    places = max(int(listing.max_cases or 1), 1)
    per_case = total / places
    if per_case <= 0:
        return 0, 0.0
    by_hours = int((max(total - used_hours, 0.0) + 1e-9) // per_case)
    return max(min(places - open_cases, by_hours), 0), per_case


def offer_hours(ref: ResourceRef, need: Need) -> float:
    """Whole hours one place of an offer gives ``need``: its share, at most what is asked."""
    wanted = need.hours_needed if need.hours_needed is not None else DEFAULT_SERVICE_HOURS
    return float(max(int(min(ref.hours_per_case or 0.0, wanted)), 1))


def open_offer_cases(session: Session) -> dict[int, int]:
    """Per offer, how many open needs hold a running (not yet completed) pairing with it."""
    needs: dict[int, set[int]] = {}
    for kind, rid, card_id, _approved, _given in live_offer_pairings(session):
        if kind == ListingKind.OFFER:
            needs.setdefault(rid, set()).add(card_id)
    return {rid: len(cards) for rid, cards in needs.items()}


def resource_record(session: Session, rid: int, kind: ListingKind, listing: Any, *,
                    accounts: dict[tuple[str, int], LedgerAccount],
                    hours_used: dict[Any, Decimal],
                    cases_open: dict[int, int] | None = None) -> Resource:
    """The matcher record of one listing: restrictions and what it can still give."""
    cases_open = cases_open or {}
    common: dict[str, Any] = {"id": rid, "kind": kind.value,
                  "categories": frozenset(split_codes(listing.categories)),
                  "towns": frozenset(split_codes(listing.towns)), "tokens": _tokens(listing)}
    if kind == ListingKind.OFFER:
        # Offers are matched by free places ("cases"): the optimiser then respects both the
        # cases at once and, through the places the hours still allow, the hours per week.
        used = float(hours_used.get((kind, listing.id), 0))
        places, _per_case = offer_places(listing, used_hours=used,
                                         open_cases=cases_open.get(listing.id, 0))
        return Resource(**common, unit="cases", capacity=float(places), per_case_cap=1.0,
                        services=frozenset(listing.service_list))
    capacity = float(_money_capacity(session, kind, listing, accounts))
    if kind == ListingKind.SCHEME:
        cap = listing.max_amount
        return Resource(**common, unit="yuan", capacity=capacity,
                        per_case_cap=float(cap) if cap is not None else None,
                        requires=frozenset(split_codes(listing.requires)))
    cap = listing.per_case_cap
    extra: dict[str, Any] = {}
    if kind == ListingKind.PROJECT:
        extra = {"min_age": listing.min_age, "max_age": listing.max_age,
                     "requires": frozenset(split_codes(listing.requires))}
    return Resource(**common, unit="yuan", capacity=capacity,
                    per_case_cap=float(cap) if cap is not None else None, **extra)


def resource_records(session: Session, *, today: dt.date | None = None
                     ) -> tuple[list[Resource], dict[int, ResourceRef]]:
    """Matcher resources for every listed, unexpired listing, with the map back to the rows."""
    today = today or utcnow().date()
    accounts = {(a.kind.value, a.owner_id): a for a in session.scalars(
        select(LedgerAccount).where(LedgerAccount.kind.in_(
            [AccountKind.FUND, AccountKind.PROJECT, AccountKind.SCHEME])))}
    hours_used = outstanding_hours(session)
    cases_open = open_offer_cases(session)
    resources: list[Resource] = []
    refs: dict[int, ResourceRef] = {}
    for kind in KIND_ORDER:
        model = LISTING_MODELS[kind]
        for listing in session.scalars(select(model).where(model.status == ListingStatus.LISTED)
                                       .order_by(model.id)):
            if not still_running(listing, today):
                continue
            rid = len(resources) + 1
            resources.append(resource_record(session, rid, kind, listing, accounts=accounts,
                                             hours_used=hours_used, cases_open=cases_open))
            per_case = (offer_places(listing, used_hours=0.0, open_cases=0)[1]
                        if kind == ListingKind.OFFER else None)
            refs[rid] = ResourceRef(kind, listing.id, listing.organisation_id, listing.title,
                                    per_case)
    return resources, refs


def listings_out_of_dates(session: Session, *, today: dt.date | None = None) -> int:
    """How many listed listings have ended (the matcher never sees them)."""
    today = today or utcnow().date()
    return sum(1 for kind in KIND_ORDER for listing in session.scalars(
        select(LISTING_MODELS[kind]).where(LISTING_MODELS[kind].status == ListingStatus.LISTED))
        if not still_running(listing, today))


def blocked_causes(session: Session, cards: list[NeedCard], *, now: dt.datetime
                   ) -> frozenset[tuple[int, str]]:
    """(need, category) pairs barred by the once-per-cause-per-year rule, exceptions excepted."""
    if not cards:
        return frozenset()
    by_case = {c.case_id: c for c in cards}
    keys = dict(session.execute(select(Case.id, Applicant.person_key)
                                .join(Applicant, Applicant.id == Case.applicant_id)
                                .where(Case.id.in_(list(by_case)))).tuples().all())
    if not keys:
        return frozenset()
    earlier = session.execute(
        select(Applicant.person_key, Case.category, Case.id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(Applicant.person_key.in_(set(keys.values())), Case.approved_at.is_not(None),
               Case.approved_at > now - WINDOW)).all()
    excepted = set(session.scalars(select(AssistanceException.case_id).where(
        AssistanceException.case_id.in_(list(by_case)))))
    blocked = set()
    for case_id, card in by_case.items():
        key = keys.get(case_id)
        if key is None or case_id in excepted:
            continue
        if any(k == key and cat == card.case.category and other != case_id
               for k, cat, other in earlier):
            blocked.add((card.id, card.category.value))
    return frozenset(blocked)


def blocked_pairs(session: Session, cards: list[NeedCard], refs: dict[int, ResourceRef]
                  ) -> frozenset[tuple[int, int]]:
    """Pairs already decided (rejected, declined, approved or accepted) for these needs."""
    if not cards:
        return frozenset()
    rid_of = {(ref.kind, ref.id): rid for rid, ref in refs.items()}
    rows = session.execute(select(Proposal.need_card_id, Proposal.resource_kind,
                                  Proposal.resource_id)
                           .where(Proposal.need_card_id.in_([c.id for c in cards]),
                                  Proposal.status.in_(list(DECIDED))))
    return frozenset((need_id, rid_of[(kind, rid)]) for need_id, kind, rid in rows
                     if (kind, rid) in rid_of)


def snapshot(session: Session, *, need_ids: list[int] | None = None,
             resources: tuple[list[Resource], dict[int, ResourceRef]] | None = None,
             now: dt.datetime | None = None) -> Snapshot:
    """Read open needs, listed resources and exclusions for one matching pass."""
    now = now or utcnow()
    cards = open_needs(session, need_ids)
    resource_list, refs = resources or resource_records(session, today=now.date())
    exclusions = Exclusions(blocked_causes=blocked_causes(session, cards, now=now),
                            blocked_pairs=blocked_pairs(session, cards, refs))
    return Snapshot(cards={c.id: c for c in cards}, needs=need_records(session, cards, now=now),
                    resources=resource_list, refs=refs, exclusions=exclusions)


def listings_version(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything a resource record depends on."""
    parts = []
    for model in LISTING_MODELS.values():
        parts += [select(func.count(model.id)).scalar_subquery(),
                  select(func.max(model.updated_at)).scalar_subquery()]
    parts += [select(func.max(LedgerAccount.updated_at)).scalar_subquery(),
              select(func.count(LedgerAccount.id)).scalar_subquery(),
              select(func.max(Proposal.decided_at)).scalar_subquery(),
              select(func.max(Proposal.responded_at)).scalar_subquery(),
              select(func.count(ServiceSession.id)).scalar_subquery()]
    return tuple(session.execute(select(*parts)).one())

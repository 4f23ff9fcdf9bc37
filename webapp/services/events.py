"""The catalogue of domain events: what one area announces, and who reacts, in which order.

An area announces a change with ``events.publish(session, CaseEnded(case, actor, "close"))``;
the subscribers registered in :func:`register_subscribers` run at once, in the caller's
transaction and in the order listed there, so what they write commits or rolls back together
with the change that caused it. Subscribers flush, never commit.

Each event is a frozen dataclass. A subscriber of a base class (:class:`CaseChanged`) hears
every subclass too, after the subscribers of the exact class, so the search outbox always
sees a case once the areas that react to it are done.

What happens when a case closes? ``workflow.fire(..., "close")`` publishes
``CaseEnded(case, actor, "close")``; read the ``CaseEnded`` block of
:func:`register_subscribers` below, top to bottom.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from webapp.models import (
        AgendaItem,
        Appeal,
        Case,
        Lead,
        MatchRun,
        MoneyTransfer,
        NeedCard,
        Proposal,
        SupervisionOrder,
        Transfer,
        User,
    )


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


# ---- cases: published by services/cases/intake.py, workflow.py and conference.py ----------

@dataclass(frozen=True)
class CaseChanged(Event):
    """Base of the case events: ``actor`` changed ``case`` (its status, amounts or owner)."""

    case: Case
    actor: User | None


@dataclass(frozen=True)
class CaseReported(CaseChanged):
    """A new case was reported at intake."""


@dataclass(frozen=True)
class CaseProgressed(CaseChanged):
    """A transition none of the other areas reacts to on its own: ``action`` is one of
    accept, start_verification, verify, start_assistance, publish, unpublish."""

    action: str


@dataclass(frozen=True)
class EmergencyAidGranted(CaseChanged):
    """Help first (先行救助): ``amount`` yuan granted before verification."""

    amount: Decimal


@dataclass(frozen=True)
class CaseApproved(CaseChanged):
    """An officer approved aid of ``amount`` yuan."""

    amount: Decimal


@dataclass(frozen=True)
class CaseEscalated(CaseChanged):
    """The case went to the joint conference (联席会议) for ``reason``."""

    reason: str


@dataclass(frozen=True)
class CaseTransferred(CaseChanged):
    """The case was handed to departments; one ``transfers`` row per department."""

    transfers: tuple[Transfer, ...]


@dataclass(frozen=True)
class TransferAnswered(CaseChanged):
    """A department answered ``transfer``; the case went back to its previous state."""

    transfer: Transfer


@dataclass(frozen=True)
class CaseHandedOver(CaseChanged):
    """The case moved from one responsible worker to another (移交承办人)."""

    previous_owner_id: int | None
    new_owner_id: int


#: How a case can end, the ``reason`` of :class:`CaseEnded`.
ENDINGS = ("withdraw", "close", "reject", "refuse")


@dataclass(frozen=True)
class CaseEnded(CaseChanged):
    """The case ended and nothing more will happen to it. ``reason`` is the transition that
    ended it: ``withdraw``, ``close``, ``reject`` (aid refused after verification) or
    ``refuse`` (not accepted at intake)."""

    reason: str


@dataclass(frozen=True)
class ConferenceDecided(Event):
    """The joint conference decided on ``item`` for ``case``."""

    item: AgendaItem
    case: Case
    actor: User | None


@dataclass(frozen=True)
class SupervisionOrderChanged(Event):
    """A supervision order was issued, escalated, replied to or closed (``step``)."""

    order: SupervisionOrder
    actor: User | None
    step: str
# ---- every door in: leads, appeals (services/doors/), payments (services/ledger) ------------

@dataclass(frozen=True)
class LeadFiled(Event):
    """A lead (线索) reached a town window's queue; ``actor`` is ``None`` for a resident's own
    online application."""

    lead: Lead
    actor: User | None


@dataclass(frozen=True)
class LeadConverted(Event):
    """The window turned ``lead`` into ``case``."""

    lead: Lead
    case: Case
    actor: User


@dataclass(frozen=True)
class LeadClosed(Event):
    """The window closed ``lead`` with a reason (referred, not eligible, duplicate …)."""

    lead: Lead
    actor: User


@dataclass(frozen=True)
class AppealFiled(Event):
    """A review of a refusal was asked for (复核申请); ``actor`` is ``None`` when the applicant
    asked through the status lookup."""

    appeal: Appeal
    case: Case
    actor: User | None


@dataclass(frozen=True)
class AppealDecided(CaseChanged):
    """A second officer decided ``appeal``; when ``overturned`` the case was reopened."""

    appeal: Appeal
    overturned: bool


@dataclass(frozen=True)
class PaymentPosted(Event):
    """Money of ``amount`` yuan was paid out (拨付) for ``case`` (``None``: not a case's)."""

    case: Case | None
    amount: Decimal
    actor: User | None


# ---- needs, listings, pledges, matching ----------------------------------------------------

@dataclass(frozen=True)
class NeedPublished(Event):
    """The case's anonymised need card went on the public pages."""

    need: NeedCard
    case: Case
    actor: User | None


@dataclass(frozen=True)
class NeedUnpublished(Event):
    """The case's need card left the public pages."""

    need: NeedCard
    case: Case
    actor: User | None


@dataclass(frozen=True)
class NeedChanged(Event):
    """What a published need card shows changed while it stays on the public pages (its
    anonymisation level, after the published set changed)."""

    need: NeedCard


@dataclass(frozen=True)
class ListingChanged(Event):
    """A fund, project, scheme, service or volunteer listing was created or changed.
    ``kind`` is the :class:`~webapp.models.resources.ListingKind` value."""

    kind: str
    id: int


@dataclass(frozen=True)
class PledgeChanged(Event):
    """A donor's pledge was made or changed ``status`` (a PledgeStatus value)."""

    id: int
    status: str
    need_id: int | None
    project_id: int | None


@dataclass(frozen=True)
class ServiceDelivered(Event):
    """A volunteer or organisation logged ``hours`` of service against pairing ``proposal_id``."""

    proposal_id: int
    case_id: int
    hours: Decimal


@dataclass(frozen=True)
class OutcomeRecorded(Event):
    """An officer recorded the outcome (an OutcomeResult value) of closed case ``case_id``."""

    case_id: int
    result: str


@dataclass(frozen=True)
class MatchApproved(Event):
    """An officer approved a matching proposal; the resource is asked to answer."""

    proposal: Proposal
    actor: User | None


@dataclass(frozen=True)
class MatchingRunFinished(Event):
    """A batch matching run finished and wrote its proposals."""

    run: MatchRun


# ---- what the subscribers did ---------------------------------------------------------------

@dataclass
class Effects:
    """What the subscribers of one event did that its publisher may want to report.
    A subscriber returns one (or ``None``); :func:`publish` adds them up."""

    released: list[MoneyTransfer] = field(default_factory=list)  # pending money voided
    cancelled: list[Proposal] = field(default_factory=list)      # matching pairings cancelled
    notices: int = 0                                              # inbox messages queued

    def add(self, other: Effects | None) -> None:
        if other is not None:
            self.released += other.released
            self.cancelled += other.cancelled
            self.notices += other.notices


# ---- the registry -------------------------------------------------------------------------

E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], "Effects | None"]
_handlers: dict[type[Event], list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], Effects | None]) -> None:
    """Call ``handler(session, event)`` whenever an ``event_type`` (or a subclass) is published."""
    found = _handlers.setdefault(event_type, [])
    if handler not in found:
        found.append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    _handlers[event_type].remove(handler)
    if not _handlers[event_type]:
        del _handlers[event_type]


def publish(session: Session, event: Event) -> Effects:
    """Announce ``event``: the subscribers of its class run now, then those of its bases;
    return what they did."""
    effects = Effects()
    for cls in type(event).__mro__:
        for handler in list(_handlers.get(cls, ())):
            effects.add(handler(session, event))
    return effects


def handlers(event_type: type[Event]) -> list[Handler]:
    """The subscribers of exactly ``event_type``, in the order they run."""
    return list(_handlers.get(event_type, ()))


@contextmanager
def recording(event_type: type[E]) -> Iterator[list[E]]:
    """Collect the ``event_type`` events published inside the ``with`` block (for tests)."""
    seen: list[E] = []

    def record(session: Session, event: E) -> None:
        seen.append(event)

    subscribe(event_type, record)
    try:
        yield seen
    finally:
        unsubscribe(event_type, record)


def register_subscribers() -> None:
    """Wire every reaction, in the order it runs. Called once by ``create_app``.

    The order inside a block matters where two reactions touch the same rows: on a rejection
    the help-first payment is reversed before the remaining reservations are released, and
    the money is released before the matching pairings that held it are cancelled.
    """
    # Imported here: every subscriber module imports this catalogue to publish its events.
    from webapp.services import needs
    from webapp.services.cases import notifications, orders
    from webapp.services.doors import appeals as door_appeals
    from webapp.services.doors import leads as door_leads
    from webapp.services.doors import messages as door_messages
    from webapp.services.ledger import accounts, green_channel, releases
    from webapp.services.matching import runs
    from webapp.services.matching.decisions import on_case_ended as cancel_pairings
    from webapp.services.search import sync as search_sync
    from webapp.services.statistics import timings

    _handlers.clear()

    # A help-first payment is made from the reserve.
    subscribe(EmergencyAidGranted, green_channel.on_emergency_aid)

    # Approval confirms any help-first payment, then tells the worker and the reporter.
    subscribe(CaseApproved, green_channel.on_case_approved)
    subscribe(CaseApproved, notifications.on_decision)

    subscribe(CaseEscalated, notifications.on_escalated)    # officers are told
    subscribe(CaseTransferred, notifications.on_transfer)   # each department is told
    subscribe(TransferAnswered, notifications.on_answer)    # the responsible worker is told
    subscribe(CaseHandedOver, notifications.on_handover)    # the new worker is told

    # A supervision order is issued, escalates, is answered or closed: the people concerned
    # (the recipient; from 督办 the officers, from 通报 the auditors too) are told.
    subscribe(SupervisionOrderChanged, orders.on_order_changed)

    # A case ends (withdrawn, closed, rejected, refused):
    subscribe(CaseEnded, green_channel.on_case_ended)   # rejected: help-first payment reversed
    subscribe(CaseEnded, releases.on_case_ended)        # pending reservations released
    subscribe(CaseEnded, notifications.on_decision)     # rejected: worker and reporter told
    subscribe(CaseEnded, cancel_pairings)               # open matching pairings cancelled
    subscribe(CaseEnded, needs.on_case_ended)           # closed: need card unpublished

    # The applicant is told by text message (services/doors/messages.py): accepted,
    # transferred, approved, paid, refused or rejected, closed, and the appeal's outcome.
    subscribe(CaseProgressed, door_messages.on_case_progressed)
    subscribe(CaseTransferred, door_messages.on_case_transferred)
    subscribe(CaseApproved, door_messages.on_case_approved)
    subscribe(PaymentPosted, door_messages.on_payment_posted)
    subscribe(CaseEnded, door_messages.on_case_ended)
    subscribe(AppealDecided, door_messages.on_appeal_decided)
    # Leads: the town window is told of a new one, the finder of what became of theirs; a
    # resident who applied online gets the lead number, and the outcome of a closed lead.
    subscribe(LeadFiled, door_leads.on_lead_filed)
    subscribe(LeadFiled, door_messages.on_lead_filed)
    subscribe(LeadConverted, door_leads.on_lead_resolved)
    subscribe(LeadClosed, door_leads.on_lead_resolved)
    subscribe(LeadClosed, door_messages.on_lead_closed)
    subscribe(AppealFiled, door_appeals.on_appeal_filed)  # the reviewing officer is told

    # Any case event, after the reactions above: the case's timing record (working days to
    # first help and to closure) and its month's histogram are brought up to date, as they
    # are when a payment reaches the family or a donor's money is confirmed received.
    subscribe(CaseChanged, timings.on_case_changed)
    subscribe(PaymentPosted, timings.on_payment_posted)
    subscribe(PledgeChanged, timings.on_pledge_changed)

    # Any case event, after the reactions above: its published card is re-indexed.
    subscribe(CaseChanged, search_sync.on_case_changed)

    # A need card goes on or off the public pages: the search index follows, then matching
    # suggests resources for it (or supersedes its open suggestions).
    subscribe(NeedPublished, search_sync.on_need_changed)
    subscribe(NeedPublished, runs.on_need_published)
    subscribe(NeedUnpublished, search_sync.on_need_changed)
    subscribe(NeedUnpublished, runs.on_need_unpublished)
    subscribe(NeedChanged, search_sync.on_need_changed)     # re-generalised: re-indexed

    # A listing changes: the search index follows, then its ledger account is opened or
    # raised to the listed amount.
    subscribe(ListingChanged, search_sync.on_listing_changed)
    subscribe(ListingChanged, accounts.on_listing_changed)

    # Announced for other areas and tests; nothing subscribes today:
    # CaseReported and CaseProgressed (beyond CaseChanged), ConferenceDecided,
    # MatchApproved, MatchingRunFinished, ServiceDelivered, OutcomeRecorded.


"""Help delivered: service sessions logged against a pairing, and the outcome of a closed case.

A pairing goes proposed → approved → accepted by the organisation → delivered → outcome.
Money is delivered when the ledger disburses it (a voucher); a volunteer service when the
volunteer or their organisation logs sessions (date, hours, a short note) against the
accepted pairing, up to the hours the bureau approved; a pledge when its receiver confirms
receipt (``pledges.fulfil_pledge``). When a case is closed an officer records one structured
outcome whose short story passes the same redaction gate as the need card, so the closed
need's public page can say how it ended and where the help came from.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Case, CaseStatus, NeedCard, Proposal, ProposalStatus, Role, User
from webapp.models.delivery import CaseOutcome, OutcomeResult, ServiceSession
from webapp.models.ledger import (
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
)
from webapp.models.resources import ListingKind, Offer, Pledge, PledgeStatus
from webapp.permissions import can_respond_to_proposal
from webapp.privacy.publishing.redact import contains_pii
from webapp.services import ConflictError, DomainError, PermissionDeniedError, audit, events
from webapp.services.cases.household import known_names
from webapp.services.matching.decisions import listing_of
from webapp.services.need_account import CHANNEL_OF_KIND, PAYING_KINDS
from webapp.services.needs import clean_text

ZERO = Decimal("0.00")
MAX_SESSION_HOURS = Decimal(24)
NOTE_LIMIT = 200
STORY_LIMITS = (10, 500)
#: Messages of a refused service session, by what was wrong (translated where shown).
SESSION_ERRORS = {
    "no_hours": "请填写服务时长（小时）",
    "hours_positive": "服务时长必须大于零",
    "hours_max": "一次服务不能超过 24 小时",
    "hours_places": "服务时长最多保留两位小数",
    "no_date": "请填写服务日期",
    "future": "服务日期不能晚于今天",
    "too_early": "服务日期不能早于对接确认的日期",
    "note_long": "说明不能超过 200 个字",
    "over": "超过了批准的服务时长，请核对尚余的小时数",
}
HELP_SOURCE_LABELS = {"scheme": "政府救助", "reserve": "先行救助（备用金）", "fund": "企业基金",
                      "project": "慈善项目", "offer": "志愿服务", "donors": "爱心人士认捐"}
OUTCOME_LABELS = {OutcomeResult.RESOLVED: "已解决", OutcomeResult.PARTLY: "部分解决",
                  OutcomeResult.NOT_RESOLVED: "未能解决", OutcomeResult.REFERRED: "已转介"}


def can_log_sessions(session: Session, actor: User, proposal: Proposal) -> bool:
    """Whoever provides the pairing's service (its volunteer, or its organisation's staff)."""
    return (proposal.unit == "hours"
            and can_respond_to_proposal(actor, proposal, listing_of(session, proposal)))


def delivered_hours(session: Session, proposal_ids: Iterable[int]) -> dict[int, Decimal]:
    """Hours logged so far against each pairing (pairings without sessions are left out)."""
    ids = list(set(proposal_ids))
    if not ids:
        return {}
    rows = session.execute(select(ServiceSession.proposal_id, func.sum(ServiceSession.hours))
                           .where(ServiceSession.proposal_id.in_(ids))
                           .group_by(ServiceSession.proposal_id))
    return {pid: Decimal(total or 0) for pid, total in rows}


def sessions_of(session: Session, proposal: Proposal) -> list[ServiceSession]:
    """The sessions logged against a pairing, newest first."""
    return list(session.scalars(select(ServiceSession)
                                .where(ServiceSession.proposal_id == proposal.id)
                                .order_by(ServiceSession.delivered_on.desc(),
                                          ServiceSession.id.desc())))


def _parse_hours(value: object, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault("hours", []).append(SESSION_ERRORS["no_hours"])
        return None
    if not hours.is_finite() or hours <= 0:
        errors.setdefault("hours", []).append(SESSION_ERRORS["hours_positive"])
    elif hours > MAX_SESSION_HOURS:
        errors.setdefault("hours", []).append(SESSION_ERRORS["hours_max"])
    elif hours.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.setdefault("hours", []).append(SESSION_ERRORS["hours_places"])
    else:
        return hours.quantize(Decimal("0.01"))
    return None


def _parse_date(value: object, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.setdefault("delivered_on", []).append(SESSION_ERRORS["no_date"])
        return None


def log_session(session: Session, actor: User, proposal: Proposal, *, delivered_on: object,
                hours: object, note: str | None = None,
                today: dt.date | None = None) -> ServiceSession:
    """Record one session of service delivered under an accepted volunteer pairing."""
    if not can_log_sessions(session, actor, proposal):
        raise PermissionDeniedError("只能为您自己提供的服务对接记录服务")
    locked = session.scalars(select(Proposal).where(Proposal.id == proposal.id)
                             .with_for_update()).one()
    if locked.status is not ProposalStatus.ACCEPTED:
        raise ConflictError("只有已接受的服务对接可以记录服务")
    today = today or dt.date.today()
    errors: dict[str, list[str]] = {}
    day = _parse_date(delivered_on, errors)
    if day is not None:
        accepted_on = (locked.responded_at or locked.decided_at or locked.created_at).date()
        if day > today:
            errors.setdefault("delivered_on", []).append(SESSION_ERRORS["future"])
        elif day < accepted_on - dt.timedelta(days=1):
            errors.setdefault("delivered_on", []).append(SESSION_ERRORS["too_early"])
    value = _parse_hours(hours, errors)
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        errors.setdefault("note", []).append(SESSION_ERRORS["note_long"])
    if value is not None:
        promised = locked.approved_amount or locked.amount
        done = delivered_hours(session, [locked.id]).get(locked.id, ZERO)
        if done + value > promised:
            errors.setdefault("hours", []).append(SESSION_ERRORS["over"])
    if errors or day is None or value is None:
        raise DomainError("服务记录有误，请修改后重试", errors=errors)
    row = ServiceSession(proposal_id=locked.id, case_id=locked.case_id, delivered_on=day,
                         hours=value, note=text, logged_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "delivery.session", row, summary={
        "proposal_id": locked.id, "case_id": locked.case_id, "hours": str(value),
        "delivered_on": day.isoformat()})
    events.publish(session, events.ServiceDelivered(locked.id, locked.case_id, value))
    return row


# ---- outcomes -----------------------------------------------------------------------------

def outcome_of(session: Session, case_id: int) -> CaseOutcome | None:
    return session.scalars(select(CaseOutcome).where(CaseOutcome.case_id == case_id)).first()


def record_outcome(session: Session, actor: User, case: Case, *, result: object,
                   story: str | None) -> CaseOutcome:
    """Record the one structured outcome of a closed case, with a publishable short story."""
    if not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政部门工作人员可以记录救助成效")
    try:
        code = OutcomeResult(result)
    except ValueError:
        raise DomainError("请选择救助结果", field="result") from None
    text = clean_text(story, label="成效说明", field="story", limit=STORY_LIMITS[1],
                      minimum=STORY_LIMITS[0])
    card = session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).first()
    if card is not None and case.town is not None and card.area != case.town.name:
        # The card was generalised to the county: a town named here would undo that.
        text = text.replace(case.town.name, card.area)
    found = contains_pii(text, known_names(case))
    if found:
        raise DomainError("成效说明中含有个人信息（如姓名、电话、证件号），请删除后再保存",
                          field="story")
    session.refresh(case, with_for_update=True)
    if case.status is not CaseStatus.CLOSED:
        raise ConflictError("只有已办结的个案可以记录救助成效")
    if outcome_of(session, case.id) is not None:
        raise ConflictError("该个案已记录救助成效，不能重复记录")
    outcome = CaseOutcome(case_id=case.id, result=code, story=text, recorded_by_id=actor.id)
    session.add(outcome)
    session.flush()
    audit.record(session, actor, "case.outcome", outcome, summary={
        "case_id": case.id, "result": code.value})
    events.publish(session, events.OutcomeRecorded(case.id, code.value))
    return outcome


# ---- where the help came from -------------------------------------------------------------

@dataclass(frozen=True)
class HelpSource:
    """One provider's part in a case's help, as the public may read it (no person named)."""

    kind: str              # scheme | reserve | fund | project | offer | donors
    title: str             # the listing's public title ("" for the reserve and donors)
    amount: Decimal        # yuan delivered or hours delivered
    unit: str              # yuan | hours


def help_sources(session: Session, case_id: int) -> list[HelpSource]:
    """Where a case's delivered help came from: money paid out of each source account (net
    of refunds), hours of service delivered, and donor pledges received. An individual
    volunteer is never named; a volunteer team's service is."""
    paid: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(
        select(MoneyTransfer.kind, MoneyTransfer.debit_account_id,
               MoneyTransfer.credit_account_id, MoneyTransfer.amount)
        .where(MoneyTransfer.case_id == case_id,
               MoneyTransfer.status == MoneyTransferStatus.POSTED,
               MoneyTransfer.kind.in_([*PAYING_KINDS, MoneyTransferKind.REFUND])))
    for kind, debit_id, credit_id, amount in rows:
        refund = kind is MoneyTransferKind.REFUND
        account = session.get(LedgerAccount, credit_id if refund else debit_id)
        channel = CHANNEL_OF_KIND.get(account.kind) if account is not None else None
        if account is None or channel is None:
            continue
        title = "" if channel == "reserve" else account.name
        paid[(channel, title)] += -amount if refund else amount
    found = [HelpSource(channel, title, amount, "yuan")
             for (channel, title), amount in paid.items() if amount > 0]
    pairings = session.scalars(select(Proposal).where(
        Proposal.case_id == case_id, Proposal.unit == "hours").order_by(Proposal.id)).all()
    hours = delivered_hours(session, [p.id for p in pairings])
    for p in pairings:
        if not hours.get(p.id):
            continue
        listing = listing_of(session, p)
        personal = isinstance(listing, Offer) and listing.volunteer_id is not None
        title = "" if personal or listing is None else listing.title
        found.append(HelpSource("offer", title, hours[p.id], "hours"))
    received = _received_pledges(session, case_id)
    if received > 0:
        found.append(HelpSource("donors", "", received, "yuan"))
    return found


def _received_pledges(session: Session, case_id: int) -> Decimal:
    card_ids = select(NeedCard.id).where(NeedCard.case_id == case_id)
    total = session.scalar(select(func.coalesce(func.sum(Pledge.amount), 0)).where(
        Pledge.status == PledgeStatus.FULFILLED, Pledge.amount.is_not(None),
        Pledge.need_id.in_(card_ids)))
    return Decimal(total or 0)


def organisation_hours(session: Session, organisation_id: int) -> Decimal:
    """Volunteer hours delivered under the offers of one organisation (its team's and its
    individual volunteers', counted together so no person is singled out)."""
    offers = select(Offer.id).where(Offer.organisation_id == organisation_id)
    total = session.scalar(
        select(func.coalesce(func.sum(ServiceSession.hours), 0))
        .join(Proposal, ServiceSession.proposal_id == Proposal.id)
        .where(Proposal.resource_kind == ListingKind.OFFER, Proposal.resource_id.in_(offers)))
    return Decimal(total or 0).quantize(Decimal("0.01"))

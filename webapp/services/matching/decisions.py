"""Deciding proposals: officers approve (money goes to the ledger, hours to the volunteer) or
reject with a coded reason; the resource's organisation then accepts or declines.

Approval is checked against the limits of the moment (the resource's available balance or
hours, the need's remaining gap, the per-case cap), takes effect once (a second approval is a
409), and is refused once the need is closed or taken down. When the case ends, its undecided
proposals are superseded and the pairings not carried out are cancelled (the ledger releases
their money in the same transaction).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    Case,
    ListingStatus,
    NeedCard,
    NeedStatus,
    Proposal,
    ProposalStatus,
    RejectReason,
    Role,
    User,
    utcnow,
)
from webapp.models.ledger import MoneyTransfer, MoneyTransferStatus
from webapp.permissions import can_respond_to_proposal
from webapp.services import ConflictError, DomainError, PermissionDeniedError, audit, events, ledger
from webapp.services.cases import notices
from webapp.services.cases.notices import Notice
from webapp.services.cases.notifications import notify, users_with_role
from webapp.services.matching import records

STATUS_LABELS = {ProposalStatus.PROPOSED: "待审批", ProposalStatus.APPROVED: "已批准",
                 ProposalStatus.REJECTED: "已驳回", ProposalStatus.ACCEPTED: "资源方已接受",
                 ProposalStatus.DECLINED: "资源方已婉拒", ProposalStatus.SUPERSEDED: "已被更新",
                 ProposalStatus.CANCELLED: "个案已终止，已取消"}
RESPONDER_ROLE = {"project": Role.CHARITY_STAFF, "fund": Role.FUND_MANAGER,
                  "offer": Role.VOLUNTEER, "scheme": Role.DEPARTMENT_HANDLER}
INBOX_LINK = "/matching/assignments"
#: Case events that end a case, and the note left on the pairings they cancel.
CASE_ENDED = {"withdraw": "个案已撤回，匹配自动取消",
              "close": "个案已办结，匹配自动取消",
              "reject": "个案不予救助，匹配自动取消",
              "refuse": "个案不予受理，匹配自动取消"}


@dataclass(frozen=True)
class Limits:
    """What an approval may grant now, in the proposal's unit (``None``: no such limit)."""

    available: Decimal
    gap: Decimal | None
    per_case_cap: Decimal | None

    @property
    def maximum(self) -> Decimal:
        return min(v for v in (self.available, self.gap, self.per_case_cap) if v is not None)


def listing_of(session: Session, proposal: Proposal) -> Any:
    """The proposal's project, fund, offer or scheme (typed ``Any``: callers read the columns
    of the kind they know it to be)."""
    return session.get(records.LISTING_MODELS[proposal.resource_kind], proposal.resource_id)


def limits(session: Session, proposal: Proposal) -> Limits:
    """The resource's remaining capacity, the need's gap and the per-case cap, right now."""
    listing = listing_of(session, proposal)
    kind = proposal.resource_kind.value
    if not proposal.is_money:
        used = records.outstanding_hours(session).get(
            (proposal.resource_kind, proposal.resource_id), Decimal(0))
        hours = Decimal(records.OFFER_WEEKS * listing.hours_per_week) - Decimal(used)
        return Limits(max(hours, Decimal(0)), None, None)
    available = ledger.balances_for(session, kind, proposal.resource_id)["available"]
    cap = listing.max_amount if kind == "scheme" else listing.per_case_cap
    return Limits(available, records.money_gap(session, proposal.need), cap)


def _locked(session: Session, proposal: Proposal) -> Proposal:
    # The audit head first, as every audited write does, then the proposal: a case that ends
    # takes them in that order too, and the opposite order could deadlock against it.
    ledger.serialize_writes(session)
    return session.scalars(select(Proposal).where(Proposal.id == proposal.id).with_for_update()
                           .execution_options(populate_existing=True)).one()


def _parse_amount(proposal: Proposal, amount: Any) -> Decimal:
    if amount is None or amount == "":
        return proposal.amount
    if proposal.is_money:
        return ledger.parse_amount(amount)
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise DomainError("请填写整数小时数", field="amount") from None
    if value != value.to_integral_value() or value <= 0:
        raise DomainError("请填写大于 0 的整数小时数", field="amount")
    return value


def _require_open(proposal: Proposal) -> None:
    if proposal.status is not ProposalStatus.PROPOSED:
        raise ConflictError("该匹配建议已处理（%(status)s），不能重复审批",
                            status=STATUS_LABELS[proposal.status])
    need = proposal.need
    if need.status is not NeedStatus.PUBLISHED or need.case.is_terminal:
        raise ConflictError("该需求已关闭或已下架，不能再审批匹配建议")


def _unit_label(proposal: Proposal) -> str:
    return "元" if proposal.is_money else "小时"


def responders(session: Session, proposal: Proposal) -> list[int]:
    """Users who may accept or decline an approved proposal for its listing."""
    listing = listing_of(session, proposal)
    if proposal.resource_kind.value == "offer" and listing.volunteer_id is not None:
        return [listing.volunteer_id]
    role = RESPONDER_ROLE[proposal.resource_kind.value]
    found = users_with_role(session, role, organisation_id=listing.organisation_id)
    if proposal.resource_kind.value == "scheme":
        found += users_with_role(session, Role.OFFICER, organisation_id=listing.organisation_id)
    return found


def approve(session: Session, actor: User, proposal: Proposal, *,
            amount: Any = None) -> Proposal:
    """Approve within the limits; money is reserved in the ledger, hours are assigned."""
    proposal = _locked(session, proposal)
    _require_open(proposal)
    if proposal.proposed_by_id is not None and proposal.proposed_by_id == actor.id:
        raise PermissionDeniedError("不能审批自己发起的匹配批次中的建议")
    listing = listing_of(session, proposal)
    if listing is None or listing.status is not ListingStatus.LISTED:
        raise ConflictError("该资源已下架，不能再批准")
    value = _parse_amount(proposal, amount)
    bound = limits(session, proposal)
    if value > bound.maximum:
        raise DomainError("超过可批准上限：最多 %(maximum)s %(unit)s", field="amount",
                          maximum=f"{bound.maximum:,.2f}", unit=_unit_label(proposal))
    if proposal.is_money:
        transfer = ledger.reserve_for_case(
            session, actor, source=proposal.resource_kind.value, source_id=proposal.resource_id,
            case=proposal.need.case, amount=value, reference=f"匹配建议 #{proposal.id}",
            idempotency_key=f"match-proposal-{proposal.id}",
            proposed_by_id=proposal.proposed_by_id)
        proposal.money_transfer_id = transfer.id
    proposal.status, proposal.approved_amount = ProposalStatus.APPROVED, value
    proposal.decided_by_id, proposal.decided_at = actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "matching.approve", proposal, summary={
        "need_card_id": proposal.need_card_id, "case_id": proposal.case_id,
        "resource": f"{proposal.resource_kind.value}:{proposal.resource_id}",
        "amount": str(value), "unit": proposal.unit,
        "money_transfer_id": proposal.money_transfer_id})
    notify(session, responders(session, proposal), "match_approved",
           Notice("match_approved", listing=listing.title[:60]),
           body=Notice("match_approved_body", need=proposal.need.label,
                       title=notices.need_title(proposal.need), value=f"{value:,.2f}",
                       unit=_unit_label(proposal)),
           dedupe=f"match-approved:{proposal.id}")
    events.publish(session, events.MatchApproved(proposal, actor))
    return proposal


def reject(session: Session, actor: User, proposal: Proposal, *, reason_code: str | None,
           note: str | None = None
           ) -> Proposal:
    """Reject with a coded reason (and a note, required for 其他)."""
    try:
        code = RejectReason(reason_code)
    except ValueError:
        raise DomainError("请选择驳回原因", field="reason_code") from None
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("说明最多 500 个字", field="note")
    if code is RejectReason.OTHER and not note:
        raise DomainError("选择「其他」时请填写说明", field="note")
    proposal = _locked(session, proposal)
    if proposal.status is not ProposalStatus.PROPOSED:
        raise ConflictError("该匹配建议已处理（%(status)s），不能驳回",
                            status=STATUS_LABELS[proposal.status])
    proposal.status, proposal.reason_code, proposal.note = ProposalStatus.REJECTED, code, note
    proposal.decided_by_id, proposal.decided_at = actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "matching.reject", proposal, summary={
        "need_card_id": proposal.need_card_id, "case_id": proposal.case_id,
        "resource": f"{proposal.resource_kind.value}:{proposal.resource_id}",
        "reason_code": code.value})
    return proposal


def respond(session: Session, actor: User, proposal: Proposal, *, accept: bool,
            note: str | None = None) -> Proposal:
    """The resource's organisation accepts or declines an approved pairing."""
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("说明最多 500 个字", field="note")
    if not accept and not note:
        raise DomainError("婉拒时请说明原因", field="note")
    proposal = _locked(session, proposal)
    if not can_respond_to_proposal(actor, proposal, listing_of(session, proposal)):
        raise PermissionDeniedError("只有该资源的提供方可以确认")
    if proposal.status is not ProposalStatus.APPROVED:
        raise ConflictError("该匹配当前为「%(status)s」，不能再确认",
                            status=STATUS_LABELS[proposal.status])
    if not accept and proposal.money_transfer_id is not None:
        transfer = ledger.get_transfer(session, proposal.money_transfer_id)
        if transfer.status is MoneyTransferStatus.POSTED:
            raise ConflictError("款项已拨付，不能婉拒")
        if transfer.status is MoneyTransferStatus.PENDING:
            ledger.void(session, actor, transfer, reason=f"资源方婉拒匹配建议 #{proposal.id}")
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.responded_by_id, proposal.responded_at = actor.id, utcnow()
    proposal.response_note = note or None
    session.flush()
    action = "matching.accept" if accept else "matching.decline"
    audit.record(session, actor, action, proposal, summary={
        "need_card_id": proposal.need_card_id,
        "resource": f"{proposal.resource_kind.value}:{proposal.resource_id}"})
    notify(session, [proposal.decided_by_id], "match_" + ("accepted" if accept else "declined"),
           Notice("match_accepted" if accept else "match_declined", need=proposal.need.label,
                  id=proposal.id),
           dedupe=f"match-response:{proposal.id}")
    return proposal


def cancel_for_ended_case(session: Session, actor: User | None, case: Case, *,
                          note: str) -> list[Proposal]:
    """Take an ended case out of matching; return the pairings cancelled.

    Undecided proposals of its need card are superseded. Approved pairings still awaiting the
    resource's answer, and accepted ones whose money was never paid out, are cancelled: their
    reservation is released by the ledger in the same transaction. Pairings whose money was
    paid, and volunteer hours already taken on, stay as they are: that help happened.
    """
    card_ids = list(session.scalars(select(NeedCard.id).where(NeedCard.case_id == case.id)))
    if not card_ids:
        return []
    undecided = list(session.scalars(select(Proposal).where(
        Proposal.need_card_id.in_(card_ids), Proposal.status == ProposalStatus.PROPOSED)
        .order_by(Proposal.id).with_for_update()))
    for proposal in undecided:
        proposal.status = ProposalStatus.SUPERSEDED
    if undecided:
        session.flush()
        audit.record(session, actor, "matching.supersede", object_type="need_cards",
                     object_id=card_ids[0], summary={
                         "case_id": case.id, "proposal_ids": [p.id for p in undecided]})
    cancelled = []
    carried = list(session.scalars(select(Proposal).where(
        Proposal.need_card_id.in_(card_ids),
        Proposal.status.in_([ProposalStatus.APPROVED, ProposalStatus.ACCEPTED]))
        .order_by(Proposal.id).with_for_update()))
    for proposal in carried:
        transfer = (session.get(MoneyTransfer, proposal.money_transfer_id)
                    if proposal.money_transfer_id is not None else None)
        if transfer is not None and transfer.status is MoneyTransferStatus.POSTED:
            continue
        if proposal.status is ProposalStatus.ACCEPTED and transfer is None:
            continue
        before = proposal.status
        proposal.status = ProposalStatus.CANCELLED
        if before is ProposalStatus.APPROVED:
            # The answer the resource was asked for; it also tells the cached resource
            # index that the hours or money of this pairing are free again.
            proposal.responded_at, proposal.response_note = utcnow(), note
        session.flush()
        audit.record(session, actor, "matching.cancel", proposal, summary={
            "need_card_id": proposal.need_card_id, "case_id": proposal.case_id,
            "resource": f"{proposal.resource_kind.value}:{proposal.resource_id}",
            "from": before.value, "money_transfer_id": proposal.money_transfer_id})
        notify(session, responders(session, proposal), "match_cancelled",
               Notice("match_cancelled", need=proposal.need.label, id=proposal.id,
                      reason=note),
               body=Notice("match_cancelled_body"),
               dedupe=f"match-cancelled:{proposal.id}")
        cancelled.append(proposal)
    return cancelled


def on_case_ended(session: Session, event: events.CaseEnded) -> events.Effects:
    return events.Effects(cancelled=cancel_for_ended_case(
        session, event.actor, event.case, note=CASE_ENDED[event.reason]))

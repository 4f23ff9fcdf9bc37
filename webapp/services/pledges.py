"""Donor pledges of money or service to a published need or a listed project.

pledged → confirmed (by the receiving organisation, or the bureau for needs) → fulfilled;
the donor may cancel while it is only pledged, the receiver until it is fulfilled.
Every change writes one audit event and publishes ``pledge.changed``.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import NeedCard, NeedStatus, Proposal, ProposalStatus, Role, User, utcnow
from webapp.models.catalog import SERVICES
from webapp.models.delivery import CaseOutcome
from webapp.models.resources import ListingKind, ListingStatus, Pledge, PledgeStatus, Project
from webapp.services import (
    ConflictError,
    DomainError,
    Msg,
    PermissionDeniedError,
    audit,
    events,
    need_account,
)
from webapp.services.amount_text import amount_text
from webapp.services.delivery import outcome_of
from webapp.services.ledger.accounts import serialize_writes
from webapp.services.listing_rules import MAX_MONEY

P = PledgeStatus


def _announce(session: Session, actor: User, pledge: Pledge, action: str,
              summary: dict[str, Any]) -> None:
    audit.record(session, actor, f"pledge.{action}", pledge, summary={
        "status": pledge.status.value, "need_id": pledge.need_id,
        "project_id": pledge.project_id, **summary})
    events.publish(session, events.PledgeChanged(pledge.id, pledge.status.value,
                                                 pledge.need_id, pledge.project_id))
    if pledge.need is not None:
        need_account.reindex_case(session, pledge.need.case_id)


def new_reference(now: dt.datetime | None = None) -> str:
    """A short confirmation number the donor can quote: JJ + date + random part."""
    now = now or utcnow()
    return f"JJ{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


def _clean_amount(errors: dict[str, list[str | Msg]], value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(amount_text(value))
    except (InvalidOperation, ValueError):
        errors.setdefault("amount", []).append("金额格式不正确")
        return None
    if not amount.is_finite() or amount <= 0:
        errors.setdefault("amount", []).append(Msg("认捐金额必须大于零"))
    elif int(amount.as_tuple().exponent) < -2:  # finite here, so an int
        errors.setdefault("amount", []).append("金额最多保留两位小数")
    elif amount > MAX_MONEY:
        errors.setdefault("amount", []).append("金额超出允许范围")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def make_pledge(session: Session, donor: User, *, need: NeedCard | None = None,
                project: Project | None = None, amount: Any = None, service: str | None = None,
                message: str | None = None, reference: str | None = None) -> Pledge:
    """Record a donor's pledge; every error is reported at once and nothing is written."""
    if not donor.has_role(Role.DONOR):
        raise PermissionDeniedError("请使用爱心人士账户认捐")
    errors: dict[str, list[str | Msg]] = {}
    if (need is None) == (project is None):
        errors.setdefault("target", []).append(Msg("请选择一项需求或一个慈善项目"))
    if need is not None and need.status != NeedStatus.PUBLISHED:
        errors.setdefault("target", []).append(Msg("该需求尚未公开或已下线，不能认捐"))
    if project is not None and project.status != ListingStatus.LISTED:
        errors.setdefault("target", []).append(Msg("该项目尚未公开或已暂停，不能认捐"))
    value = _clean_amount(errors, amount)
    service = (service or "").strip() or None
    if service is not None and service not in SERVICES:
        errors.setdefault("service", []).append(Msg("请选择列表中的服务类型"))
    if value is None and service is None and "amount" not in errors:
        errors.setdefault("amount", []).append(Msg("请填写认捐金额或选择一项服务"))
    message = (message or "").strip() or None
    if message and len(message) > 500:
        errors.setdefault("message", []).append(Msg("留言不能超过 500 个字"))
    if value is not None and need is not None and need.status == NeedStatus.PUBLISHED:
        serialize_writes(session)  # one writer at a time moves a need's figures
        account = need_account.need_account(session, need)
        if value > account.open_to_pledges:
            gap, most = f"{account.gap:,.2f}", f"{account.open_to_pledges:,.2f}"
            errors.setdefault("amount", []).append(
                Msg("认捐金额超过了该需求尚未满足的缺口（尚缺 ¥%(gap)s，其中 ¥%(waiting)s "
                    "已有认捐待确认，最多可认捐 ¥%(most)s）", gap=gap, most=most,
                    waiting=f"{account.pledged_unconfirmed:,.2f}")
                if account.pledged_unconfirmed else
                Msg("认捐金额超过了该需求尚未满足的缺口（尚缺 ¥%(gap)s，最多可认捐 ¥%(most)s）",
                    gap=gap, most=most))
    if errors:
        raise DomainError("认捐信息有误，请修改后重试", errors=errors)
    pledge = Pledge(donor_id=donor.id, need_id=need.id if need else None,
                    project_id=project.id if project else None, amount=value, service=service,
                    message=message, status=P.PLEDGED, reference=reference or new_reference())
    session.add(pledge)
    session.flush()
    _announce(session, donor, pledge, "create",
              {"amount": str(value) if value is not None else None,
               "service": service is not None})
    return pledge


def _require_handler(actor: User, pledge: Pledge) -> None:
    if not permissions.can_handle_pledge(actor, pledge):
        raise PermissionDeniedError("只有接收方可以处理这笔认捐")


def confirm_pledge(session: Session, actor: User, pledge: Pledge) -> None:
    """The receiver acknowledges the pledge and will arrange it with the donor."""
    _require_handler(actor, pledge)
    serialize_writes(session)  # confirming moves the need's covered figure: one at a time
    session.refresh(pledge)
    if pledge.status != P.PLEDGED:
        raise ConflictError("只有待确认的认捐可以确认")
    if pledge.need is not None and pledge.amount is not None:
        gap = need_account.need_account(session, pledge.need).gap
        if pledge.amount > gap:
            raise ConflictError("该需求尚缺 ¥%(gap)s，少于这笔认捐的金额；"
                                "请与捐赠人商定调整金额，或取消这笔认捐", gap=f"{gap:,.2f}")
    pledge.status, pledge.confirmed_at, pledge.handled_by_id = P.CONFIRMED, utcnow(), actor.id
    session.flush()
    _announce(session, actor, pledge, "confirm", {})


def project_needs(session: Session, project: Project) -> list[NeedCard]:
    """The needs a project took on (pairings it accepted): what a gift to it may be used for."""
    return list(session.scalars(select(NeedCard).where(NeedCard.id.in_(
        select(Proposal.need_card_id).where(
            Proposal.resource_kind == ListingKind.PROJECT, Proposal.resource_id == project.id,
            Proposal.status == ProposalStatus.ACCEPTED))).order_by(NeedCard.id)))


def fulfil_pledge(session: Session, actor: User, pledge: Pledge, *,
                  used_need_id: int | None = None) -> None:
    """The receiver confirms receipt and records what used it: a pledge to a need is used by
    that need; one to a project by the project itself or by a need the project took on."""
    _require_handler(actor, pledge)
    if pledge.status != P.CONFIRMED:
        raise ConflictError("只有已确认的认捐可以标记为已兑现")
    if used_need_id is not None:
        if pledge.project is None:
            if used_need_id != pledge.need_id:
                raise DomainError("认捐给需求的善款只能用于该需求", field="used_need_id")
        elif used_need_id not in {n.id for n in project_needs(session, pledge.project)}:
            raise DomainError("请选择本项目已接受的需求", field="used_need_id")
    pledge.status, pledge.fulfilled_at, pledge.handled_by_id = P.FULFILLED, utcnow(), actor.id
    pledge.used_need_id = used_need_id if pledge.project is not None else pledge.need_id
    session.flush()
    _announce(session, actor, pledge, "fulfil", {"used_need_id": pledge.used_need_id})


def cancel_pledge(session: Session, actor: User, pledge: Pledge) -> None:
    """The donor withdraws an unconfirmed pledge, or the receiver cancels an open one."""
    is_donor = pledge.donor_id == actor.id
    allowed: tuple[PledgeStatus, ...]
    if permissions.can_handle_pledge(actor, pledge):
        allowed = (P.PLEDGED, P.CONFIRMED)
    elif is_donor:
        allowed = (P.PLEDGED,)
    else:
        raise PermissionDeniedError("无权取消这笔认捐")
    if pledge.status not in allowed:
        raise ConflictError("这笔认捐已确认或已完成，请联系接收方")
    pledge.status = P.CANCELLED
    if not is_donor:
        pledge.handled_by_id = actor.id
    session.flush()
    _announce(session, actor, pledge, "cancel", {"by_donor": is_donor})


TRANSITIONS = {P.CONFIRMED: confirm_pledge, P.FULFILLED: fulfil_pledge, P.CANCELLED: cancel_pledge}


def move_pledge(session: Session, actor: User, pledge: Pledge, target: PledgeStatus, *,
                used_need_id: int | None = None) -> None:
    """Apply a requested status change (API PATCH)."""
    if target == pledge.status:
        return
    if target == P.FULFILLED:
        fulfil_pledge(session, actor, pledge, used_need_id=used_need_id)
        return
    step = TRANSITIONS.get(target)
    if step is None:
        raise ConflictError("不能改回到该状态")
    step(session, actor, pledge)


def donor_pledges(donor: User) -> Select[tuple[Pledge]]:
    """Statement of the donor's pledges, newest first."""
    return select(Pledge).where(Pledge.donor_id == donor.id) \
        .order_by(Pledge.created_at.desc(), Pledge.id.desc())


def pledges_for_handler(actor: User, *,
                        status: PledgeStatus | None = None) -> Select[tuple[Pledge]]:
    """Statement of the pledges the actor receives: officers all, charities their projects'."""
    stmt = select(Pledge).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    if not actor.has_role(Role.OFFICER):
        own_projects = select(Project.id).where(Project.organisation_id == actor.organisation_id)
        stmt = stmt.where(Pledge.project_id.in_(own_projects))
    if status is not None:
        stmt = stmt.where(Pledge.status == status)
    return stmt


def visible_pledges(actor: User, *,
                    status: PledgeStatus | None = None) -> Select[tuple[Pledge]]:
    """Statement of every pledge the actor may read (API list)."""
    if actor.has_role(Role.OFFICER, Role.AUDITOR, Role.ADMIN):
        stmt = select(Pledge).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    elif actor.has_role(Role.CHARITY_STAFF):
        own_projects = select(Project.id).where(Project.organisation_id == actor.organisation_id)
        stmt = select(Pledge).where(or_(Pledge.project_id.in_(own_projects),
                                        Pledge.donor_id == actor.id)) \
            .order_by(Pledge.created_at.desc(), Pledge.id.desc())
    else:
        stmt = donor_pledges(actor)
    if status is not None:
        stmt = stmt.where(Pledge.status == status)
    return stmt


@dataclass(frozen=True)
class PledgeStep:
    """One step of a pledge's life as its donor reads it."""

    key: str                   # pledged | confirmed | received | used
    label: str
    at: dt.datetime | None     # None: not reached yet
    done: bool


@dataclass(frozen=True)
class PledgeLife:
    """Where a donor's help went: its steps, the need or project that used it, and that
    need's anonymized outcome once its case was closed."""

    pledge: Pledge
    steps: list[PledgeStep]
    used_need: NeedCard | None
    used_project: Project | None
    outcome: CaseOutcome | None

    @property
    def certifiable(self) -> bool:
        """A donation certificate is issued once the receiver confirmed receipt."""
        return self.pledge.status is P.FULFILLED


STEP_LABELS = {"pledged": "已认捐", "confirmed": "接收方已确认", "received": "已收到",
               "used": "已使用"}


def pledge_life(session: Session, pledge: Pledge) -> PledgeLife:
    """The life of a pledge: pledged → confirmed → received → used for which need or project."""
    received = pledge.status is P.FULFILLED
    used_need = (pledge.used_need or pledge.need) if received else None
    used_project = pledge.project if received and used_need is None else None
    outcome = outcome_of(session, used_need.case_id) if used_need is not None else None
    steps = [PledgeStep("pledged", STEP_LABELS["pledged"], pledge.created_at, True),
             PledgeStep("confirmed", STEP_LABELS["confirmed"], pledge.confirmed_at,
                        pledge.confirmed_at is not None),
             PledgeStep("received", STEP_LABELS["received"], pledge.fulfilled_at, received),
             PledgeStep("used", STEP_LABELS["used"],
                        outcome.recorded_at if outcome is not None else pledge.fulfilled_at,
                        received)]
    return PledgeLife(pledge, steps, used_need, used_project, outcome)

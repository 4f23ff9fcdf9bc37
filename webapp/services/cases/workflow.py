"""The one state machine of an urgent case.

Each transition declares the states it may start from, the roles that may fire it, the audit
action it writes, the deadlines it closes and the step whose clock it starts. ``fire`` checks
role, state, town and first-contact ownership (首问负责), validates the parameters completely,
then changes the case, writes its timeline line and its audit event, and publishes the
transition's event (``CaseEnded``, ``CaseApproved`` … see ``webapp/services/events.py`` for
who reacts) so other areas react in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import (
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    ListingStatus,
    MoneyTransfer,
    Proposal,
    Role,
    Scheme,
    Step,
    Transfer,
    User,
    utcnow,
)
from webapp.services import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    audit,
    events,
    need_account,
    needs,
)
from webapp.services.cases import deadlines, once_per_year, transfers
from webapp.services.cases.money import parse_amount
from webapp.services.cases.settings import CaseSettings
from webapp.services.ledger import green_channel
from webapp.services.ledger import transfers as ledger_transfers
from webapp.services.ledger.accounts import serialize_writes

S = CaseStatus
INTAKE, OFFICER, DEPT = Role.INTAKE_WORKER, Role.OFFICER, Role.DEPARTMENT_HANDLER

STATUS_LABELS = {
    S.REPORTED: "待受理", S.ACCEPTED: "已受理", S.REFUSED: "不予受理",
    S.EMERGENCY_AID: "先行救助", S.VERIFYING: "核查中", S.VERIFIED: "待审批",
    S.TRANSFERRED: "转办中", S.ESCALATED: "提交联席会议", S.APPROVED: "已批准",
    S.REJECTED: "不予救助", S.PUBLISHED: "需求已发布", S.IN_ASSISTANCE: "救助实施中",
    S.CLOSED: "已办结", S.WITHDRAWN: "已撤回",
}
OPEN_WORK = frozenset({S.ACCEPTED, S.EMERGENCY_AID, S.VERIFYING, S.VERIFIED, S.ESCALATED,
                       S.APPROVED, S.PUBLISHED, S.IN_ASSISTANCE})
ALL_STEPS = None  # close every open step


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[CaseStatus]
    target: CaseStatus | None          # None: the status is kept or computed by the handler
    roles: frozenset[Role]
    audit: str
    opens: tuple[Step, ...] = ()       # deadline set for the next step
    closes: tuple[Step, ...] | None = ()
    owner_only: bool = True            # an intake worker must own the case (首问负责)


def _t(action: str, label: str, sources: Iterable[CaseStatus], target: CaseStatus | None,
       roles: Iterable[Role], *, opens: tuple[Step, ...] = (),
       closes: tuple[Step, ...] | None = (), owner_only: bool = True) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles),
                      f"case.{action}", opens, closes, owner_only)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("accept", "受理", {S.REPORTED}, S.ACCEPTED, {INTAKE, OFFICER},
       opens=(Step.VERIFICATION, Step.PROCEDURE), closes=(Step.ACCEPTANCE,), owner_only=False),
    _t("refuse", "不予受理", {S.REPORTED}, S.REFUSED, {INTAKE, OFFICER}, closes=ALL_STEPS,
       owner_only=False),
    _t("emergency_aid", "先行救助", {S.ACCEPTED}, S.EMERGENCY_AID, {INTAKE, OFFICER},
       opens=(Step.VERIFICATION,)),
    _t("start_verification", "开始核查", {S.ACCEPTED, S.EMERGENCY_AID}, S.VERIFYING,
       {INTAKE, OFFICER}, opens=(Step.VERIFICATION,)),
    _t("verify", "核查完毕", {S.VERIFYING}, S.VERIFIED, {INTAKE, OFFICER},
       closes=(Step.VERIFICATION,)),
    _t("approve", "批准救助", {S.VERIFIED, S.ESCALATED}, S.APPROVED, {OFFICER},
       closes=(Step.VERIFICATION, Step.PROCEDURE)),
    _t("reject", "不予救助", {S.VERIFIED, S.ESCALATED}, S.REJECTED, {OFFICER},
       closes=ALL_STEPS),
    _t("transfer", "转办", OPEN_WORK, S.TRANSFERRED, {INTAKE, OFFICER}),
    _t("transfer_answer", "部门答复", {S.TRANSFERRED}, None, {DEPT, OFFICER}, owner_only=False),
    _t("escalate", "提交联席会议", {S.VERIFYING, S.VERIFIED}, S.ESCALATED, {INTAKE, OFFICER},
       closes=(Step.VERIFICATION,)),
    _t("publish", "发布需求", {S.APPROVED}, S.PUBLISHED, {OFFICER}),
    _t("unpublish", "撤下需求", {S.PUBLISHED}, S.APPROVED, {OFFICER}),
    _t("start_assistance", "开始救助", {S.APPROVED, S.PUBLISHED}, S.IN_ASSISTANCE,
       {INTAKE, OFFICER}),
    _t("close", "办结", {S.IN_ASSISTANCE}, S.CLOSED, {INTAKE, OFFICER}, closes=ALL_STEPS),
    _t("withdraw", "撤回", {S.REPORTED, S.ACCEPTED, S.EMERGENCY_AID, S.VERIFYING, S.VERIFIED,
                           S.ESCALATED}, S.WITHDRAWN, {INTAKE, OFFICER}, closes=ALL_STEPS),
    _t("handover", "移交承办人", OPEN_WORK | {S.TRANSFERRED}, None, {INTAKE, OFFICER}),
)}
# Actions a client may name in POST /transitions (transfer answers have their own endpoint).
API_ACTIONS = tuple(a for a in TRANSITIONS if a != "transfer_answer")


@dataclass(frozen=True)
class FireResult:
    """What one transition did: the case, the event it announced, and what the areas that
    reacted did (see ``webapp/services/events.py``)."""

    case: Case
    event: events.CaseChanged
    released: tuple[MoneyTransfer, ...] = ()   # pending reservations voided (case ended)
    cancelled: tuple[Proposal, ...] = ()       # matching pairings cancelled (case ended)
    notices: int = 0                           # inbox messages queued by case notifications


@dataclass
class Outcome:
    """What a handler decided: the event to publish (``None``: ``CaseProgressed``), the audit
    summary and the timeline note."""

    event: events.CaseChanged | None
    audit: dict[str, Any]
    note: str = ""
    target: CaseStatus | None = None
    #: A note the system words (webapp.services.cases.notes): its key and values; ``note``
    #: then holds only the typed part.
    note_key: str | None = None
    note_params: dict[str, Any] | None = None


#: The parameters of a transition, as the form or the API sent them.
Params = dict[str, Any]
#: A transition's own work: validate ``params``, change ``case``, say what happened.
Handler = Callable[[Session, User, Case, Params, CaseSettings, dt.datetime], Outcome]


def _text(params: Params, name: str, label: str, *, required: bool = True,
          limit: int = 500) -> str:
    value = str(params.get(name) or "").strip()
    if required and not value:
        raise DomainError("请填写%(label)s", field=name, label=label)
    if len(value) > limit:
        raise DomainError("%(label)s不能超过 %(limit)s 个字", field=name,
                          label=label, limit=limit)
    return value


def _accept(session: Session, actor: User, case: Case, params: Params,
            settings: CaseSettings, now: dt.datetime) -> Outcome:
    case.owner_id, case.accepted_at = actor.id, now
    case.procedure_due_on = deadlines.add_working_days(
        deadlines.local_date(now), deadlines.case_limit(case, Step.PROCEDURE, settings), settings)
    return Outcome(None, {"owner_id": actor.id})


def _refuse(session: Session, actor: User, case: Case, params: Params,
            settings: CaseSettings, now: dt.datetime) -> Outcome:
    reason = _text(params, "reason", "不予受理的理由")
    referred = _text(params, "referred_to", "转介去向", limit=200)
    case.refusal_reason, case.referred_to, case.closed_at = reason, referred, now
    return Outcome(events.CaseEnded(case, actor, "refuse"), {"referred": True},
                   note=reason, note_key="refused", note_params={"referred": referred})


def _emergency_aid(session: Session, actor: User, case: Case, params: Params,
                   settings: CaseSettings, now: dt.datetime) -> Outcome:
    amount = parse_amount(params.get("amount"), field="amount",
                          maximum=settings.emergency_aid_cap)
    if amount > case.amount_needed:
        raise DomainError("先行救助金额不能超过所需金额", field="amount")
    case.emergency_amount = amount
    return Outcome(events.EmergencyAidGranted(case, actor, amount), {"amount": str(amount)},
                   note_key="emergency_aid", note_params={"amount": str(amount)})


def _approve(session: Session, actor: User, case: Case, params: Params,
             settings: CaseSettings, now: dt.datetime) -> Outcome:
    raw = params.get("amount")
    amount = case.amount_needed if raw in (None, "") else parse_amount(
        raw, field="amount", maximum=settings.max_amount)
    covered = need_account.help_account(session, case).covered
    if amount < covered:
        raise DomainError("批准金额不能低于已落实的救助 %(amount)s 元", field="amount",
                          amount=f"{covered:,.2f}")
    exception = once_per_year.enforce(session, actor, case,
                                      exception_reason=params.get("exception_reason"), now=now)
    case.approved_at, case.approved_amount = now, amount
    summary: dict[str, Any] = {"amount": str(amount)}
    if exception is not None:
        summary["exception_id"] = exception.id
    grant = _grant_under_scheme(session, actor, case, params)
    if grant is None:
        return Outcome(events.CaseApproved(case, actor, amount), summary,
                       note_key="approved", note_params={"amount": str(amount)})
    summary.update(scheme_transfer_id=grant.id, assistance_amount=str(grant.amount))
    # The case's timeline says which scheme's money was reserved, and how much.
    return Outcome(events.CaseApproved(case, actor, amount), summary,
                   note_key="approved_under_scheme",
                   note_params={"amount": str(amount), "scheme": grant.debit_account.name,
                                "scheme_amount": f"{grant.amount:,.2f}"})


def _grant_under_scheme(session: Session, actor: User, case: Case, params: Params
                        ) -> MoneyTransfer | None:
    """Approving assistance under a scheme reserves it from the scheme's account, within the
    scheme's standard (webapp.services.ledger.schemes) and the case's remaining need."""
    raw_scheme = params.get("scheme_id")
    if raw_scheme in (None, ""):
        return None
    try:
        scheme_id = int(raw_scheme)
    except (TypeError, ValueError):
        raise DomainError("请选择救助政策", field="scheme_id") from None
    scheme = session.get(Scheme, scheme_id)
    if scheme is None or scheme.status is not ListingStatus.LISTED:
        raise DomainError("请选择已发布的救助政策", field="scheme_id")
    assistance = parse_amount(params.get("assistance_amount"), field="assistance_amount",
                              maximum=case.approved_amount or Decimal(0))
    return ledger_transfers.reserve_for_case(
        session, actor, source="scheme", source_id=scheme.id, case=case, amount=assistance,
        reference=f"{scheme.title} {case.number}"[:120])


def _escalate(session: Session, actor: User, case: Case, params: Params,
              settings: CaseSettings, now: dt.datetime) -> Outcome:
    reason = _text(params, "reason", "提交联席会议的理由")
    return Outcome(events.CaseEscalated(case, actor, reason), {}, note=reason)


def _withdraw(session: Session, actor: User, case: Case, params: Params,
              settings: CaseSettings, now: dt.datetime) -> Outcome:
    reason = _text(params, "reason", "撤回理由")
    green_channel.require_settled(session, case, doing="撤回")
    case.closed_at = now
    return Outcome(events.CaseEnded(case, actor, "withdraw"), {}, note=reason)


def _reject(session: Session, actor: User, case: Case, params: Params,
            settings: CaseSettings, now: dt.datetime) -> Outcome:
    reason = _text(params, "reason", "不予救助的理由")
    case.closed_at = now
    return Outcome(events.CaseEnded(case, actor, "reject"), {}, note=reason)


def _close(session: Session, actor: User, case: Case, params: Params,
           settings: CaseSettings, now: dt.datetime) -> Outcome:
    outcome = _text(params, "outcome", "救助结果", limit=1000)
    green_channel.require_settled(session, case, doing="办结")
    case.outcome, case.closed_at = outcome, now
    return Outcome(events.CaseEnded(case, actor, "close"), {}, note=outcome)


def _note(label: str, required: bool = False) -> Handler:
    def handler(session: Session, actor: User, case: Case, params: Params,
                settings: CaseSettings, now: dt.datetime) -> Outcome:
        return Outcome(None, {}, note=_text(params, "note", label, required=required))
    return handler


def _transfer(session: Session, actor: User, case: Case, params: Params,
              settings: CaseSettings, now: dt.datetime) -> Outcome:
    created = transfers.create_transfers(session, actor, case, params, settings=settings,
                                         now=now)
    return Outcome(events.CaseTransferred(case, actor, tuple(created)),
                   {"department_ids": [t.department_id for t in created],
                    "transfer_ids": [t.id for t in created],
                    "due_on": created[0].due_on.isoformat()},
                   note=created[0].reason, note_key="transferred",
                   note_params={"departments": [t.department.name for t in created]})


def _transfer_answer(session: Session, actor: User, case: Case, params: Params,
                     settings: CaseSettings, now: dt.datetime) -> Outcome:
    transfer, back_to = transfers.record_answer(session, actor, case, params, now=now)
    return Outcome(events.TransferAnswered(case, actor, transfer), {"transfer_id": transfer.id},
                   note=transfer.answer or "", note_key="transfer_answered",
                   note_params={"department": transfer.department.name}, target=back_to)


def _publish(session: Session, actor: User, case: Case, params: Params,
             settings: CaseSettings, now: dt.datetime) -> Outcome:
    card = needs.publish_need(session, actor, case, title=params.get("title"),
                              story=params.get("story"), k=settings.anonymity_k, now=now)
    return Outcome(None, {"need_id": card.id})


def _unpublish(session: Session, actor: User, case: Case, params: Params,
               settings: CaseSettings, now: dt.datetime) -> Outcome:
    reason = _text(params, "reason", "撤下理由", required=False)
    card = needs.unpublish_need(session, actor, case)
    return Outcome(None, {"need_id": card.id if card else None}, note=reason)


def _handover(session: Session, actor: User, case: Case, params: Params,
              settings: CaseSettings, now: dt.datetime) -> Outcome:
    try:
        new_owner = session.get(User, int(params.get("new_owner_id") or ""))
    except (TypeError, ValueError):
        new_owner = None
    if new_owner is None or not new_owner.active:
        raise DomainError("请选择有效的接手人", field="new_owner_id")
    if new_owner.id == case.owner_id:
        raise DomainError("接手人与当前承办人相同", field="new_owner_id")
    if not (new_owner.has_role(OFFICER) or permissions.is_case_town_worker(new_owner, case)):
        raise DomainError("接手人须为本镇（街道）受理人员或民政工作人员", field="new_owner_id")
    note = _text(params, "note", "移交说明", required=False)
    previous = case.owner_id
    case.owner_id = new_owner.id
    deadlines.reassign_steps(session, case, new_owner.id)
    return Outcome(events.CaseHandedOver(case, actor, previous, new_owner.id),
                   {"previous_owner_id": previous, "new_owner_id": new_owner.id},
                   note=note, note_key="handed_over_note" if note else "handed_over",
                   note_params={"owner": new_owner.display_name})


HANDLERS: dict[str, Handler] = {
    "accept": _accept, "refuse": _refuse, "emergency_aid": _emergency_aid,
    "start_verification": _note("备注"), "verify": _note("核查意见"),
    "approve": _approve, "reject": _reject, "transfer": _transfer,
    "transfer_answer": _transfer_answer, "escalate": _escalate,
    "publish": _publish, "unpublish": _unpublish, "start_assistance": _note("备注"),
    "close": _close, "withdraw": _withdraw, "handover": _handover,
}


def answer_transfer(session: Session, actor: User, transfer: Transfer, *, answer: str,
                    settings: CaseSettings, now: dt.datetime | None = None) -> Transfer:
    """A department answers a transfer; the case returns to where it was when all answered."""
    fire(session, actor, transfer.case, "transfer_answer", settings=settings, now=now,
         transfer=transfer, answer=answer)
    return transfer


def status_label(status: CaseStatus) -> str:
    return STATUS_LABELS[status]


def check_allowed(actor: User, case: Case, action: str) -> Transition:
    """Raise unless ``actor`` may fire ``action`` on ``case`` now; return the transition."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError("未知的操作：%(action)s", field="action", action=action)
    if not actor.roles & transition.roles:
        raise PermissionDeniedError("您的角色不能执行「%(action)s」",
                                    action=transition.label)
    if not permissions.can_view_case(actor, case):
        raise NotFoundError("个案不存在或您无权查看")
    if case.status in TERMINAL_STATUSES:
        raise ConflictError("个案已%(status)s，不能再更改",
                            status=STATUS_LABELS[case.status])
    if case.status not in transition.sources:
        raise ConflictError("个案当前状态为「%(status)s」，不能执行「%(action)s」",
                            status=STATUS_LABELS[case.status],
                            action=transition.label)
    if actor.has_role(OFFICER):
        return transition
    if DEPT in transition.roles and actor.has_role(DEPT):
        return transition  # the transfer module checks the department
    if not permissions.is_case_town_worker(actor, case):
        raise PermissionDeniedError("只能办理本镇（街道）的个案")
    if transition.owner_only and case.owner_id is not None and case.owner_id != actor.id:
        raise PermissionDeniedError("首问负责：只有承办人可以办理此个案，或请承办人先移交")
    return transition


def available_actions(actor: User, case: Case) -> list[Transition]:
    """The transitions the actor may fire on the case now (for the case page)."""
    found: list[Transition] = []
    for action in TRANSITIONS:
        if action == "transfer_answer":
            continue
        try:
            found.append(check_allowed(actor, case, action))
        except DomainError:
            continue
    return found


def _lock_case(session: Session, case: Case) -> None:
    """Take the audit head (the lock every audited write takes first), then the case's row,
    and re-read the case: a transition committed while this request waited is seen, so two
    officers approving at once approve (and grant under a scheme) once, not twice."""
    serialize_writes(session)
    session.scalars(select(Case).where(Case.id == case.id).with_for_update()
                    .execution_options(populate_existing=True)).one()


def fire(session: Session, actor: User, case: Case, action: str, *, settings: CaseSettings,
         now: dt.datetime | None = None, **params: Any) -> FireResult:
    """Fire one transition; everything it changes is flushed in the caller's transaction.
    Return what it did, including what the areas reacting to its event did."""
    now = now or utcnow()
    _lock_case(session, case)
    transition = check_allowed(actor, case, action)
    before = case.status
    outcome = HANDLERS[action](session, actor, case, params, settings, now)
    after = outcome.target or transition.target or before
    case.status, case.updated_at = after, now
    if transition.closes is None:
        deadlines.close_steps(session, case, None, now=now)
    elif transition.closes:
        deadlines.close_steps(session, case, transition.closes, now=now)
    for step in transition.opens:
        deadlines.open_step(session, case, step, settings=settings, now=now,
                            responsible_id=case.owner_id)
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, action=action,
                          from_status=before, to_status=after, note=outcome.note[:2000],
                          note_key=outcome.note_key, note_params=outcome.note_params))
    audit.record(session, actor, transition.audit, case,
                 summary={"number": case.number, "from": before.value, "to": after.value,
                          **outcome.audit})
    session.flush()
    event = outcome.event or events.CaseProgressed(case, actor, action)
    effects = events.publish(session, event)
    return FireResult(case, event, tuple(effects.released), tuple(effects.cancelled),
                      effects.notices)

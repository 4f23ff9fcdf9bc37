"""Demo help delivered: volunteers accept some of their approved pairings and log sessions,
closed cases get their outcome, and one donor's pledge lives its whole life (pledged,
confirmed, received, used by a need whose case then closes with an outcome).

Idempotent: once any outcome exists nothing is added.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Case, CaseStatus, NeedCard, NeedStatus, Proposal, ProposalStatus, User
from webapp.models.delivery import CaseOutcome, OutcomeResult
from webapp.services import DomainError, delivery, pledges
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings
from webapp.services.matching.decisions import respond, responders
from webapp.services.need_account import help_account

SESSIONS = 40          # at most this many volunteer pairings get sessions
NOTES = ["陪同复诊并协助办理住院手续", "上门探访，了解康复情况", "协助整理救助申请材料",
         "心理疏导与家属沟通", "帮助联系社区志愿者轮流照看", "送药上门并讲解用药注意事项"]
STORIES = {
    OutcomeResult.RESOLVED: ["医疗费用已全部解决，家庭生活逐步恢复正常。",
                             "救助资金及时到位，孩子已返校继续学习。"],
    OutcomeResult.PARTLY: ["主要医疗费用已解决，后续康复费用仍在协调中。"],
    OutcomeResult.NOT_RESOLVED: ["经多方协调，困难暂未完全解决，已纳入持续跟踪。"],
    OutcomeResult.REFERRED: ["已转介至县医疗保障局窗口，继续办理大病保险报销。"],
}
RESULTS = [OutcomeResult.RESOLVED, OutcomeResult.RESOLVED, OutcomeResult.PARTLY,
           OutcomeResult.RESOLVED, OutcomeResult.REFERRED, OutcomeResult.NOT_RESOLVED]


def _user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def _sessions(session: Session, rng, today: dt.date) -> int:
    """Volunteers accept approved pairings and log a few sessions against them."""
    logged = 0
    pairings = list(session.scalars(select(Proposal).where(
        Proposal.unit == "hours",
        Proposal.status.in_([ProposalStatus.APPROVED, ProposalStatus.ACCEPTED]))
        .order_by(Proposal.id)))[:SESSIONS]
    for pairing in pairings:
        responder_ids = responders(session, pairing)
        if not responder_ids:
            continue
        responder = session.get(User, responder_ids[0])
        if responder is None:
            continue
        try:
            with session.begin_nested():
                if pairing.status is ProposalStatus.APPROVED:
                    respond(session, responder, pairing, accept=True)
                promised = pairing.approved_amount or pairing.amount
                for n in range(rng.randint(1, 3)):
                    hours = min(promised, Decimal(rng.choice(["1", "1.5", "2", "3"])))
                    if hours <= 0:
                        break
                    delivery.log_session(session, responder, pairing,
                                         delivered_on=today - dt.timedelta(days=n * 3),
                                         hours=str(hours), note=rng.choice(NOTES), today=today)
                    promised -= hours
                    logged += 1
        except DomainError:
            continue
    return logged


def _outcome(session: Session, officer: User, case: Case, rng) -> bool:
    result = RESULTS[rng.randrange(len(RESULTS))]
    try:
        with session.begin_nested():
            delivery.record_outcome(session, officer, case, result=result,
                                    story=rng.choice(STORIES[result]))
        return True
    except DomainError:
        return False


def _pledge_life(session: Session, officer: User, donor: User, rng) -> int:
    """One donor pledge followed from pledge to outcome: the need it helped is closed."""
    settings = CaseSettings.from_config(current_app.config)
    cards = session.scalars(select(NeedCard).join(Case, NeedCard.case_id == Case.id).where(
        NeedCard.status == NeedStatus.PUBLISHED,
        Case.status.in_([CaseStatus.PUBLISHED, CaseStatus.IN_ASSISTANCE]))
        .order_by(NeedCard.id)).all()
    for card in cards:
        if help_account(session, card.case_id).open_to_pledges < 500:
            continue
        try:
            with session.begin_nested():
                pledge = pledges.make_pledge(session, donor, need=card, amount="500",
                                             message="祝早日康复")
                pledges.confirm_pledge(session, officer, pledge)
                pledges.fulfil_pledge(session, officer, pledge)
                case = card.case
                if case.status is CaseStatus.PUBLISHED:
                    workflow.fire(session, officer, case, "start_assistance", settings=settings)
                workflow.fire(session, officer, case, "close", settings=settings,
                              outcome="救助资金已发放，困难已缓解")
                delivery.record_outcome(session, officer, case, result=OutcomeResult.RESOLVED,
                                        story="手术顺利，医疗费用已全部解决，家人已能照料。")
            return 1
        except DomainError:
            continue
    return 0


def load(session: Session, rng, echo) -> dict[str, int]:
    if session.scalars(select(CaseOutcome.id).limit(1)).first() is not None:
        return {}
    officer, donor = _user(session, "officer"), _user(session, "donor")
    if officer is None or donor is None:
        return {}
    today = dt.date.today()
    counter = {"service_sessions": _sessions(session, rng, today)}
    closed = session.scalars(select(Case).where(Case.status == CaseStatus.CLOSED)
                             .order_by(Case.id)).all()
    counter["outcomes"] = sum(_outcome(session, officer, case, rng) for case in closed[:-3])
    counter["pledge_lives"] = _pledge_life(session, officer, donor, rng)
    counter["outcomes"] += counter["pledge_lives"]
    echo(f"delivery: {counter['service_sessions']} service sessions, "
         f"{counter['outcomes']} outcomes")
    return counter

"""Demo matching: a few rounds of batches and single-need suggestions decided by a synthetic
second officer (so nobody approves a batch they started), then one batch left open for review.

The decisions follow a fixed, slightly noisy preference for local, on-topic, dedicated help,
which gives ``flask matching evaluate`` a few hundred decisions to compare both scorers on.
Idempotent: once a demo run exists nothing is added.
"""
from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.demo.base import BUREAU, DEMO_PASSWORD
from webapp.models import (
    MatchRun,
    Organisation,
    Proposal,
    ProposalStatus,
    RejectReason,
    Role,
    RunStatus,
    User,
)
from webapp.services import DomainError, accounts, matching
from webapp.services.matching import records

REVIEWER = ("officer4", "民政局匹配审核员")
TARGET_DECISIONS = 240
MAX_ROUNDS = 6
PARTIAL_HOURS = 2
REASONS = [RejectReason.NOT_ELIGIBLE, RejectReason.ALREADY_HELPED, RejectReason.INSUFFICIENT,
           RejectReason.FALSE_INFO]


def _user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def _reviewer(session: Session, counter: dict) -> User:
    user = _user(session, REVIEWER[0])
    if user is None:
        bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
        user = accounts.create_user(session, None, accounts.NewUser(
            REVIEWER[0], DEMO_PASSWORD, REVIEWER[1], {Role.OFFICER}, bureau))
        counter["users"] = counter.get("users", 0) + 1
    return user


def _approves(features: dict, rng) -> bool:
    """The synthetic officer's judgement: local, on-topic, dedicated help first."""
    logit = (3.0 * features.get("same_town", 0) + 4.0 * features.get("text_sim", 0)
             + 1.5 * features.get("category_exact", 0) + 1.0 * features.get("coverage", 0)
             - 4.0 + rng.gauss(0, 0.8))
    return 1 / (1 + math.exp(-logit)) > 0.5


def _partial(proposal: Proposal) -> str:
    """Approve part of the proposal, so a need stays open for the next rounds."""
    share = PARTIAL_HOURS if not proposal.is_money else max(int(proposal.amount) * 3 // 10, 1)
    return str(min(share, int(proposal.amount)))


def _decide(session: Session, reviewer: User, proposal: Proposal, rng) -> bool:
    """Approve or reject one proposal; returns whether a decision was recorded."""
    if _approves(proposal.features or {}, rng):
        try:
            with session.begin_nested():
                matching.approve(session, reviewer, proposal, amount=_partial(proposal))
            return True
        except DomainError:
            pass  # over a limit by now: the officer rejects it as short of resources
        code = RejectReason.INSUFFICIENT
    else:
        code = REASONS[rng.randrange(len(REASONS))]
    matching.reject(session, reviewer, proposal, reason_code=code,
                    note="演示数据" if code is RejectReason.OTHER else None)
    return True


def _open_proposals(session: Session) -> list[Proposal]:
    return list(session.scalars(select(Proposal).where(
        Proposal.status == ProposalStatus.PROPOSED).order_by(Proposal.id)))


def _decided(session: Session) -> int:
    return session.scalar(select(func.count(Proposal.id)).where(
        Proposal.decided_at.is_not(None))) or 0


def load(session: Session, rng, echo) -> dict[str, int]:
    if session.scalars(select(MatchRun.id).limit(1)).first() is not None:
        return {}
    counter: dict[str, int] = {"match_runs": 0}
    starter = session.scalars(select(User).where(User.username == "officer")).one()
    reviewer = _reviewer(session, counter)
    for _round in range(MAX_ROUNDS):
        if _decided(session) >= TARGET_DECISIONS:
            break
        run = MatchRun(created_by_id=starter.id, status=RunStatus.QUEUED)
        session.add(run)
        session.flush()
        matching.execute_run(session, run)
        counter["match_runs"] += 1
        for proposal in _open_proposals(session):
            _decide(session, reviewer, proposal, rng)
        for card in records.open_needs(session):
            matching.store_suggestions(session, None, card)
        for proposal in _open_proposals(session):
            _decide(session, reviewer, proposal, rng)
        session.flush()
    final = MatchRun(created_by_id=starter.id, status=RunStatus.QUEUED)
    session.add(final)
    session.flush()
    matching.execute_run(session, final)
    counter["match_runs"] += 1
    counter["match_decisions"] = _decided(session)
    echo(f"matching: {counter['match_runs']} runs, {counter['match_decisions']} decisions")
    return counter

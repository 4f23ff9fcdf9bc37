"""Matching batches (a background job, never in a request) and single-need suggestions.

``start_run`` only queues a job; the job reads every open need and listed resource, runs the
matcher, supersedes the undecided proposals of earlier passes and writes new ones with their
explanation and a run report. A newly published need gets suggestions at once from a resource
index cached per process and rebuilt whenever a listing, a balance or a decision changes.
"""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.index import ResourceIndex
from matching.pipeline import BatchResult, Suggestion, run_batch, suggest_for_need
from matching.records import Resource
from webapp.models import (
    MatchRun,
    NeedCard,
    Organisation,
    Proposal,
    ProposalStatus,
    RunStatus,
    User,
    utcnow,
)
from webapp.services import NotFoundError, audit, events, jobs
from webapp.services.matching import records, training
from webapp.services.matching.records import ResourceRef, Snapshot

RUN_JOB = "matching.run"
SUGGESTIONS = 5

_cache: dict[str, Any] = {"key": None}
_cache_lock = threading.Lock()


def start_run(session: Session, actor: User) -> MatchRun:
    """Queue a batch over all open needs; the caller commits and the job runs afterwards."""
    run = MatchRun(created_by_id=actor.id, status=RunStatus.QUEUED)
    session.add(run)
    session.flush()
    run.job_id = jobs.enqueue(session, RUN_JOB, {"run_id": run.id}, actor=actor).id
    audit.record(session, actor, "matching.run_start", run, summary={"job_id": run.job_id})
    return run


@jobs.handler(RUN_JOB)
def _run_job(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    run = session.get(MatchRun, payload.get("run_id"))
    if run is None:
        raise NotFoundError("匹配批次不存在")
    if run.status is RunStatus.QUEUED:
        execute_run(session, run)
    return {"run_id": run.id, "proposals": run.n_proposals}


def supersede_open(session: Session, need_ids: list[int] | None = None) -> int:
    """Mark undecided proposals (of the given needs, or all) superseded; return how many."""
    return len(_supersede(session, need_ids))


def _supersede(session: Session, need_ids: list[int] | None) -> list[Proposal]:
    stmt = select(Proposal).where(Proposal.status == ProposalStatus.PROPOSED)
    if need_ids is not None:
        stmt = stmt.where(Proposal.need_card_id.in_(need_ids))
    rows = list(session.scalars(stmt.order_by(Proposal.id).with_for_update()))
    for proposal in rows:
        proposal.status = ProposalStatus.SUPERSEDED
    session.flush()
    return rows


ProposalRow = tuple[int, int, float, str, float, Any, Any]
"""(need_id, resource_id, amount, unit, score, contributions, features)."""


def _write_proposals(session: Session, snap: Snapshot, index: ResourceIndex,
                     rows: list[ProposalRow],
                     run: MatchRun | None) -> list[Proposal]:
    """``rows`` are (need_id, resource_id, amount, unit, score, contributions, features); the
    features are those the matcher scored the pair on (recomputed only when missing)."""
    missing = [(r[0], r[1]) for r in rows if not r[6]]
    recomputed = iter(training.pair_features(snap.needs, index, missing)) if missing else iter(())
    need_of = {need.id: need for need in snap.needs}
    written = []
    for need_id, rid, amount, unit, _score, contributions, scored_on in rows:
        feature_row = scored_on or training.feature_dict(next(recomputed))
        ref: ResourceRef = snap.refs[rid]
        card = snap.cards[need_id]
        if unit == "cases" and ref.hours_per_case is not None:  # an offer's place, in hours
            unit, amount = "hours", records.offer_hours(ref, need_of[need_id])
        # The stored score is the sum of the stored (rounded) terms, so they add up exactly.
        terms = {k: round(float(v), 6) for k, v in contributions.items()}
        proposal = Proposal(run_id=run.id if run else None, need_card_id=need_id,
                            case_id=card.case_id, resource_kind=ref.kind, resource_id=ref.id,
                            organisation_id=ref.organisation_id, unit=unit, amount=int(amount),
                            score=round(sum(terms.values()), 6), explanation=terms,
                            features={k: round(float(v), 6) for k, v in feature_row.items()})
        session.add(proposal)
        written.append(proposal)
    session.flush()
    return written


def _case_number(snap: Snapshot, need_id: int) -> str:
    card = snap.cards.get(need_id)
    return card.case.number if card is not None else ""


def _skipped(snap: Snapshot, result: BatchResult, *,
             out_of_dates: int = 0) -> list[dict[str, Any]]:
    """The report's skipped items; a need carries its per-rule counts (listings outside their
    dates counted under ``dates``) and the needs, with case numbers, that took capacity."""
    out: list[dict[str, Any]] = []
    for item in result.skipped:
        if item.kind == "resource":
            ref = snap.refs.get(item.id)
            out.append({"kind": "resource", "resource_kind": ref.kind.value if ref else None,
                        "id": ref.id if ref else item.id, "title": ref.title if ref else "",
                        "reason": item.reason})
        else:
            card = snap.cards.get(item.id)
            reasons = dict(item.reasons)
            if out_of_dates and "gap_covered" not in reasons:
                reasons["dates"] = out_of_dates
            out.append({"kind": "need", "id": item.id, "title": card.title if card else "",
                        "case_number": _case_number(snap, item.id), "reason": item.reason,
                        "reasons": reasons,
                        "competitors": [{"need_id": n, "case_number": _case_number(snap, n)}
                                        for n in item.competitors]})
    return out


def _fairness(session: Session, result: BatchResult) -> list[dict[str, Any]]:
    """The fairness rows with town names (the matcher keys towns by organisation id)."""
    ids = [int(row.town) for row in result.fairness if row.town.isdigit()]
    names: dict[int, str] = {
        org_id: name for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    } if ids else {}
    return [{"town": names.get(int(row.town), row.town) if row.town.isdigit() else row.town,
             "category": row.category, "n_open": row.n_open,
             "share_proposed": round(row.share_proposed, 4),
             "share_proposed_greedy": round(row.share_proposed_greedy, 4),
             "median_covered": round(row.median_covered, 4),
             "median_covered_greedy": round(row.median_covered_greedy, 4)}
            for row in result.fairness]


def execute_run(session: Session, run: MatchRun, *, now: dt.datetime | None = None
                ) -> BatchResult:
    """Run the batch of ``run`` now and write its proposals and report (flushes only)."""
    now = now or utcnow()
    snap = records.snapshot(session, now=now)
    index = ResourceIndex.build(snap.resources)
    choice = training.current_scorer(session)
    result = run_batch(snap.needs, index, exclusions=snap.exclusions, scorer=choice.scorer)
    run.n_superseded = supersede_open(session)
    proposals = _write_proposals(session, snap, index, [
        (p.need_id, p.resource_id, p.amount, p.unit, p.score, p.contributions, p.features)
        for p in result.proposals], run)
    run.status, run.finished_at = RunStatus.DONE, utcnow()
    run.scorer, run.scorer_reason = training.scorer_name(choice.scorer), choice.reason[:200]
    run.n_needs, run.n_resources = len(snap.needs), len(snap.resources)
    run.n_candidates, run.n_proposals = result.n_candidates, len(proposals)
    run.objective, run.greedy_objective = result.objective, result.greedy_objective
    run.skipped = _skipped(snap, result, out_of_dates=records.listings_out_of_dates(
        session, today=now.date()))
    run.unmet_need_ids = list(result.unmet_need_ids)
    run.fairness = _fairness(session, result)
    run.timings = {k: round(v, 4) for k, v in result.timings.items()}
    session.flush()
    actor = session.get(User, run.created_by_id) if run.created_by_id else None
    audit.record(session, actor, "matching.run", run, summary={
        "needs": run.n_needs, "resources": run.n_resources, "proposals": run.n_proposals,
        "skipped": len(run.skipped), "superseded": run.n_superseded, "scorer": run.scorer})
    events.publish(session, events.MatchingRunFinished(run))
    return result


# ---- single-need suggestions ------------------------------------------------------------

def cached_index(session: Session, *, today: dt.date | None = None
                 ) -> tuple[ResourceIndex, list[Resource], dict[int, ResourceRef]]:
    """(index, resources, refs) for the current listings, rebuilt only when they changed."""
    today = today or utcnow().date()
    key = (records.listings_version(session), today)
    with _cache_lock:
        if _cache["key"] == key:
            return _cache["index"], _cache["resources"], _cache["refs"]
    resources, refs = records.resource_records(session, today=today)
    index = ResourceIndex.build(resources).warm()
    with _cache_lock:
        _cache.update(key=key, index=index, resources=resources, refs=refs)
    return index, resources, refs


def suggestions(session: Session, card: NeedCard, *, k: int = SUGGESTIONS,
                now: dt.datetime | None = None
                ) -> tuple[Snapshot, ResourceIndex, list[Suggestion]]:
    """(snapshot, index, suggestions) for one need; nothing is written."""
    now = now or utcnow()
    index, resources, refs = cached_index(session, today=now.date())
    snap = records.snapshot(session, need_ids=[card.id], resources=(resources, refs), now=now)
    if not snap.needs:
        return snap, index, []
    found = suggest_for_need(snap.needs[0], index, k=k, exclusions=snap.exclusions)
    return snap, index, found


def suggestion_amount(snap: Snapshot, found: Suggestion) -> tuple[str, float]:
    """(unit, most it could give) of a suggestion, an offer's place counted in hours."""
    ref = snap.refs[found.resource_id]
    if found.unit == "cases" and ref.hours_per_case is not None:
        return "hours", records.offer_hours(ref, snap.needs[0])
    return found.unit, found.amount_cap


def store_suggestions(session: Session, actor: User | None, card: NeedCard, *,
                      now: dt.datetime | None = None) -> list[Proposal]:
    """Replace the need's undecided proposals with fresh single-need suggestions."""
    snap, index, found = suggestions(session, card, now=now)
    supersede_open(session, [card.id])
    rows: list[ProposalRow] = [
        (card.id, s.resource_id, int(s.amount_cap), s.unit, s.score, s.contributions,
         s.features) for s in found if s.amount_cap >= 1]
    written = _write_proposals(session, snap, index, rows, None)
    if written:
        audit.record(session, actor, "matching.suggest", card,
                     summary={"case_id": card.case_id, "proposals": len(written)})
    return written


def on_need_published(session: Session, event: events.NeedPublished) -> None:
    store_suggestions(session, event.actor, event.need)


def on_need_unpublished(session: Session, event: events.NeedUnpublished) -> None:
    need, actor = event.need, event.actor
    superseded = _supersede(session, [need.id])
    if superseded:
        audit.record(session, actor, "matching.supersede", need, summary={
            "case_id": need.case_id, "proposal_ids": [p.id for p in superseded]})

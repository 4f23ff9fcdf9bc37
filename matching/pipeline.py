"""Entry points for the web layer: a whole matching batch, and suggestions for one need.

``run_batch`` goes candidates → features → scores → optimal allocation over all open needs,
and reports the greedy baseline's objective next to the optimiser's. ``suggest_for_need``
ranks resources for one need over a prebuilt :class:`ResourceIndex` without allocating.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from matching.allocation import (
    Allocation,
    AllocationProblem,
    greedy_allocate,
    optimize_allocation,
)
from matching.candidates import Candidates, generate_candidates
from matching.fairness import FairnessRow, fairness
from matching.features import FEATURE_NAMES, build_features, edge_amount_cap
from matching.index import KIND_CODE, NeedArrays, ResourceIndex
from matching.reasons import GAP_COVERED, RULES, WhyNot, explain_unmatched, rule_codes
from matching.records import NO_EXCLUSIONS, UNITS, Exclusions, Need, Resource
from matching.scoring import EXPLANATION_NAMES, DefaultScorer, Scorer, allocation_weight

__all__ = [
    "BatchResult",
    "Proposal",
    "ResourceIndex",
    "Skipped",
    "Suggestion",
    "run_batch",
    "suggest_for_need",
    "why_not",
]


@dataclass(frozen=True)
class Proposal:
    """A pairing for an officer to approve: ``amount`` whole ``unit`` from resource to need."""

    need_id: int
    resource_id: int
    amount: int
    unit: str
    score: float
    weight: float
    contributions: dict[str, float]
    #: The raw feature values the pairing was scored on (training data for the learned model).
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """A ranked resource for one need, with the most it could give on its own."""

    resource_id: int
    score: float
    unit: str
    amount_cap: float
    contributions: dict[str, float]
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """An input left out of the batch, with the reason an officer can act on.

    For a need, ``reasons`` counts the resources each hard rule of :mod:`matching.reasons`
    removed (``capacity_used``, ``not_chosen`` included), and ``competitors`` lists the needs
    that took the capacity of resources it could have had.
    """

    kind: str  # "need" or "resource"
    id: int
    reason: str
    reasons: dict[str, int] = field(default_factory=dict)
    competitors: tuple[int, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """Proposals, skipped inputs, the optimiser's and the greedy objective, and stage timings."""

    proposals: tuple[Proposal, ...]
    skipped: tuple[Skipped, ...]
    objective: float
    greedy_objective: float
    n_candidates: int
    unmet_need_ids: tuple[int, ...]  # had candidates, but capacity went to higher weights
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    #: By (town, category): share proposed and median gap covered, optimal vs greedy.
    fairness: tuple[FairnessRow, ...] = ()


def need_problem(need: Need) -> str | None:
    """Return why ``need`` cannot be matched at all, or ``None``."""
    if need.urgency not in (1, 2, 3, 4):
        return f"invalid urgency {need.urgency!r} (expected 1-4)"
    if need.age is not None and need.age < 0:
        return "invalid age"
    if all(need.demand(unit) < 1 for unit in UNITS):
        return "no remaining gap"
    return None


def _cause_blocked(needs: Sequence[Need], exclusions: Exclusions) -> np.ndarray:
    """Needs barred from scheme/fund resources by the once-per-cause rule.

    Besides the web layer's 365-day history, two needs of the same person and cause in one
    batch are one case reported twice: only the lowest id keeps scheme/fund eligibility.
    """
    blocked = np.fromiter((exclusions.blocks_cause(nd) for nd in needs), dtype=bool,
                          count=len(needs))
    first: dict[tuple[str, str], int] = {}
    for row in sorted(range(len(needs)), key=lambda r: needs[r].id):
        need = needs[row]
        if need.person_key is None:
            continue
        key = (need.person_key, need.category)
        if key in first:
            blocked[row] = True
        else:
            first[key] = row
    return blocked


def one_scheme_per_need(
    candidates: Candidates, index: ResourceIndex, weight: np.ndarray
) -> np.ndarray:
    """Return the mask of edges kept so that each need has at most one ``scheme`` edge.

    A government scheme pays a given cause once: two schemes in one batch for the same need
    (a need has one category) would pay it twice. The best-weighted scheme edge stays (ties:
    lower resource id); funds, projects and offers may still add up to cover the gap.
    """
    keep = np.ones(len(candidates), dtype=bool)
    scheme = np.flatnonzero(index.kind[candidates.res_idx] == KIND_CODE["scheme"])
    if scheme.size:
        need = candidates.need_idx[scheme]
        order = np.lexsort((index.ids[candidates.res_idx[scheme]], -weight[scheme], need))
        need_sorted = need[order]
        later = np.r_[False, need_sorted[1:] == need_sorted[:-1]]
        keep[scheme[order[later]]] = False
    return keep


def _select(candidates: Candidates, keep: np.ndarray) -> Candidates:
    return Candidates(candidates.need_idx[keep], candidates.res_idx[keep],
                      candidates.text_sim[keep], candidates.n_feasible)


def _score(scorer: Scorer, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, explanation columns in :data:`EXPLANATION_NAMES` order) per edge."""
    if len(features) == 0:
        return np.zeros(0), np.zeros((0, len(EXPLANATION_NAMES)))
    return scorer.explain(features)


def _explain(row: np.ndarray) -> dict[str, float]:
    return dict(zip(EXPLANATION_NAMES, row.tolist()))


def run_batch(
    needs: Sequence[Need],
    resources: Sequence[Resource] | ResourceIndex,
    *,
    exclusions: Exclusions = NO_EXCLUSIONS,
    scorer: Scorer | None = None,
    top_k: int = 10,
    solver: str = "flow",
) -> BatchResult:
    """Match all open ``needs`` with ``resources`` at once and propose an optimal allocation.

    ``resources`` may be a prebuilt :class:`ResourceIndex`. ``scorer`` defaults to
    :class:`DefaultScorer`; pass the one :func:`matching.scoring.choose_scorer` returns.
    """
    scorer = DefaultScorer() if scorer is None else scorer
    clock = _StageClock()
    with clock.stage("prepare"):
        batch = _prepare(needs, resources, exclusions)
    with clock.stage("candidates"):
        candidates = generate_candidates(
            batch.arrays, batch.index, top_k=top_k,
            rows=np.asarray(batch.open_rows, dtype=np.int64), blocked_pairs=batch.blocked_pairs,
        )
    with clock.stage("scoring"):
        edges = _scored(scorer, batch.arrays, batch.index, candidates, batch.urgency)
    problem = _allocation_problem(batch, edges)
    with clock.stage("allocation"):
        optimal = optimize_allocation(problem, solver=solver)
    with clock.stage("greedy"):
        greedy = greedy_allocate(problem)
    proposals = _proposals(batch.needs, batch.index, edges, optimal)
    with clock.stage("reasons"):
        unplaced, unmet = _unplaced(batch, edges.candidates, optimal)
        by_group = _fairness(batch, edges.candidates, optimal, greedy)
    return BatchResult(
        proposals=proposals,
        skipped=tuple(batch.skipped + unplaced),
        objective=optimal.objective,
        greedy_objective=greedy.objective,
        n_candidates=len(edges.candidates),
        unmet_need_ids=unmet,
        timings=clock.finish(),
        fairness=tuple(by_group),
    )


class _StageClock:
    """Seconds spent in each named stage of a batch, in the order they ran, then the total."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - began

    def finish(self) -> dict[str, float]:
        self.timings["total"] = time.perf_counter() - self.started
        return self.timings


@dataclass(frozen=True)
class _Batch:
    """A batch's inputs encoded once: the rows that can be matched, what is skipped and why,
    and the (need row, resource row) pairs the exclusions bar."""

    needs: tuple[Need, ...]
    index: ResourceIndex
    open_rows: list[int]
    skipped: list[Skipped]
    arrays: NeedArrays
    blocked_pairs: list[tuple[int, int]]
    urgency: np.ndarray


class _Edges(NamedTuple):
    """The candidate edges left after scoring, with their per-edge arrays."""

    candidates: Candidates
    features: np.ndarray
    score: np.ndarray
    contributions: np.ndarray
    weight: np.ndarray


def _prepare(needs: Sequence[Need], resources: Sequence[Resource] | ResourceIndex,
             exclusions: Exclusions) -> _Batch:
    """Index the resources, triage the needs and encode them for the array stages."""
    index = resources if isinstance(resources, ResourceIndex) else ResourceIndex.build(resources)
    needs = tuple(needs)
    open_rows, skipped = _triage(needs, index)
    return _Batch(
        needs=needs,
        index=index,
        open_rows=open_rows,
        skipped=skipped,
        arrays=NeedArrays.encode(needs, index, cause_blocked=_cause_blocked(needs, exclusions)),
        blocked_pairs=_blocked_rows(needs, index, exclusions),
        urgency=np.fromiter((nd.urgency for nd in needs), dtype=np.int64, count=len(needs)),
    )


def _allocation_problem(batch: _Batch, edges: _Edges) -> AllocationProblem:
    """The flow problem over the scored edges: capacities, demands and edge weights."""
    candidates, index = edges.candidates, batch.index
    return AllocationProblem.from_arrays(
        need_idx=candidates.need_idx,
        res_idx=candidates.res_idx,
        unit=index.unit[candidates.res_idx],
        edge_cap=edge_amount_cap(batch.arrays, index, candidates.need_idx, candidates.res_idx),
        weight=edges.weight,
        capacity=index.capacity,
        demand=batch.arrays.demand,
        urgency=batch.urgency,
        need_ids=batch.arrays.ids,
        exclusive=_offer_services(batch.arrays, index, candidates),
    )


def _fairness(batch: _Batch, candidates: Candidates, optimal: Allocation, greedy: Allocation
              ) -> list[FairnessRow]:
    """By (town, category): what the optimal and the greedy allocation gave."""
    return fairness(batch.needs, batch.open_rows, need_idx=candidates.need_idx,
                    unit=batch.index.unit[candidates.res_idx].astype(np.int64),
                    optimal=optimal.amount, greedy=greedy.amount)


def _offer_services(arrays: NeedArrays, index: ResourceIndex, candidates: Candidates
                    ) -> np.ndarray:
    """Per edge, the services its volunteer offer would take on for its need (the ones both
    ask for and provide; zero for other resources): one offer per service and need."""
    bits: np.ndarray = arrays.services[candidates.need_idx] & index.services[candidates.res_idx]
    bits[index.kind[candidates.res_idx] != KIND_CODE["offer"]] = 0
    return bits


def _why_not(
    arrays: NeedArrays,
    rows: list[int],
    index: ResourceIndex,
    candidates: Candidates,
    allocation: Allocation,
    blocked_pairs: Sequence[tuple[int, int]],
) -> dict[int, WhyNot]:
    """Reasons per unmatched need row (see :func:`matching.reasons.explain_unmatched`)."""
    if not rows:
        return {}
    given = allocation.amount > 0
    used = np.bincount(candidates.res_idx, weights=allocation.amount, minlength=len(index))
    takers: dict[int, list[int]] = {}
    for n, r in zip(candidates.need_idx[given].tolist(), candidates.res_idx[given].tolist()):
        takers.setdefault(r, []).append(int(arrays.ids[n]))
    blocked: dict[int, list[int]] = {}
    for n, r in blocked_pairs:
        blocked.setdefault(n, []).append(r)
    return explain_unmatched(
        arrays, rows, index, blocked=blocked, capacity_left=index.capacity - used,
        takers={r: tuple(ids) for r, ids in takers.items()},
    )


def _triage(needs: Sequence[Need], index: ResourceIndex) -> tuple[list[int], list[Skipped]]:
    """The rows of the needs that can be matched, and what is skipped and why."""
    skipped: list[Skipped] = []
    for resource, problem in zip(index.resources, index.problems):
        if problem is not None:
            skipped.append(Skipped("resource", resource.id, problem))
    seen: set[int] = set()
    open_rows = []
    for row, need in enumerate(needs):
        problem = need_problem(need)
        if problem is None and need.id in seen:
            problem = "duplicate need id in batch"
        seen.add(need.id)
        if problem is None:
            open_rows.append(row)
        else:
            covered = {GAP_COVERED: 1} if problem == "no remaining gap" else {}
            skipped.append(Skipped("need", need.id, problem, covered))
    return open_rows, skipped


def _blocked_rows(needs: Sequence[Need], index: ResourceIndex, exclusions: Exclusions
                  ) -> list[tuple[int, int]]:
    """The excluded (need, resource) pairs as (need row, resource row)."""
    need_row = {need.id: row for row, need in enumerate(needs)}
    res_row = {int(rid): row for row, rid in enumerate(index.ids)}
    return [
        (need_row[n], res_row[r])
        for n, r in exclusions.blocked_pairs
        if n in need_row and r in res_row
    ]


def _scored(scorer: Scorer, arrays: NeedArrays, index: ResourceIndex, candidates: Candidates,
            urgency: np.ndarray) -> _Edges:
    """Score the candidate edges and keep one scheme per need."""
    features = build_features(arrays, index, candidates)
    score, contributions = _score(scorer, features)
    weight = allocation_weight(score, urgency[candidates.need_idx])
    keep = one_scheme_per_need(candidates, index, weight)
    if not keep.all():
        candidates = _select(candidates, keep)
        score, contributions, weight = score[keep], contributions[keep], weight[keep]
        features = features[keep]
    return _Edges(candidates, features, score, contributions, weight)


def _unplaced(batch: _Batch, candidates: Candidates, optimal: Allocation
              ) -> tuple[list[Skipped], tuple[int, ...]]:
    """The open needs the allocation left without help, each with its reasons (skipped), and
    the ids of those among them that had candidates."""
    needs = batch.needs
    with_candidates = set(candidates.need_idx.tolist())
    funded_rows = set(candidates.need_idx[optimal.amount > 0].tolist())
    unmatched = [row for row in batch.open_rows if row not in funded_rows]
    why = _why_not(batch.arrays, unmatched, batch.index, candidates, optimal, batch.blocked_pairs)
    skipped = []
    for row in unmatched:
        if row in with_candidates:
            reason = ("capacity used by other needs" if why[row].competitors
                      else "not chosen")
        else:
            reason = "no feasible candidate"
        skipped.append(Skipped("need", needs[row].id, reason, why[row].counts,
                               why[row].competitors))
    unmet = sorted(needs[row].id for row in unmatched if row in with_candidates)
    return skipped, tuple(unmet)


def _proposals(needs: Sequence[Need], index: ResourceIndex, edges: _Edges, allocation: Allocation
               ) -> tuple[Proposal, ...]:
    """The allocated edges as proposals, by need id, best score first (ties: resource id)."""
    candidates, score, weight = edges.candidates, edges.score, edges.weight
    contributions, features = edges.contributions, edges.features
    chosen = np.flatnonzero(allocation.amount > 0)
    need_ids = np.fromiter((needs[int(r)].id for r in candidates.need_idx[chosen]), dtype=np.int64,
                           count=chosen.size)
    res_ids = index.ids[candidates.res_idx[chosen]]
    chosen = chosen[np.lexsort((res_ids, -score[chosen], need_ids))]
    need_of = candidates.need_idx[chosen].tolist()
    res_of = candidates.res_idx[chosen]
    return tuple(
        Proposal(
            need_id=needs[n].id,
            resource_id=rid,
            amount=amount,
            unit=UNITS[unit],
            score=s,
            weight=w,
            contributions=dict(zip(EXPLANATION_NAMES, row)),
            features=dict(zip(FEATURE_NAMES, values)),
        )
        for n, rid, amount, unit, s, w, row, values in zip(
            need_of,
            index.ids[res_of].tolist(),
            allocation.amount[chosen].tolist(),
            index.unit[res_of].tolist(),
            score[chosen].tolist(),
            weight[chosen].tolist(),
            contributions[chosen].tolist(),
            features[chosen].tolist(),
        )
    )


def suggest_for_need(
    need: Need,
    index: ResourceIndex,
    *,
    k: int = 5,
    exclusions: Exclusions = NO_EXCLUSIONS,
    scorer: Scorer | None = None,
) -> list[Suggestion]:
    """Return the ``k`` best-scored feasible resources for one need, best first."""
    scorer = DefaultScorer() if scorer is None else scorer
    if need_problem(need) is not None:
        return []
    arrays = NeedArrays.encode(
        (need,), index, cause_blocked=_cause_blocked((need,), exclusions)
    )
    blocked = [(0, int(row)) for row in np.flatnonzero(
        np.isin(index.ids, [r for n, r in exclusions.blocked_pairs if n == need.id])
    )] if exclusions.blocked_pairs else []
    # Rank a wider pool by text, then keep the best k by the full score.
    candidates = generate_candidates(arrays, index, top_k=max(4 * k, k), blocked_pairs=blocked)
    features = build_features(arrays, index, candidates)
    score, contributions = _score(scorer, features)
    order = np.lexsort((index.ids[candidates.res_idx], -score))[:k]
    amount_cap = edge_amount_cap(arrays, index, candidates.need_idx, candidates.res_idx)
    return [
        Suggestion(
            resource_id=int(index.ids[candidates.res_idx[e]]),
            score=float(score[e]),
            unit=UNITS[int(index.unit[candidates.res_idx[e]])],
            amount_cap=float(amount_cap[e]),
            contributions=_explain(contributions[e]),
            features=dict(zip(FEATURE_NAMES, features[e].tolist())),
        )
        for e in order.tolist()
    ]


def why_not(
    need: Need,
    index: ResourceIndex,
    resource_id: int,
    *,
    exclusions: Exclusions = NO_EXCLUSIONS,
) -> str | None:
    """Return the hard rule (a :data:`matching.reasons.RULES` code) keeping ``resource_id``
    from ``need``, ``"gap_covered"`` when the need lacks nothing, or ``None`` when the pair
    is allowed (then capacity or ranking decided; the caller knows which)."""
    if need_problem(need) == "no remaining gap":
        return GAP_COVERED
    rows = np.flatnonzero(index.ids == resource_id)
    if rows.size == 0:
        raise KeyError(resource_id)
    arrays = NeedArrays.encode((need,), index, cause_blocked=_cause_blocked((need,), exclusions))
    blocked = rows.tolist() if (need.id, resource_id) in exclusions.blocked_pairs else []
    code = int(rule_codes(arrays, 0, index, blocked_rows=blocked)[rows[0]])
    return None if code < 0 else RULES[code]

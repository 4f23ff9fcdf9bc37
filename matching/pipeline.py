"""Entry points for the web layer: a whole matching batch, and suggestions for one need.

``run_batch`` goes candidates → features → scores → optimal allocation over all open needs,
and reports the greedy baseline's objective next to the optimiser's. ``suggest_for_need``
ranks resources for one need over a prebuilt :class:`ResourceIndex` without allocating.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    timings: dict[str, float] = {}
    started = time.perf_counter()

    index = resources if isinstance(resources, ResourceIndex) else ResourceIndex.build(resources)
    needs = tuple(needs)
    open_rows, skipped = _triage(needs, index)
    arrays = NeedArrays.encode(needs, index, cause_blocked=_cause_blocked(needs, exclusions))
    blocked_pairs = _blocked_rows(needs, index, exclusions)
    timings["prepare"] = time.perf_counter() - started

    t = time.perf_counter()
    candidates = generate_candidates(
        arrays, index, top_k=top_k, rows=np.asarray(open_rows, dtype=np.int64),
        blocked_pairs=blocked_pairs,
    )
    timings["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    urgency = np.fromiter((nd.urgency for nd in needs), dtype=np.int64, count=len(needs))
    candidates, features, score, contributions, weight = _scored(scorer, arrays, index,
                                                                 candidates, urgency)
    timings["scoring"] = time.perf_counter() - t

    problem = AllocationProblem.from_arrays(
        need_idx=candidates.need_idx,
        res_idx=candidates.res_idx,
        unit=index.unit[candidates.res_idx],
        edge_cap=edge_amount_cap(arrays, index, candidates.need_idx, candidates.res_idx),
        weight=weight,
        capacity=index.capacity,
        demand=arrays.demand,
        urgency=urgency,
        need_ids=arrays.ids,
        exclusive=_offer_services(arrays, index, candidates),
    )
    t = time.perf_counter()
    optimal = optimize_allocation(problem, solver=solver)
    timings["allocation"] = time.perf_counter() - t
    t = time.perf_counter()
    greedy = greedy_allocate(problem)
    timings["greedy"] = time.perf_counter() - t

    proposals = _proposals(needs, index, candidates, optimal, score, weight, contributions,
                           features)
    t = time.perf_counter()
    unplaced, unmet = _unplaced(needs, arrays, open_rows, index, candidates, optimal,
                                blocked_pairs)
    by_group = fairness(needs, open_rows, need_idx=candidates.need_idx,
                        unit=index.unit[candidates.res_idx].astype(np.int64),
                        optimal=optimal.amount, greedy=greedy.amount)
    timings["reasons"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return BatchResult(
        proposals=proposals,
        skipped=tuple(skipped + unplaced),
        objective=optimal.objective,
        greedy_objective=greedy.objective,
        n_candidates=len(candidates),
        unmet_need_ids=unmet,
        timings=timings,
        fairness=tuple(by_group),
    )


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
            urgency: np.ndarray
            ) -> tuple[Candidates, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Score the candidate edges and keep one scheme per need: (candidates, features, score,
    explanation terms, allocation weight)."""
    features = build_features(arrays, index, candidates)
    score, contributions = _score(scorer, features)
    weight = allocation_weight(score, urgency[candidates.need_idx])
    keep = one_scheme_per_need(candidates, index, weight)
    if not keep.all():
        candidates = _select(candidates, keep)
        score, contributions, weight = score[keep], contributions[keep], weight[keep]
        features = features[keep]
    return candidates, features, score, contributions, weight


def _unplaced(needs: Sequence[Need], arrays: NeedArrays, open_rows: list[int],
              index: ResourceIndex, candidates: Candidates, optimal: Allocation,
              blocked_pairs: Sequence[tuple[int, int]]) -> tuple[list[Skipped], tuple[int, ...]]:
    """The open needs the allocation left without help, each with its reasons (skipped), and
    the ids of those among them that had candidates."""
    with_candidates = set(candidates.need_idx.tolist())
    funded_rows = set(candidates.need_idx[optimal.amount > 0].tolist())
    unmatched = [row for row in open_rows if row not in funded_rows]
    why = _why_not(arrays, unmatched, index, candidates, optimal, blocked_pairs)
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


def _proposals(
    needs: Sequence[Need],
    index: ResourceIndex,
    candidates: Candidates,
    allocation: Allocation,
    score: np.ndarray,
    weight: np.ndarray,
    contributions: np.ndarray,
    features: np.ndarray,
) -> tuple[Proposal, ...]:
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

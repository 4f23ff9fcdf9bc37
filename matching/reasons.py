"""Why a resource was not proposed for a need: the hard rule that removed it, or what took it.

Rules are checked in a fixed order and the first one that fails is the reason, so every
(need, resource) pair gets exactly one code:

| code            | the resource …                                                         |
|-----------------|------------------------------------------------------------------------|
| unusable        | cannot be matched at all (contradictory limits, unknown kind or unit)    |
| category        | does not accept the need's category                                    |
| town            | does not serve the need's town                                         |
| kind            | gives a kind of help the need does not lack (money, hours or a place)   |
| service         | is a volunteer offer without any service the need asks for             |
| household       | requires a household situation the need's household does not have      |
| age             | has an age limit the person is outside of (or the age is unknown)      |
| once_per_cause  | is temporary assistance the person already had for this cause this year |
| decided         | was already approved, rejected or declined for this need               |
| capacity_used   | is eligible, but earlier approvals or other needs of this batch took    |
|                 | all its capacity                                                       |
| not_chosen      | is feasible and has capacity left, but ranked below the need's best     |
|                 | candidates (or would pay a second scheme for the same cause)            |

``gap_covered`` is a need-level reason: the need's gap is already covered (by pledges, grants
or approved pairings) so no resource was considered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matching.index import NeedArrays, ResourceIndex

RULES: tuple[str, ...] = (
    "unusable",
    "category",
    "town",
    "kind",
    "service",
    "household",
    "age",
    "once_per_cause",
    "decided",
    "capacity_used",
    "not_chosen",
)
GAP_COVERED = "gap_covered"
#: Competing needs named per unmatched need (the counts always cover every resource).
MAX_COMPETITORS = 10
FEASIBLE = -1
CODE = {rule: code for code, rule in enumerate(RULES)}


@dataclass(frozen=True)
class WhyNot:
    """Counts of resources per reason for one need, and the needs that took capacity."""

    counts: dict[str, int]
    competitors: tuple[int, ...] = ()


def _accepts(index: ResourceIndex, category: str) -> np.ndarray:
    accepts = index.any_category.copy()
    col = index.category_code.get(category)
    if col is not None:
        accepts[index.category_matrix[:, col].indices] = True
    return accepts


def _serves(index: ResourceIndex, town: str) -> np.ndarray:
    serves = index.county_wide.copy()
    col = index.town_code.get(town)
    if col is not None:
        serves[index.town_matrix[:, col].indices] = True
    return serves


def _category_town(index: ResourceIndex, category: str, town: str, *,
                   accepts: np.ndarray | None = None,
                   serves: np.ndarray | None = None) -> np.ndarray:
    """Reason codes of the need-independent rules (unusable, category, town), -1 where none."""
    accepts = _accepts(index, category) if accepts is None else accepts
    serves = _serves(index, town) if serves is None else serves
    out = np.full(len(index), FEASIBLE, dtype=np.int64)
    out[~serves] = CODE["town"]
    out[~accepts] = CODE["category"]
    # A listing without capacity left is eligible but used up: that is decided after the
    # eligibility rules. Other unusable listings (contradictory limits) fail first.
    out[~index.usable & (index.capacity >= 1)] = CODE["unusable"]
    return out


def rule_codes(
    needs: NeedArrays,
    row: int,
    index: ResourceIndex,
    *,
    blocked_rows: Iterable[int] = (),
    base: np.ndarray | None = None,
) -> np.ndarray:
    """Return, per resource, the code of the first hard rule that keeps it from need ``row``.

    ``FEASIBLE`` (-1) marks resources every hard rule allows. ``blocked_rows`` are resource
    rows already decided for the need; ``base`` may pass :func:`_category_town` precomputed
    for the need's (category, town).
    """
    need = needs.needs[row]
    codes = _category_town(index, need.category, need.town) if base is None else base.copy()
    open_ = np.flatnonzero(codes == FEASIBLE)
    if open_.size == 0:
        return codes
    sub = np.full(open_.size, FEASIBLE, dtype=np.int64)

    def mark(rule: str, failed: np.ndarray) -> None:
        sub[(sub == FEASIBLE) & failed] = CODE[rule]

    mark("kind", needs.demand[row, index.unit[open_]] < 1)
    offered = index.services[open_]
    shared = (offered & needs.services[row][None, :]).any(axis=1)
    mark("service", index.is_offer[open_] & ~shared)
    missing = (index.requires[open_] & ~needs.flags[row][None, :]).any(axis=1)
    mark("household", missing)
    age = needs.age[row]
    with np.errstate(invalid="ignore"):
        fits = (age >= index.min_age[open_]) & (age <= index.max_age[open_])
    mark("age", index.age_limited[open_] & ~fits)
    if needs.cause_blocked[row]:
        mark("once_per_cause", index.once_per_cause[open_])
    blocked = np.fromiter(blocked_rows, dtype=np.int64)
    if blocked.size:
        mark("decided", np.isin(open_, blocked))
    mark("capacity_used", ~index.usable[open_])
    codes[open_] = sub
    return codes


def count(codes: np.ndarray) -> dict[str, int]:
    """Return how many resources each rule removed (feasible ones are not counted)."""
    tally = np.bincount(codes[codes >= 0], minlength=len(RULES))
    return {rule: int(n) for rule, n in zip(RULES, tally.tolist()) if n}


def explain_unmatched(
    needs: NeedArrays,
    rows: Iterable[int],
    index: ResourceIndex,
    *,
    blocked: Mapping[int, Iterable[int]],
    capacity_left: np.ndarray,
    takers: Mapping[int, tuple[int, ...]],
    max_chunk_entries: int = 2_000_000,
) -> dict[int, WhyNot]:
    """Return, per need row, the reasons every resource was not proposed for it.

    ``capacity_left`` is each resource's capacity after the batch's allocation; ``takers`` maps a
    resource row to the need ids it was allocated to. A feasible resource whose capacity is
    used up counts as ``capacity_used`` (its takers become competitors), one with capacity left
    as ``not_chosen``; up to :data:`MAX_COMPETITORS` competitors are named. Needs are grouped by (category, town): the need-independent rules are
    counted once per group, the others as one (resources × needs) array per chunk of needs.
    """
    out: dict[int, WhyNot] = {}
    groups: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        need = needs.needs[row]
        groups.setdefault((need.category, need.town), []).append(row)
    accepts: dict[str, np.ndarray] = {}
    serves: dict[str, np.ndarray] = {}
    for (category, town), members in groups.items():
        if category not in accepts:
            accepts[category] = _accepts(index, category)
        if town not in serves:
            serves[town] = _serves(index, town)
        base = _category_town(index, category, town, accepts=accepts[category],
                              serves=serves[town])
        base_counts = count(base)
        open_ = np.flatnonzero(base == FEASIBLE)
        chunk = max(1, max_chunk_entries // max(open_.size, 1))
        for start in range(0, len(members), chunk):
            part = np.asarray(members[start:start + chunk], dtype=np.int64)
            codes = _pair_codes(needs, part, index, open_, blocked)
            batch_used = (codes == FEASIBLE) & (capacity_left[open_] < 1)[:, None]
            codes[batch_used] = CODE["capacity_used"]
            codes[codes == FEASIBLE] = CODE["not_chosen"]
            width = part.size
            flat = codes.astype(np.int64) * width + np.arange(width)[None, :]
            tally = np.bincount(flat.ravel(), minlength=len(RULES) * width).reshape(
                len(RULES), width)
            for j, row in enumerate(part.tolist()):
                counts = dict(base_counts)
                for c in np.flatnonzero(tally[:, j]).tolist():
                    counts[RULES[c]] = counts.get(RULES[c], 0) + int(tally[c, j])
                out[row] = WhyNot(counts, _competitors(
                    open_[batch_used[:, j]], takers, needs.needs[row].id))
    return out


def _competitors(rows: np.ndarray, takers: Mapping[int, tuple[int, ...]],
                 need_id: int) -> tuple[int, ...]:
    """Up to :data:`MAX_COMPETITORS` needs that took the capacity of ``rows``, lowest id first."""
    found: set[int] = set()
    for r in rows.tolist():
        found.update(nid for nid in takers.get(r, ()) if nid != need_id)
        if len(found) >= MAX_COMPETITORS:
            break
    return tuple(sorted(found)[:MAX_COMPETITORS])


def _pair_codes(needs: NeedArrays, part: np.ndarray, index: ResourceIndex, open_: np.ndarray,
                blocked: Mapping[int, Iterable[int]]) -> np.ndarray:
    """Codes of the need-dependent rules as a ``(len(open_), len(part))`` array."""
    codes = np.full((open_.size, part.size), FEASIBLE, dtype=np.int8)

    def mark(rule: str, failed: np.ndarray) -> None:
        codes[(codes == FEASIBLE) & failed] = CODE[rule]

    mark("kind", (needs.demand[part][:, index.unit[open_]] < 1).T)
    shared = (index.services[open_][:, None, :] & needs.services[part][None, :, :]).any(axis=2)
    mark("service", index.is_offer[open_][:, None] & ~shared)
    missing = (index.requires[open_][:, None, :] & ~needs.flags[part][None, :, :]).any(axis=2)
    mark("household", missing)
    with np.errstate(invalid="ignore"):
        age = needs.age[part][None, :]
        fits = (age >= index.min_age[open_][:, None]) & (age <= index.max_age[open_][:, None])
    mark("age", index.age_limited[open_][:, None] & ~fits)
    mark("once_per_cause", index.once_per_cause[open_][:, None] & needs.cause_blocked[part][None, :])
    for j, row in enumerate(part.tolist()):
        rows_blocked = np.fromiter(blocked.get(row, ()), dtype=np.int64)
        if rows_blocked.size:
            column = codes[:, j]
            column[(column == FEASIBLE) & np.isin(open_, rows_blocked)] = CODE["decided"]
    mark("capacity_used", ~index.usable[open_][:, None])
    return codes

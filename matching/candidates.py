"""Candidate generation: hard constraints first, then TF-IDF similarity and top-k per need.

Needs are grouped by (category, town). Each group only looks at the block of resources that
accept its category and serve its town (or the whole county), so the work is proportional to
the feasible pairs, not to needs × resources. Within a block, the per-pair constraints
(remaining demand in the resource's unit, eligibility flags, age limits, services for
volunteer offers, the once-per-cause rule, blocked pairs) are evaluated as boolean arrays on
chunks of needs, text similarity comes from a sparse product, and only the ``top_k`` best
feasible resources per need are kept. No dense needs × resources matrix is ever built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.index import Block, NeedArrays, ResourceIndex

#: Upper bound on the entries of one dense chunk (needs in chunk × resources in block).
MAX_CHUNK_ENTRIES = 2_000_000


@dataclass(frozen=True)
class Candidates:
    """Candidate edges, sorted by need then resource index."""

    need_idx: np.ndarray  # int64 rows into the needs
    res_idx: np.ndarray  # int64 rows into the resource index
    text_sim: np.ndarray  # float32 cosine similarity of the TF-IDF vectors

    def __len__(self) -> int:
        return len(self.need_idx)


def infeasible(needs: NeedArrays, index: ResourceIndex, rows: np.ndarray, block: Block) -> np.ndarray:
    """Return the ``(len(rows), block.size)`` mask of pairs breaking a per-pair constraint.

    The block already meets the category, town and usability constraints.
    """
    bad = np.empty((rows.size, block.size), dtype=bool)
    has_demand = needs.demand[rows] >= 1
    need_services = needs.services[rows]
    for start, stop, unit, is_offer in block.segments:
        bad[:, start:stop] = ~has_demand[:, unit, None]
        if is_offer:
            # A volunteer offer must provide at least one service the need asks for.
            offered = index.services[block.indices[start:stop]]
            if offered.shape[1] == 1:
                shared = (need_services[:, 0, None] & offered[None, :, 0]) != 0
            else:
                shared = (need_services[:, None, :] & offered[None, :, :]).any(axis=2)
            np.logical_or(bad[:, start:stop], ~shared, out=bad[:, start:stop])

    cols = block.requires_cols
    if cols.size:
        missing = index.requires[block.indices[cols]][None, :, :] & ~needs.flags[rows][:, None, :]
        bad[:, cols] |= missing.any(axis=2)

    cols = block.age_cols
    if cols.size:
        age = needs.age[rows][:, None]
        res = block.indices[cols]
        # Unknown age fails an age-limited resource: the officer must record the age first.
        with np.errstate(invalid="ignore"):
            bad[:, cols] |= ~((age >= index.min_age[res]) & (age <= index.max_age[res]))

    blocked_rows = np.flatnonzero(needs.cause_blocked[rows])
    if blocked_rows.size and block.once_per_cause_cols.size:
        bad[np.ix_(blocked_rows, block.once_per_cause_cols)] = True
    return bad


def group_needs(needs: NeedArrays, rows: Iterable[int]) -> dict[tuple[str, str], np.ndarray]:
    """Group need rows by (category, town), in a stable order."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        need = needs.needs[row]
        groups[(need.category, need.town)].append(row)
    return {key: np.asarray(groups[key], dtype=np.int64) for key in sorted(groups)}


def _top_k(key: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, col) of the ``k`` largest finite entries per row of ``key``."""
    k = min(k, key.shape[1])
    if k < key.shape[1]:
        cols = np.argpartition(-key, k - 1, axis=1)[:, :k]
    else:
        cols = np.broadcast_to(np.arange(key.shape[1]), key.shape)
    rows = np.broadcast_to(np.arange(key.shape[0])[:, None], cols.shape)
    keep = np.isfinite(key[rows, cols])
    return rows[keep], cols[keep]


def generate_candidates(
    needs: NeedArrays,
    index: ResourceIndex,
    *,
    top_k: int,
    rows: np.ndarray | None = None,
    blocked_pairs: Iterable[tuple[int, int]] = (),
    max_chunk_entries: int = MAX_CHUNK_ENTRIES,
) -> Candidates:
    """Return up to ``top_k`` feasible resources per need, best text match first.

    Ranking key: text similarity plus :data:`SPECIFICITY_BONUS` for a resource dedicated to
    the need's category and another for one dedicated to its town. ``rows`` restricts the
    needs considered; ``blocked_pairs`` holds ``(need_row, resource_row)`` pairs to leave out.
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if rows is None:
        rows = np.arange(len(needs.needs))
    blocked: dict[int, list[int]] = defaultdict(list)
    for need_row, res_row in blocked_pairs:
        blocked[need_row].append(res_row)

    out_need, out_res, out_sim = [], [], []
    for (category, town), group in group_needs(needs, rows).items():
        block = index.block(category, town)
        if block.size == 0:
            continue
        chunk = max(1, max_chunk_entries // block.size)
        for start in range(0, group.size, chunk):
            chunk_rows = group[start : start + chunk]
            sim = (needs.text[chunk_rows] @ block.text_t).toarray()
            bad = infeasible(needs, index, chunk_rows, block)
            for pos, need_row in enumerate(chunk_rows):
                if need_row in blocked:
                    bad[pos, np.isin(block.indices, blocked[need_row])] = True
            key = sim + block.bonus
            np.copyto(key, -np.inf, where=bad)
            r, c = _top_k(key, top_k)
            out_need.append(chunk_rows[r])
            out_res.append(block.indices[c])
            out_sim.append(sim[r, c])
    if not out_need:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty.copy(), np.zeros(0, dtype=np.float32))
    need_idx = np.concatenate(out_need).astype(np.int64)
    res_idx = np.concatenate(out_res).astype(np.int64)
    text_sim = np.clip(np.concatenate(out_sim), 0.0, 1.0)
    order = np.lexsort((res_idx, need_idx))
    return Candidates(need_idx[order], res_idx[order], text_sim[order])

"""Candidate generation: hard constraints first, then TF-IDF similarity and top-k per need.

Needs are grouped by (category, town). Each group only looks at the block of resources that
accept its category and serve its town (or the whole county), and within it only at the
segments (unit × volunteer offer or not) of the units the need still lacks, so the work is
proportional to the feasible pairs, not to needs × resources. A segment's sparse TF-IDF rows
times a dense slice of need columns gives a bounded ``(resources, needs)`` chunk; per-pair
constraints (services for volunteer offers, eligibility flags, age limits, the once-per-cause
rule, blocked pairs) mask it, and only the ``top_k`` best feasible resources per need are
kept. No dense needs × resources matrix is ever built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.index import NeedArrays, ResourceIndex, Segment

#: Upper bound on the entries of one dense chunk (resources in segment × needs in chunk).
MAX_CHUNK_ENTRIES = 4_000_000
#: Resources per group when bounding the k-th best key of a need from the group maxima.
THRESHOLD_GROUP = 32
_LOWEST = np.float32(np.finfo(np.float32).min)


@dataclass(frozen=True)
class Candidates:
    """Candidate edges, sorted by need then resource index."""

    need_idx: np.ndarray  # int64 rows into the needs
    res_idx: np.ndarray  # int64 rows into the resource index
    text_sim: np.ndarray  # float32 cosine similarity of the TF-IDF vectors
    #: Per need row: how many resources could serve it at all (before the top-k cut), or
    #: ``None`` when unknown (then the edges per need are counted instead).
    n_feasible: np.ndarray | None = None

    def alternatives(self, n_needs: int) -> np.ndarray:
        """Return, per need row, the number of feasible resources (at least the edges)."""
        edges = np.bincount(self.need_idx, minlength=n_needs).astype(np.int64)
        if self.n_feasible is None:
            return edges
        feasible: np.ndarray = np.maximum(self.n_feasible[:n_needs], edges)
        return feasible

    def __len__(self) -> int:
        return len(self.need_idx)


def mask_infeasible(
    key: np.ndarray,
    needs: NeedArrays,
    index: ResourceIndex,
    rows: np.ndarray,
    segment: Segment,
    blocked: dict[int, np.ndarray],
) -> None:
    """Set ``key[i, j]`` to -inf where resource ``i`` of ``segment`` cannot serve need ``rows[j]``.

    The segment already meets the category, town, usability and unit constraints; this adds
    services for volunteer offers, eligibility flags, age limits, the once-per-cause rule and
    the blocked pairs. ``key`` is the ``(segment.size, len(rows))`` ranking chunk.
    """
    if segment.is_offer:
        # A volunteer offer must provide at least one service the need asks for.
        wanted = needs.services[rows]
        if wanted.shape[1] == 1:
            shared = (segment.offered[:, 0, None] & wanted[None, :, 0]) != 0
        else:
            shared = (segment.offered[:, None, :] & wanted[None, :, :]).any(axis=2)
        key[~shared] = -np.inf

    cols = segment.requires_cols
    if cols.size:
        required = index.requires[segment.indices[cols]]
        missing = (required[:, None, :] & ~needs.flags[rows][None, :, :]).any(axis=2)
        key[cols] = np.where(missing, -np.inf, key[cols])

    cols = segment.age_cols
    if cols.size:
        age = needs.age[rows][None, :]
        res = segment.indices[cols]
        # Unknown age fails an age-limited resource: the officer must record the age first.
        with np.errstate(invalid="ignore"):
            fits = (age >= index.min_age[res, None]) & (age <= index.max_age[res, None])
        key[cols] = np.where(fits, key[cols], -np.inf)

    blocked_pos = np.flatnonzero(needs.cause_blocked[rows])
    if blocked_pos.size and segment.once_per_cause_cols.size:
        key[np.ix_(segment.once_per_cause_cols, blocked_pos)] = -np.inf

    if blocked:
        for pos, need_row in enumerate(rows.tolist()):
            res_rows = blocked.get(need_row)
            if res_rows is not None:
                key[np.isin(segment.indices, res_rows), pos] = -np.inf


def group_needs(needs: NeedArrays, rows: Iterable[int]) -> dict[tuple[str, str], np.ndarray]:
    """Group need rows by (category, town), in a stable order."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        need = needs.needs[row]
        groups[(need.category, need.town)].append(row)
    return {key: np.asarray(groups[key], dtype=np.int64) for key in sorted(groups)}


def top_k_per_column(key: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, col) of the ``k`` largest finite entries of every column of ``key``.

    Ties go to the lower row. Instead of partitioning every column, the k-th largest group
    maximum (groups of :data:`THRESHOLD_GROUP` rows) bounds the k-th largest entry from below,
    so only the few entries at or above it are sorted. The result is exact.
    """
    m, n = key.shape
    groups = m // THRESHOLD_GROUP
    if groups > k:
        body = groups * THRESHOLD_GROUP
        maxima = key[:body].reshape(groups, THRESHOLD_GROUP, n).max(axis=1)
        threshold = np.partition(maxima, groups - k, axis=0)[groups - k]
        np.maximum(threshold, _LOWEST, out=threshold)  # never let -inf (infeasible) through
        # Only groups whose maximum reaches the threshold can hold a top-k entry.
        group, cols = np.nonzero(maxima >= threshold)
        rows = (group[:, None] * THRESHOLD_GROUP + np.arange(THRESHOLD_GROUP)).ravel()
        cols = np.repeat(cols, THRESHOLD_GROUP)
        tail_rows, tail_cols = np.nonzero(key[body:] >= threshold)
        rows = np.concatenate([rows, tail_rows + body])
        cols = np.concatenate([cols, tail_cols])
        values = key[rows, cols]
        keep = values >= threshold[cols]
        rows, cols, values = rows[keep], cols[keep], values[keep]
    else:
        # Few rows: the k-th largest value itself is the threshold (ties all come through).
        threshold = np.partition(key, m - k, axis=0)[m - k] if m > k else np.full(n, -np.inf)
        np.maximum(threshold, _LOWEST, out=threshold)
        rows, cols = np.nonzero(key >= threshold)
        values = key[rows, cols]
    order = np.lexsort((rows, -values, cols))
    rows, cols = rows[order], cols[order]
    top_rows, top_cols = _first_per_group(cols, k, rows, cols)
    return top_rows, top_cols


def _first_per_group(group: np.ndarray, k: int, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keep the first ``k`` entries of each run of equal values in the sorted ``group``."""
    if group.size == 0:
        return arrays
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(group.size) - np.repeat(starts, np.diff(np.r_[starts, group.size]))
    keep = rank < k
    return tuple(a[keep] for a in arrays)


def _dense_columns(text: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Return the dense float32 transpose of ``text[rows]`` with a row of ones appended.

    The extra row meets the bonus column of :attr:`Segment.ranking`, so one product gives
    similarity plus bonus.
    """
    chunk = text[rows]
    out = np.zeros((text.shape[1] + 1, rows.size), dtype=np.float32)
    out[chunk.indices, np.repeat(np.arange(rows.size), np.diff(chunk.indptr))] = chunk.data
    out[-1] = 1.0
    return out


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
    the need's category and another for one dedicated to its town, plus
    :data:`RANK_SPECIFICITY` × the resource's specificity; ties go to the lower resource row.
    ``rows`` restricts the needs considered; ``blocked_pairs`` holds
    ``(need_row, resource_row)`` pairs to leave out.

    Each need is multiplied only against the segments of its (category, town) block in the
    units it still lacks. A segment's sparse TF-IDF rows times a dense slice of need columns
    gives a ``(resources, needs)`` chunk of at most ``max_chunk_entries``; its top-k per need
    is kept and the segments' top-k lists are merged. Never a dense needs × resources matrix.
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if rows is None:
        rows = np.arange(len(needs.needs))
    blocked_lists: dict[int, list[int]] = defaultdict(list)
    for need_row, res_row in blocked_pairs:
        blocked_lists[need_row].append(res_row)
    blocked = {row: np.asarray(res, dtype=np.int64) for row, res in blocked_lists.items()}

    n_feasible = np.zeros(len(needs.needs), dtype=np.int64)
    out_need, out_res, out_key, out_bonus = [], [], [], []
    for (category, town), group in group_needs(needs, rows).items():
        block = index.block(category, town)
        for segment in block.segments:
            lacking = group[needs.demand[group, segment.unit] >= 1]
            if lacking.size == 0:
                continue
            chunk = max(1, max_chunk_entries // segment.size)
            for start in range(0, lacking.size, chunk):
                chunk_rows = lacking[start : start + chunk]
                key = segment.ranking @ _dense_columns(needs.text, chunk_rows)
                mask_infeasible(key, needs, index, chunk_rows, segment, blocked)
                n_feasible[chunk_rows] += np.isfinite(key).sum(axis=0)
                r, c = top_k_per_column(key, top_k)
                out_need.append(chunk_rows[c])
                out_res.append(segment.indices[r])
                out_key.append(key[r, c])
                out_bonus.append(segment.bonus[r, 0])
    if not out_need:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty.copy(), np.zeros(0, dtype=np.float32), n_feasible)
    need_idx = np.concatenate(out_need).astype(np.int64)
    res_idx = np.concatenate(out_res).astype(np.int64)
    key = np.concatenate(out_key)
    bonus = np.concatenate(out_bonus)
    # Merge the segments' lists: the best top_k per need over all its segments.
    order = np.lexsort((res_idx, -key, need_idx))
    need_idx, res_idx, key, bonus = _first_per_group(
        need_idx[order], top_k, need_idx[order], res_idx[order], key[order], bonus[order]
    )
    text_sim = np.clip(key.astype(np.float64) - bonus, 0.0, 1.0).astype(np.float32)
    order = np.lexsort((res_idx, need_idx))
    return Candidates(need_idx[order], res_idx[order], text_sim[order], n_feasible)

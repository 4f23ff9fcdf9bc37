"""Fairness of an allocation by town and category, next to the greedy baseline's.

For every (town, category) of the open needs: how many there are, the share that got at least
one proposal, and the median share of the money gap covered (needs without a money gap count
by whether they got anything), for the optimal allocation and for the greedy baseline on the
same candidates. An officer sees at a glance whether the optimum starves a town.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.records import UNITS, Need


@dataclass(frozen=True)
class FairnessRow:
    """Figures of one (town, category) group."""

    town: str
    category: str
    n_open: int
    share_proposed: float
    share_proposed_greedy: float
    median_covered: float
    median_covered_greedy: float


def _covered(needs: Sequence[Need], rows: np.ndarray, need_idx: np.ndarray, unit: np.ndarray,
             amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per open need row: whether it got anything, and the share of its gap covered."""
    got_any = np.zeros(len(needs), dtype=bool)
    got_any[need_idx[amount > 0]] = True
    yuan = unit == UNITS.index("yuan")
    money = np.bincount(need_idx[yuan], weights=amount[yuan], minlength=len(needs))
    gap = np.fromiter((max(n.gap, 0.0) for n in needs), dtype=np.float64, count=len(needs))
    share = np.where(gap >= 1, np.minimum(money / np.maximum(gap, 1.0), 1.0),
                     got_any.astype(np.float64))
    return got_any[rows], share[rows]


def fairness(
    needs: Sequence[Need],
    open_rows: Sequence[int],
    *,
    need_idx: np.ndarray,
    unit: np.ndarray,
    optimal: np.ndarray,
    greedy: np.ndarray,
) -> list[FairnessRow]:
    """Return one row per (town, category) of the open needs, sorted by town then category."""
    rows = np.asarray(open_rows, dtype=np.int64)
    if rows.size == 0:
        return []
    opt_any, opt_share = _covered(needs, rows, need_idx, unit, optimal)
    gr_any, gr_share = _covered(needs, rows, need_idx, unit, greedy)
    codes: dict[tuple[str, str], int] = {}
    group = np.fromiter(
        (codes.setdefault((needs[r].town, needs[r].category), len(codes)) for r in rows.tolist()),
        dtype=np.int64, count=rows.size,
    )
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    members = dict(zip(group[order][starts].tolist(), np.split(order, starts[1:])))
    out = []
    for key in sorted(codes):
        mask = members[codes[key]]
        out.append(FairnessRow(
            town=key[0], category=key[1], n_open=int(mask.size),
            share_proposed=float(opt_any[mask].mean()),
            share_proposed_greedy=float(gr_any[mask].mean()),
            median_covered=float(np.median(opt_share[mask])),
            median_covered_greedy=float(np.median(gr_share[mask])),
        ))
    return out

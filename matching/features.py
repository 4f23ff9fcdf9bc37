"""Features of a candidate (need, resource) edge, as a numeric matrix with named columns.

Every feature lies in [0, 1] so that the default weights read as shares of the score.

| column          | meaning                                                                  |
|-----------------|--------------------------------------------------------------------------|
| text_sim        | cosine similarity of the TF-IDF vectors of the two descriptions          |
| category_exact  | 1 if the resource names the need's category, 0 if it accepts any         |
| same_town       | 1 if the resource names the need's town, 0 if it is county-wide          |
| coverage        | min(per-case cap, capacity, demand) / demand, in the resource's unit      |
| urgency         | (urgency - 1) / 3, urgency 1 (ordinary) .. 4 (critical)                  |
| waiting         | 1 - exp(-days_waiting / 30): saturates after a few months                 |
| vulnerability   | number of vulnerability flags / 4, capped at 1                           |
| service_fit     | share of the needed services a volunteer offer provides (0 otherwise)    |
| specificity     | how narrowly the resource targets the need's situation (required         |
|                 | household situations, age range, towns, categories; see                  |
|                 | :func:`matching.index.specificity`): a candidate satisfies them all      |
| scarcity        | 1 / number of resources that could serve the need at all: a need with    |
|                 | few alternatives moves up, so generic help is kept for it                |
"""

from __future__ import annotations

import numpy as np

from matching.candidates import Candidates
from matching.index import NeedArrays, ResourceIndex, popcount

FEATURE_NAMES: tuple[str, ...] = (
    "text_sim",
    "category_exact",
    "same_town",
    "coverage",
    "urgency",
    "waiting",
    "vulnerability",
    "service_fit",
    "specificity",
    "scarcity",
)
#: Days after which waiting time counts ~63 % of its maximum.
WAITING_SCALE_DAYS = 30.0
#: Vulnerability flags beyond this count add nothing more.
VULNERABILITY_SATURATION = 4


def edge_amount_cap(
    needs: NeedArrays, index: ResourceIndex, need_idx: np.ndarray, res_idx: np.ndarray
) -> np.ndarray:
    """Return the most each edge can carry on its own: min(per-case cap, capacity, demand)."""
    demand = needs.demand[need_idx, index.unit[res_idx]]
    cap: np.ndarray = np.minimum(
        np.minimum(index.per_case_cap[res_idx], index.capacity[res_idx]), demand
    )
    return cap


def need_features(needs: NeedArrays) -> np.ndarray:
    """Return the per-need columns (urgency, waiting, vulnerability) for every need."""
    urgency = np.fromiter((nd.urgency for nd in needs.needs), dtype=np.float64)
    days = np.fromiter((max(nd.days_waiting, 0) for nd in needs.needs), dtype=np.float64)
    flags = np.fromiter((len(nd.vulnerability) for nd in needs.needs), dtype=np.float64)
    return np.column_stack(
        [
            np.clip((urgency - 1.0) / 3.0, 0.0, 1.0),
            1.0 - np.exp(-days / WAITING_SCALE_DAYS),
            np.minimum(flags / VULNERABILITY_SATURATION, 1.0),
        ]
    ).reshape(len(needs.needs), 3)


def build_features(
    needs: NeedArrays,
    index: ResourceIndex,
    candidates: Candidates,
    *,
    per_need: np.ndarray | None = None,
) -> np.ndarray:
    """Return the ``(len(candidates), len(FEATURE_NAMES))`` feature matrix of the edges.

    ``per_need`` may pass precomputed :func:`need_features` to avoid recomputing them.
    """
    n_idx, r_idx = candidates.need_idx, candidates.res_idx
    if per_need is None:
        per_need = need_features(needs)
    demand = needs.demand[n_idx, index.unit[r_idx]]
    cap = edge_amount_cap(needs, index, n_idx, r_idx)
    coverage = np.divide(cap, demand, out=np.zeros_like(cap), where=demand > 0)
    wanted = needs.service_count[n_idx].astype(np.float64)
    offered = popcount(needs.services[n_idx] & index.services[r_idx]).astype(np.float64)
    service_fit = np.where(
        index.is_offer[r_idx] & (wanted > 0), offered / np.maximum(wanted, 1.0), 0.0
    )
    matrix = np.empty((len(n_idx), len(FEATURE_NAMES)), dtype=np.float64)
    matrix[:, 0] = candidates.text_sim
    matrix[:, 1] = ~index.any_category[r_idx]
    matrix[:, 2] = ~index.county_wide[r_idx]
    matrix[:, 3] = np.clip(coverage, 0.0, 1.0)
    matrix[:, 4:7] = per_need[n_idx]
    matrix[:, 7] = service_fit
    matrix[:, 8] = index.specificity[r_idx]
    alternatives = candidates.alternatives(len(needs.needs))
    matrix[:, 9] = 1.0 / np.maximum(alternatives[n_idx], 1)
    return matrix

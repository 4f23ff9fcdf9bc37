"""Officers' decisions as training data, the scorer choice, and feature rows of stored pairs.

A proposal stores the raw feature values it was scored on, so a decision becomes one row of
``X`` (feature values), ``y`` (1 approved, 0 rejected) and ``groups`` (the need, so a need
never straddles a cross-validation fold). ``choose_scorer`` keeps the default weighting unless
a model learned from these rows beats it on held-out decisions.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.candidates import Candidates
from matching.features import FEATURE_NAMES, build_features
from matching.index import NeedArrays, ResourceIndex
from matching.records import Need
from matching.scoring import (
    MIN_DECISIONS,
    Evaluation,
    LearnedScorer,
    Scorer,
    ScorerChoice,
    choose_scorer,
    evaluate,
)
from webapp.models import Proposal, ProposalStatus

#: An officer approved the pairing (what the resource owner did next, or the case ending before
#: it was carried out, does not change that).
LABELS = {ProposalStatus.APPROVED: 1, ProposalStatus.ACCEPTED: 1, ProposalStatus.DECLINED: 1,
          ProposalStatus.CANCELLED: 1, ProposalStatus.REJECTED: 0}


def pair_features(needs: Sequence[Need], index: ResourceIndex,
                  pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Feature rows of ``(need_id, resource_id)`` pairs, exactly as the matcher computes them."""
    if not pairs:
        return np.zeros((0, len(FEATURE_NAMES)))
    need_row = {need.id: row for row, need in enumerate(needs)}
    res_row = {int(rid): row for row, rid in enumerate(index.ids)}
    arrays = NeedArrays.encode(needs, index, cause_blocked=np.zeros(len(needs), dtype=bool))
    n_idx = np.fromiter((need_row[n] for n, _ in pairs), dtype=np.int64, count=len(pairs))
    r_idx = np.fromiter((res_row[r] for _, r in pairs), dtype=np.int64, count=len(pairs))
    if arrays.text.shape[1]:
        sim = np.asarray(arrays.text[n_idx].multiply(index.text[r_idx]).sum(axis=1)).ravel()
    else:
        sim = np.zeros(len(pairs))
    text_sim = np.clip(sim, 0.0, 1.0).astype(np.float32)
    return build_features(arrays, index, Candidates(n_idx, r_idx, text_sim))


def feature_dict(row) -> dict[str, float]:
    return {name: round(float(value), 6) for name, value in zip(FEATURE_NAMES, row)}


def decisions(session: Session) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups) of every decided proposal that kept its features."""
    rows = session.execute(select(Proposal.features, Proposal.status, Proposal.need_card_id)
                           .where(Proposal.status.in_(list(LABELS))).order_by(Proposal.id))
    X, y, groups = [], [], []
    for features, status, need_id in rows:
        if not features:
            continue
        X.append([float(features.get(name, 0.0)) for name in FEATURE_NAMES])
        y.append(LABELS[status])
        groups.append(need_id)
    return (np.asarray(X, dtype=np.float64).reshape(len(X), len(FEATURE_NAMES)),
            np.asarray(y, dtype=np.int64), np.asarray(groups, dtype=np.int64))


def current_scorer(session: Session) -> ScorerChoice:
    """The scorer a batch should use now: learned only while it beats the default."""
    X, y, groups = decisions(session)
    return choose_scorer(X, y, groups)


def scorer_name(scorer: Scorer) -> str:
    return "learned" if isinstance(scorer, LearnedScorer) else "default"


def evaluation(session: Session, *, k: int = 20) -> Evaluation | str:
    """Cross-validated comparison of both scorers, or why there is not enough data."""
    X, y, groups = decisions(session)
    if len(y) < MIN_DECISIONS:
        return f"only {len(y)} decisions (at least {MIN_DECISIONS} needed)"
    if len(np.unique(y)) < 2:
        return "decisions are all of one kind"
    if len(np.unique(groups)) < 2:
        return "decisions concern a single need"
    return evaluate(X, y, groups, k=k)

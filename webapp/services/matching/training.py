"""Officers' decisions as training data, the scorer choice, and feature rows of stored pairs.

A proposal stores the raw feature values it was scored on, so a decision becomes one row of
``X`` (feature values), ``y`` (1 approved, 0 rejected) and ``groups`` (the need, so a need
never straddles a cross-validation fold). ``choose_scorer`` keeps the default weighting unless
a model learned from these rows beats it on held-out decisions.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.candidates import Candidates
from matching.features import FEATURE_NAMES, build_features
from matching.gold import GoldReport, GoldSet, evaluate_gold, load_gold, load_gold_file
from matching.index import NeedArrays, ResourceIndex
from matching.records import Need
from matching.scoring import (
    MIN_DECISIONS,
    DefaultScorer,
    Evaluation,
    LearnedScorer,
    Scorer,
    ScorerChoice,
    choose_scorer,
    evaluate,
)
from search.analysis import analyze
from webapp.models import Proposal, ProposalStatus

#: The judged gold set in the repository; a learned model must not be worse on it.
GOLD_DIR = Path(__file__).resolve().parents[3] / "tests" / "matching" / "gold"
#: The blind part of the gold set (its own catalogue), measured and reported apart.
BLIND_FILE = "blind.json"

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


def feature_dict(row: Iterable[float]) -> dict[str, float]:
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


@lru_cache(maxsize=4)
def gold_set(directory: str = str(GOLD_DIR)) -> GoldSet | None:
    """The gold set, tokenised like the matcher's inputs, or ``None`` when not installed."""
    if not (Path(directory) / "scenarios.json").is_file():
        return None
    return load_gold(directory, tokenize=analyze)


@lru_cache(maxsize=4)
def blind_set(directory: str = str(GOLD_DIR)) -> GoldSet | None:
    """The blind gold file of ``directory``, tokenised like the matcher's inputs, or ``None``."""
    path = Path(directory) / BLIND_FILE
    if not path.is_file():
        return None
    return load_gold_file(path, tokenize=analyze)


def gold_reports(choice: ScorerChoice | None = None, *, directory: str = str(GOLD_DIR),
                 learned: LearnedScorer | None = None, blind: bool = False) -> list[GoldReport]:
    """Gold-set figures of the default scorer and, when given, of a learned one; with
    ``blind``, on the blind file instead of the main set."""
    gold = blind_set(directory) if blind else gold_set(directory)
    if gold is None:
        return []
    reports = [evaluate_gold(gold, DefaultScorer(), name="default")]
    if learned is not None:
        reports.append(evaluate_gold(gold, learned, name="learned"))
    return reports


def current_scorer(session: Session) -> ScorerChoice:
    """The scorer a batch should use now: learned only while it beats the default on held-out
    decisions and is not worse on the judged gold set."""
    X, y, groups = decisions(session)
    choice = choose_scorer(X, y, groups)
    if isinstance(choice.scorer, LearnedScorer):
        reports = gold_reports(learned=choice.scorer)
        if len(reports) == 2 and not reports[1].not_worse_than(reports[0]):
            return ScorerChoice(DefaultScorer(), "learned model is worse on the gold set",
                                choice.evaluation)
    return choice


def fitted_learned(session: Session) -> LearnedScorer | None:
    """A learned model fitted on every decision, or ``None`` when they cannot train one."""
    X, y, _groups = decisions(session)
    if len(y) < MIN_DECISIONS or len(np.unique(y)) < 2:
        return None
    return LearnedScorer().fit(X, y)


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

"""Scoring of candidate edges: a transparent default and a model learned from officers.

Both scorers take the feature matrix of :mod:`matching.features` and offer
``score_edges(X)`` (a score in [0, 1], higher is better) and ``contributions(X)`` (one column
per feature, explaining the score). ``choose_scorer`` switches to the learned model only while
it beats the default on held-out decisions.

Both scorers' ``explain(X)`` returns one column per name of :data:`EXPLANATION_NAMES` (the
features, then ``baseline``) whose row sum is exactly the score: an officer reads the score as
the sum of named contributions.

Default weights (features all lie in [0, 1], weights sum to 1, so the score is in [0, 1] and a
contribution is the share of the score a feature earned; the baseline is 0):

| feature         | weight | why                                                           |
|-----------------|--------|---------------------------------------------------------------|
| text_sim        | 0.15   | the descriptions talk about the same hardship                 |
| category_exact  | 0.05   | a resource dedicated to the cause beats a general one         |
| same_town       | 0.10   | local help is faster and follows the county plan              |
| coverage        | 0.15   | a resource that can close the gap on its own is worth more    |
| urgency         | 0.10   | critical cases first                                          |
| waiting         | 0.05   | cases that waited long move up                                |
| vulnerability   | 0.05   | disability, elderly, minors, serious illness, dibao, tekun    |
| service_fit     | 0.05   | a volunteer offer covering every service needed               |
| specificity     | 0.25   | help made for exactly this situation (a project only for      |
|                 |        | households with a disabled member) comes before generic funds |
| scarcity        | 0.05   | a need few resources can serve gets them before needs with    |
|                 |        | alternatives, so generic help is kept for it                  |

The allocation maximises amount × :func:`allocation_weight` (score × urgency multiplier), so
specificity and scarcity are inputs to its costs too: a generic fund goes to the need that
nothing else can serve, a specific project to the household it was made for.

The learned scorer's score is the probability of approval ``p = sigmoid(b + sum_i c_i)`` with
``c_i`` = coefficient × standardised feature. Its explanation is ``baseline = sigmoid(b)`` (the
probability for an average decision) plus ``c_i × (p − baseline) / sum_i c_i`` per feature:
each feature's share of the move from the baseline in proportion to its log-odds, with the
sign of its log-odds, adding up exactly to ``p``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from matching.features import FEATURE_NAMES

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.4 and 1.5

    def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)


DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text_sim": 0.15,
    "category_exact": 0.05,
    "same_town": 0.10,
    "coverage": 0.15,
    "urgency": 0.10,
    "waiting": 0.05,
    "vulnerability": 0.05,
    "service_fit": 0.05,
    "specificity": 0.25,
    "scarcity": 0.05,
}
#: Name of the explanation column that holds what no feature explains (0 for the default).
BASELINE = "baseline"
#: Columns of ``explain``: the features, then the baseline.
EXPLANATION_NAMES: tuple[str, ...] = (*FEATURE_NAMES, BASELINE)

#: Allocation weight of an edge = score × URGENCY_MULTIPLIER[need urgency]. The score already
#: counts urgency as one feature among eight; the multiplier makes the optimiser give scarce
#: capacity to critical cases first even when a less urgent case matches slightly better.
URGENCY_MULTIPLIER: Mapping[int, float] = {1: 1.0, 2: 1.25, 3: 1.5, 4: 2.0}
#: Decisions needed before a learned model is even considered.
MIN_DECISIONS = 200


def allocation_weight(score: np.ndarray, urgency: np.ndarray) -> np.ndarray:
    """Return the per-edge weight the allocator maximises amount × weight with."""
    table = np.ones(max(URGENCY_MULTIPLIER) + 1)
    for level, factor in URGENCY_MULTIPLIER.items():
        table[level] = factor
    levels = np.clip(np.asarray(urgency, dtype=np.int64), 1, max(URGENCY_MULTIPLIER))
    weight: np.ndarray = np.asarray(score, dtype=np.float64) * table[levels]
    return weight


@runtime_checkable
class Scorer(Protocol):
    """What the pipeline asks of a scorer; :class:`DefaultScorer` and :class:`LearnedScorer`
    both provide it. ``X`` is the (edges × :data:`FEATURE_NAMES`) feature matrix."""

    def score_edges(self, X: npt.ArrayLike) -> np.ndarray:
        """Return one score per edge (higher is a better match)."""
        ...

    def contributions(self, X: npt.ArrayLike) -> np.ndarray:
        """Return each feature's share of each edge's score (edges × features)."""
        ...

    def explain(self, X: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Return (score, named terms in :data:`EXPLANATION_NAMES` order) per edge; the terms
        of an edge sum to its score."""
        ...


class DefaultScorer:
    """Weighted sum of the features with documented, fixed weights (see module docstring)."""

    def __init__(self, *, weights: Mapping[str, float] | None = None):
        self.weights = weights

    @property
    def weight_vector(self) -> np.ndarray:
        """Weights in :data:`FEATURE_NAMES` order."""
        weights = DEFAULT_WEIGHTS if self.weights is None else self.weights
        unknown = set(weights) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"unknown features in weights: {sorted(unknown)}")
        vector = np.array([float(weights.get(name, 0.0)) for name in FEATURE_NAMES])
        if (vector < 0).any():
            raise ValueError("weights must be non-negative")
        return vector

    def contributions(self, X: npt.ArrayLike) -> np.ndarray:
        """Return weight × feature for every edge and feature."""
        parts: np.ndarray = np.asarray(X, dtype=np.float64) * self.weight_vector
        return parts

    def score_edges(self, X: npt.ArrayLike) -> np.ndarray:
        """Return the score of every edge: the sum of its contributions."""
        score: np.ndarray = np.asarray(X, dtype=np.float64) @ self.weight_vector
        return score

    def explain(self, X: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Return (score, contributions in :data:`EXPLANATION_NAMES` order); rows sum to score."""
        parts = self.contributions(X)
        table = np.column_stack([parts, np.zeros(len(parts))])
        return table.sum(axis=1), table


class LearnedScorer(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """Logistic regression on standardised features, fitted on officers' decisions.

    ``y`` is 1 for an approved pairing and 0 for a rejected one. The score of an edge is the
    predicted probability of approval; its contributions are coefficient × standardised
    feature value, in log-odds, and add up with ``intercept_`` to the logit of the score.
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | None = "balanced",
                 max_iter: int = 1000) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> LearnedScorer:
        """Fit the scaler and the logistic regression; return ``self``."""
        X, y = _validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self.pipeline_ = Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "model",
                    LogisticRegression(
                        C=self.C, class_weight=self.class_weight, max_iter=self.max_iter
                    ),
                ),
            ]
        ).fit(X, y)
        self.n_iter_ = self.pipeline_[-1].n_iter_
        return self

    def _checked(self, X: npt.ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        checked: np.ndarray = _validate_data(self, X, reset=False)
        return checked

    def decision_function(self, X: npt.ArrayLike) -> np.ndarray:
        """Return the log-odds of approval (one column per class when multiclass)."""
        checked = self._checked(X)
        logits: np.ndarray = self.pipeline_.decision_function(checked)
        return logits

    def predict_proba(self, X: npt.ArrayLike) -> np.ndarray:
        """Return class probabilities in ``classes_`` order."""
        checked = self._checked(X)
        proba: np.ndarray = self.pipeline_.predict_proba(checked)
        return proba

    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """Return the most likely class."""
        checked = self._checked(X)
        classes: np.ndarray = self.pipeline_.predict(checked)
        return classes

    @property
    def intercept_(self) -> float:
        """Intercept of the binary model, in log-odds."""
        check_is_fitted(self)
        return float(self.pipeline_[-1].intercept_[0])

    def _require_binary(self) -> None:
        check_is_fitted(self)
        if len(self.classes_) != 2:
            raise ValueError("edge scores need a model fitted on approve (1) / reject (0)")

    def score_edges(self, X: npt.ArrayLike) -> np.ndarray:
        """Return the probability of approval of every edge."""
        self._require_binary()
        return self.predict_proba(X)[:, 1]

    def contributions(self, X: npt.ArrayLike) -> np.ndarray:
        """Return coefficient × standardised value per feature, in log-odds."""
        self._require_binary()
        checked = self._checked(X)
        scaled = self.pipeline_[0].transform(checked)
        parts: np.ndarray = scaled * self.pipeline_[-1].coef_[0]
        return parts

    def explain(self, X: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Return (probability, contributions in :data:`EXPLANATION_NAMES` order).

        ``baseline`` is sigmoid(intercept); each feature gets its log-odds share of
        ``p - baseline`` (see the module docstring), so every row adds up to ``p`` exactly.
        """
        logits = self.contributions(X)
        p = self.score_edges(X)
        base = 1.0 / (1.0 + np.exp(-self.intercept_))
        total = logits.sum(axis=1)
        slope = p * (1.0 - p)  # limit of (p - baseline) / total when total -> 0
        safe = np.abs(total) > 1e-9
        ratio = np.where(safe, (p - base) / np.where(safe, total, 1.0), slope)
        parts = logits * ratio[:, None]
        # The baseline absorbs floating-point rounding so the row sum is p to the last bit.
        baseline = p - parts.sum(axis=1)
        return p, np.column_stack([parts, baseline])


@dataclass(frozen=True)
class Evaluation:
    """Held-out comparison of the default and the learned scorer (means over folds)."""

    n_decisions: int
    n_folds: int
    k: int
    default_auc: float
    learned_auc: float
    default_precision_at_k: float
    learned_precision_at_k: float

    @property
    def learned_wins(self) -> bool:
        """Whether the learned model beats the default on AUC and is no worse at the top."""
        return bool(
            self.learned_auc > self.default_auc
            and self.learned_precision_at_k >= self.default_precision_at_k
        )


def precision_at_k(y_true: np.ndarray, score: np.ndarray, k: int) -> float:
    """Return the share of approvals among the ``k`` best-scored decisions."""
    k = min(k, len(y_true))
    if k == 0:
        return float("nan")
    order = np.argsort(-np.asarray(score), kind="stable")[:k]
    return float(np.mean(np.asarray(y_true)[order] == 1))


def evaluate(X: npt.ArrayLike, y: npt.ArrayLike, groups: npt.ArrayLike, *,
             default: Scorer | None = None, learned: LearnedScorer | None = None,
             k: int = 20, n_splits: int = 5) -> Evaluation:
    """Cross-validate both scorers on officers' decisions, grouped so a need never straddles.

    ``groups`` is typically the need id of each decision. Returns an :class:`Evaluation`.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    groups = np.asarray(groups)
    default = DefaultScorer() if default is None else default
    learned = LearnedScorer() if learned is None else learned
    n_splits = min(n_splits, len(np.unique(groups)))
    if n_splits < 2 or len(np.unique(y)) < 2:
        raise ValueError("evaluation needs both classes and at least two groups")
    aucs: dict[str, list[float]] = {"default": [], "learned": []}
    precisions: dict[str, list[float]] = {"default": [], "learned": []}
    for train, test in GroupKFold(n_splits=n_splits).split(X, y, groups):
        if len(np.unique(y[train])) < 2:
            continue
        model = clone(learned).fit(X[train], y[train])
        for name, score in (
            ("default", default.score_edges(X[test])),
            ("learned", model.score_edges(X[test])),
        ):
            if len(np.unique(y[test])) == 2:
                aucs[name].append(roc_auc_score(y[test], score))
            precisions[name].append(precision_at_k(y[test], score, k))
    return Evaluation(
        n_decisions=len(y),
        n_folds=n_splits,
        k=k,
        default_auc=_mean(aucs["default"]),
        learned_auc=_mean(aucs["learned"]),
        default_precision_at_k=_mean(precisions["default"]),
        learned_precision_at_k=_mean(precisions["learned"]),
    )


@dataclass(frozen=True)
class ScorerChoice:
    """The scorer to use, why, and the evaluation behind it (``None`` if none was run)."""

    scorer: Scorer
    reason: str
    evaluation: Evaluation | None


def choose_scorer(
    X: npt.ArrayLike, y: npt.ArrayLike, groups: npt.ArrayLike, *,
    min_decisions: int = MIN_DECISIONS, default: Scorer | None = None,
    learned: LearnedScorer | None = None, k: int = 20,
) -> ScorerChoice:
    """Return the learned scorer, refitted on all decisions, only if it beats the default."""
    default = DefaultScorer() if default is None else default
    y = np.asarray(y)
    if len(y) < min_decisions:
        return ScorerChoice(default, f"only {len(y)} decisions (< {min_decisions})", None)
    if len(np.unique(y)) < 2:
        return ScorerChoice(default, "decisions are all of one kind", None)
    evaluation = evaluate(X, y, groups, default=default, learned=learned, k=k)
    if not evaluation.learned_wins:
        return ScorerChoice(default, "learned model does not beat the default", evaluation)
    model = clone(LearnedScorer() if learned is None else learned).fit(X, y)
    return ScorerChoice(model, "learned model beats the default on held-out decisions", evaluation)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")

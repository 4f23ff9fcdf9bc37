"""Default and learned scorers, held-out evaluation and the rule choosing between them."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from matching.features import FEATURE_NAMES
from matching.scoring import (
    DEFAULT_WEIGHTS,
    DefaultScorer,
    LearnedScorer,
    allocation_weight,
    choose_scorer,
    evaluate,
)


@parametrize_with_checks([LearnedScorer()])
def test_learned_scorer_follows_scikit_learn_conventions(estimator, check):
    check(estimator)


def _decisions(n, seed=0, signal=True):
    """Officers' decisions: they approve when coverage and text similarity are high."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURE_NAMES)))
    if signal:
        logit = 6 * (X[:, 3] - 0.5) + 4 * (X[:, 0] - 0.5) - 5 * (X[:, 7] - 0.5)
        y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    else:
        y = rng.integers(0, 2, n)
    groups = np.arange(n) // 2
    return X, y, groups


def test_default_weights_sum_to_one():
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    assert set(DEFAULT_WEIGHTS) == set(FEATURE_NAMES)


def test_default_scorer_contributions_add_up_to_score():
    X, _, _ = _decisions(50)
    scorer = DefaultScorer()
    np.testing.assert_allclose(scorer.contributions(X).sum(axis=1), scorer.score_edges(X))


def test_default_scorer_rejects_unknown_feature():
    with pytest.raises(ValueError, match="unknown features"):
        DefaultScorer(weights={"shoe_size": 1.0}).score_edges(np.zeros((1, len(FEATURE_NAMES))))


def test_learned_scorer_contributions_add_up_to_logit():
    X, y, _ = _decisions(300)
    model = LearnedScorer().fit(X, y)
    logit = model.contributions(X).sum(axis=1) + model.intercept_
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), model.score_edges(X), rtol=1e-6)


def test_learned_scorer_requires_fit():
    with pytest.raises(NotFittedError):
        LearnedScorer().score_edges(np.zeros((1, len(FEATURE_NAMES))))


def test_evaluate_reports_held_out_auc_and_precision():
    X, y, groups = _decisions(400)
    result = evaluate(X, y, groups, k=20)
    assert 0.5 < result.learned_auc <= 1
    assert 0 <= result.default_precision_at_k <= 1
    assert result.n_decisions == 400 and result.n_folds == 5


def test_choose_scorer_keeps_default_with_few_decisions():
    X, y, groups = _decisions(150)
    choice = choose_scorer(X, y, groups)
    assert isinstance(choice.scorer, DefaultScorer)
    assert choice.evaluation is None


def test_choose_scorer_keeps_default_with_one_kind_of_decision():
    X, _, groups = _decisions(300)
    choice = choose_scorer(X, np.ones(300, dtype=int), groups)
    assert isinstance(choice.scorer, DefaultScorer)


def test_choose_scorer_uses_learned_model_when_it_wins():
    X, y, groups = _decisions(600)
    choice = choose_scorer(X, y, groups)
    assert isinstance(choice.scorer, LearnedScorer)
    assert choice.evaluation.learned_auc > choice.evaluation.default_auc


def test_choose_scorer_keeps_default_when_decisions_are_noise():
    X, y, groups = _decisions(600, signal=False)
    # Make the default look perfect on these decisions: it cannot then be beaten.
    y = (DefaultScorer().score_edges(X) > np.median(DefaultScorer().score_edges(X))).astype(int)
    choice = choose_scorer(X, y, groups)
    assert isinstance(choice.scorer, DefaultScorer)
    assert choice.evaluation is not None


def test_allocation_weight_grows_with_urgency():
    weight = allocation_weight(np.full(4, 0.5), np.array([1, 2, 3, 4]))
    assert list(weight) == sorted(weight) and weight[0] == 0.5

"""Additive explanations for both scorers, and specific help before generic help."""

from pathlib import Path

import numpy as np
import pytest

from matching.features import FEATURE_NAMES
from matching.gold import load_gold
from matching.index import specificity
from matching.pipeline import ResourceIndex, run_batch, suggest_for_need
from matching.records import Resource
from matching.scoring import BASELINE, EXPLANATION_NAMES, DefaultScorer, LearnedScorer
from search.analysis import analyze

GOLD = Path(__file__).parent / "gold"


def _decisions(n, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURE_NAMES)))
    logit = 5 * (X[:, 3] - 0.5) + 3 * (X[:, 8] - 0.5) - 2 * (X[:, 0] - 0.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.mark.parametrize("scorer", ["default", "learned"])
def test_explanation_adds_up_exactly_to_the_score(scorer):
    X, y = _decisions(400)
    model = DefaultScorer() if scorer == "default" else LearnedScorer().fit(X, y)
    score, table = model.explain(X)
    assert table.shape == (len(X), len(EXPLANATION_NAMES))
    np.testing.assert_allclose(table.sum(axis=1), score, rtol=0, atol=1e-12)
    np.testing.assert_allclose(score, model.score_edges(X), rtol=0, atol=1e-12)


def test_learned_explanation_is_baseline_plus_signed_log_odds_shares():
    X, y = _decisions(400)
    model = LearnedScorer().fit(X, y)
    _, table = model.explain(X)
    baseline = table[:, EXPLANATION_NAMES.index(BASELINE)]
    np.testing.assert_allclose(baseline, 1 / (1 + np.exp(-model.intercept_)), atol=1e-9)
    # Each feature moves the score in the direction of its log-odds contribution.
    logits = model.contributions(X)
    parts = table[:, : len(FEATURE_NAMES)]
    assert (np.sign(parts[np.abs(logits) > 1e-6]) == np.sign(logits[np.abs(logits) > 1e-6])).all()


@pytest.mark.parametrize("scorer", ["default", "learned"])
def test_batch_proposals_and_suggestions_sum_to_their_score(need_record, resource_record, scorer):
    X, y = _decisions(400)
    model = DefaultScorer() if scorer == "default" else LearnedScorer().fit(X, y)
    needs = [need_record(i, gap=5_000.0 * i) for i in range(1, 6)]
    resources = [resource_record(100 + j, capacity=7_000.0, per_case_cap=4_000.0) for j in range(4)]
    result = run_batch(needs, resources, scorer=model)
    assert result.proposals
    for p in result.proposals:
        assert set(p.contributions) == set(EXPLANATION_NAMES)
        assert sum(p.contributions.values()) == pytest.approx(p.score, abs=1e-12)
    for s in suggest_for_need(needs[0], ResourceIndex.build(resources), scorer=model):
        assert sum(s.contributions.values()) == pytest.approx(s.score, abs=1e-12)


def test_specificity_grows_with_each_narrowed_dimension():
    generic = Resource(id=1, kind="fund", capacity=1.0)
    assert specificity(generic) == 0
    narrowed = [
        Resource(id=2, kind="fund", capacity=1.0, categories=frozenset({"fire"})),
        Resource(id=3, kind="fund", capacity=1.0, categories=frozenset({"fire"}),
                 towns=frozenset({"梁村镇"})),
        Resource(id=4, kind="fund", capacity=1.0, categories=frozenset({"fire"}),
                 towns=frozenset({"梁村镇"}), max_age=17),
        Resource(id=5, kind="fund", capacity=1.0, categories=frozenset({"fire"}),
                 towns=frozenset({"梁村镇"}), max_age=17, requires=frozenset({"disability"})),
    ]
    values = [specificity(r) for r in narrowed]
    assert values == sorted(values) and len(set(values)) == 4 and values[-1] <= 1


def test_project_for_disabled_households_comes_first_for_such_a_household():
    """The issue's case, from the gold catalogue with the real tokenizer."""
    gold = load_gold(GOLD, tokenize=analyze)
    scenario = next(s for s in gold.scenarios if s.key == "disabled-household-stroke")
    found = suggest_for_need(scenario.need, ResourceIndex.build(gold.resources), k=5)
    ranked = [gold.keys[s.resource_id] for s in found]
    assert ranked[0] == "p-canji"
    assert "f-dabing" in ranked  # the generic fund is still offered, just not first
    assert not set(ranked) & scenario.excluded  # e.g. the children's leukemia project
    assert found[0].contributions["specificity"] == max(s.contributions["specificity"]
                                                        for s in found)


def test_generic_fund_is_kept_for_the_need_nothing_else_serves(need_record, resource_record):
    """Two needs, one generic fund with room for one: the household with a project made for
    it gets that project, the other need gets the fund."""
    disabled = need_record(1, vulnerability=frozenset({"disability"}), gap=5_000.0,
                         tokens=("医疗费",), urgency=3)
    other = need_record(2, vulnerability=frozenset(), gap=5_000.0, tokens=("医疗费",), urgency=3)
    resources = [
        resource_record(300, kind="fund", towns=frozenset(), categories=frozenset(),
                      capacity=5_000.0, tokens=("医疗费", "救助")),
        resource_record(301, towns=frozenset(), categories=frozenset(), capacity=5_000.0,
                      requires=frozenset({"disability"}), tokens=("残疾人", "家庭")),
    ]
    result = run_batch([disabled, other], resources)
    got = {(p.need_id, p.resource_id): p.amount for p in result.proposals}
    assert got == {(1, 301): 5_000, (2, 300): 5_000}

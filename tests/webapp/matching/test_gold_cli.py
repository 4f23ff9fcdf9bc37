"""`flask matching evaluate --gold`, and the gold set as a gate on the learned scorer."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from matching.features import FEATURE_NAMES
from matching.scoring import DefaultScorer, LearnedScorer, ScorerChoice
from webapp.services.matching import training

GOLD = Path(__file__).resolve().parents[2] / "matching" / "gold"


def test_evaluate_gold_prints_top1_top3_and_ndcg_for_both_scorers(runner, demo_base):
    result = runner.invoke(args=["matching", "evaluate", "--gold"])
    assert result.exit_code == 0, result.output
    scenarios = json.loads((GOLD / "scenarios.json").read_text(encoding="utf-8"))
    assert f"{len(scenarios)} judged scenarios" in result.output
    default_row = next(line for line in result.output.splitlines()
                       if line.startswith("default "))
    top1, top3, ndcg, excluded, proposed = default_row.split()[1:]
    assert float(top1.rstrip("%")) >= 80 and float(top3.rstrip("%")) >= 95
    assert 0 < float(ndcg) <= 1 and excluded == proposed == "0"
    # The blind file is reported apart, on its own catalogue.
    blind = json.loads((GOLD / "blind.json").read_text(encoding="utf-8"))
    assert f"blind set: {len(blind['scenarios'])} judged scenarios" in result.output
    blind_row = next(line for line in result.output.splitlines()
                     if line.startswith("blind default "))
    top1, top3, ndcg, excluded, proposed = blind_row.split()[2:]
    assert 0 < float(ndcg) <= 1 and excluded == proposed == "0"
    assert "too few officer decisions" in result.output
    assert "=> default scorer is used" in result.output


def test_evaluate_gold_rejects_a_missing_directory(runner, tmp_path):
    result = runner.invoke(args=["matching", "evaluate", "--gold", "--gold-dir",
                                 str(tmp_path / "none")])
    assert result.exit_code != 0
    assert "no gold set" in result.output


def _perverse_model() -> LearnedScorer:
    """A real model fitted on decisions that approve generic, far-away, poorly covering help."""
    rng = np.random.default_rng(5)
    X = rng.random((400, len(FEATURE_NAMES)))
    bad = (-4 * X[:, FEATURE_NAMES.index("specificity")] - 4 * X[:, FEATURE_NAMES.index("text_sim")]
           - 3 * X[:, FEATURE_NAMES.index("category_exact")])
    y = (rng.random(400) < 1 / (1 + np.exp(-(bad + 5)))).astype(int)
    return LearnedScorer().fit(X, y)


def test_learned_scorer_worse_on_gold_is_not_used(monkeypatch, db):
    model = _perverse_model()
    monkeypatch.setattr(training, "choose_scorer", lambda X, y, groups: ScorerChoice(
        model, "learned model beats the default on held-out decisions", None))
    reports = training.gold_reports(learned=model)
    assert not reports[1].not_worse_than(reports[0])
    choice = training.current_scorer(db.session)
    assert isinstance(choice.scorer, DefaultScorer)
    assert choice.reason == "learned model is worse on the gold set"

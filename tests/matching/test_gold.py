"""The judged gold set: the scorer in use meets its goals and never breaks a hard rule."""

from pathlib import Path

import pytest

from matching.gold import evaluate_gold, load_gold, load_gold_file, ndcg
from matching.scoring import DefaultScorer
from search.analysis import analyze

GOLD = Path(__file__).parent / "gold"


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD, tokenize=analyze)


def test_gold_set_has_at_least_forty_judged_scenarios(gold):
    assert len(gold.scenarios) >= 40
    assert all(s.excluded for s in gold.scenarios)  # every scenario tests a hard rule


def test_default_scorer_meets_the_gold_goals(gold):
    report = evaluate_gold(gold, DefaultScorer())
    assert report.top3 >= 0.95
    assert report.top1 >= 0.80
    assert report.excluded_suggested == 0 and report.excluded_proposed == 0


def test_ndcg_is_one_for_the_ideal_order_and_less_otherwise():
    relevance = {"a": 3, "b": 1}
    assert ndcg(["a", "b", "c"], relevance) == pytest.approx(1.0)
    assert ndcg(["b", "a"], relevance) < 1.0
    assert ndcg(["c"], relevance) == 0.0


def test_gold_loader_rejects_unknown_keys(tmp_path):
    (tmp_path / "resources.json").write_text(
        '[{"key": "r", "kind": "fund", "title": "基金", "capacity": 10}]', encoding="utf-8")
    (tmp_path / "scenarios.json").write_text(
        '[{"key": "s", "category": "other", "town": "梁村镇", "text": "困难", '
        '"right": ["nope"]}]', encoding="utf-8")
    with pytest.raises(ValueError, match="bad keys"):
        load_gold(tmp_path)


def test_blind_file_has_twenty_scenarios_on_its_own_catalogue_and_no_rule_is_broken():
    blind = load_gold_file(GOLD / "blind.json", tokenize=analyze)
    assert len(blind.scenarios) >= 20 and all(s.excluded for s in blind.scenarios)
    report = evaluate_gold(blind, DefaultScorer())
    assert report.excluded_suggested == 0 and report.excluded_proposed == 0

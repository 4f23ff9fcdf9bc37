"""The judged-query measures, and the goals the judged queries must meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.evaluation import JudgedQuery, _ndcg, _recall, evaluate, load_judged, score

JUDGED = Path(__file__).resolve().parent / "judged"


def test_ndcg_and_recall_by_hand():
    relevant = frozenset({"need:1", "need:2"})
    assert _ndcg(["need:1", "need:2", "x"], relevant) == pytest.approx(1.0)
    # One relevant at rank 2 only: (1/log2 3) / (1 + 1/log2 3).
    assert _ndcg(["x", "need:2"], relevant) == pytest.approx(0.6309 / 1.6309, abs=1e-4)
    assert _recall(["x", "need:2"], relevant) == 0.5
    # More than ten relevant: ten found is full recall.
    many = frozenset(f"need:{i}" for i in range(20))
    assert _recall([f"need:{i}" for i in range(10)], many) == 1.0


def test_score_counts_queries_that_found_nothing():
    q = JudgedQuery("x", "colloquial", frozenset({"need:1"}))
    scores = score([(q, []), (q, ["need:1"])])
    assert (scores.queries, scores.zero_rate, scores.recall) == (2, 0.5, 0.5)


def test_judged_queries_are_many_and_each_has_a_relevant_document():
    queries, docs = load_judged(JUDGED)
    uids = {d.uid for d in docs}
    assert len(queries) >= 150
    assert {q.group for q in queries} >= {"colloquial", "broader", "pinyin", "typo", "town",
                                          "mixed"}
    for q in queries:
        assert q.relevant and q.relevant <= uids, q.text


def test_expanded_search_meets_the_goals_on_the_judged_queries(tmp_path):
    from search.embedded import EmbeddedBackend

    queries, docs = load_judged(JUDGED)
    engine = EmbeddedBackend(tmp_path / "index")
    try:
        engine.rebuild(docs)
        report = evaluate(engine, queries)
    finally:
        engine.close()
    plain, expanded = report["plain"]["all"], report["expanded"]["all"]
    assert expanded.zero_rate <= 0.05
    assert expanded.recall >= 0.9
    assert expanded.ndcg >= plain.ndcg + 0.15

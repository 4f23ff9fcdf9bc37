"""Embedded (tantivy) backend behaviour beyond the shared contract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tantivy

from search import embedded_search
from search.backend import SearchUnavailable, make_backend
from search.documents import SearchQuery
from search.embedded import EmbeddedBackend


@pytest.fixture
def engine(tmp_path):
    return EmbeddedBackend(tmp_path / "index", lock_timeout=0.3)


def test_make_backend_returns_embedded_for_a_path(tmp_path):
    assert isinstance(make_backend(tmp_path / "ix"), EmbeddedBackend)


def test_make_backend_returns_elastic_for_a_url():
    from search.elastic import ElasticBackend

    backend = make_backend("http://localhost:9200")
    assert isinstance(backend, ElasticBackend)
    backend.close()


def test_embedded_new_directory_searches_empty(engine):
    assert engine.search(SearchQuery(text="低保")).total == 0


def test_embedded_search_raises_unavailable_when_directory_removed(engine, make_doc):
    engine.index_many([make_doc()])
    shutil.rmtree(engine.root)
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery(text="救助"))


def test_embedded_health_reports_removed_directory(engine):
    shutil.rmtree(engine.root)
    health = engine.health()
    assert not health.ok and "删除" in health.detail


def test_embedded_write_recreates_removed_directory(engine, make_doc):
    engine.index_many([make_doc("1")])
    shutil.rmtree(engine.root)
    engine.index_many([make_doc("2")])
    assert engine.count() == 1 and engine.health().ok


def test_embedded_other_instance_sees_writes_and_rebuilds(engine, make_doc):
    other = EmbeddedBackend(engine.root)
    engine.index_many([make_doc("1", title="尿毒症")])
    assert other.search(SearchQuery(text="尿毒症")).total == 1
    engine.rebuild([make_doc("2", title="脑出血")])
    assert other.search(SearchQuery(text="脑出血")).total == 1


def test_embedded_rebuild_removes_old_generation(engine, make_doc):
    engine.rebuild([make_doc("1")])
    engine.rebuild([make_doc("2")])
    assert len([p for p in Path(engine.root).iterdir() if p.name.startswith("gen-")]) == 1


def test_embedded_busy_writer_lock_raises_unavailable(engine, make_doc):
    live = (engine.root / "CURRENT").read_text()
    index = tantivy.Index.open(str(engine.root / live))
    holder = index.writer(15_000_000, 1)
    try:
        with pytest.raises(SearchUnavailable):
            engine.index_many([make_doc()])
    finally:
        holder.rollback()
        holder.wait_merging_threads()


def test_embedded_failed_rebuild_keeps_live_index(engine, make_doc):
    engine.index_many([make_doc("1", title="尿毒症")])

    def broken():
        yield make_doc("2")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(broken())
    assert engine.search(SearchQuery(text="尿毒症")).total == 1
    assert len([p for p in engine.root.iterdir() if p.name.startswith("gen-")]) == 1


def _brute_force(docs, query):
    """Total and facet counts of ``query`` computed from the documents, without the engine."""
    from collections import Counter

    from search.analysis import analyze
    from search.documents import facet_list
    from search.query_plan import plan_query

    plan = plan_query(query.text, relaxed=query.relaxed, expand=query.expand)
    matched = []
    for doc in docs:
        tokens = set(analyze(doc.title)) | set(analyze(doc.body))
        units = sum(
            1
            for unit in plan.units
            if all(tokens & {*group, *plan.alternatives(group)} for group in unit)
        )
        if units < plan.minimum_should_match:
            continue
        values = {"kind": {doc.kind}, "category": set(doc.all_categories)}
        values |= {"town": {doc.town}, "status": {doc.status}, "urgency": {doc.urgency}}
        keep = True
        for name, wanted in query.filters.items():
            if name == "urgency_min":
                keep &= doc.urgency is not None and doc.urgency >= wanted[0]
            else:
                keep &= bool(values[name] & set(wanted))
        if keep:
            matched.append((doc, values))
    facets = {}
    for name in query.facets:
        counts = Counter(v for _, values in matched for v in values[name] if v is not None)
        facets[name] = facet_list(counts.items())
    return len(matched), facets


def test_embedded_total_and_facets_equal_brute_force_counts(engine, make_doc):
    import random

    rng = random.Random(3)
    words = ["白血病", "尿毒症", "低保", "助学", "心理疏导", "临时救助", "医疗救助", "透析"]
    towns = ["梁村镇", "尹集镇", "鱼丘湖街道", None]
    categories = ["医疗", "教育", "生活", "助残"]
    docs = [
        make_doc(
            str(i),
            kind=rng.choice(["need", "need", "project", "offer"]),
            title="".join(rng.sample(words, 2)),
            body="，".join(rng.sample(words, rng.randint(0, 3))),
            category=rng.choice(categories),
            categories=tuple(rng.sample(categories, rng.randint(0, 2))),
            town=rng.choice(towns),
            urgency=rng.choice([1, 2, 3, 4, 5, None]),
            status=rng.choice(["published", "closed"]),
            age_days=i,
        )
        for i in range(300)
    ]
    engine.rebuild(docs[:150])
    engine.index_many(docs[150:])
    engine.delete("need", [str(i) for i in range(0, 300, 7)])
    docs = [d for d in docs if not (d.kind == "need" and int(d.id) % 7 == 0)]
    facets = ("kind", "category", "town", "urgency", "status")
    queries = [
        SearchQuery(text="", facets=facets),
        SearchQuery(text="白血病", facets=facets),
        SearchQuery(text="医疗救助", facets=facets, filters={"town": ["梁村镇", "尹集镇"]}),
        SearchQuery(text="低保 助学", facets=facets, filters={"urgency_min": 3}),
        SearchQuery(text="透析", facets=facets, filters={"category": "助残", "kind": "need"}),
        SearchQuery(text="尿毒症 心理疏导 临时救助 助学", facets=facets, sort="newest", page=3),
    ]
    for query in queries:
        result = engine.search(query)
        assert result.total > 0
        assert (result.total, result.facets) == _brute_force(docs, query), query


def test_embedded_search_works_again_after_close(engine, make_doc):
    engine.index_many([make_doc("1", title="尿毒症")])
    engine.close()
    assert engine.search(SearchQuery(text="尿毒症", facets=("kind",))).total == 1


def _corpus(make_doc, n: int, seed: int):
    """``n`` documents over a few common words with varied frequency, so scores differ."""
    import random

    rng = random.Random(seed)
    words = ["白血病", "尿毒症", "低保", "助学", "心理疏导", "临时救助", "医疗救助", "透析", "老人"]
    towns = ["梁村镇", "尹集镇", "鱼丘湖街道", "清平镇", None]
    return [
        make_doc(
            str(i),
            kind=rng.choice(["need", "need", "need", "project", "offer", "fund"]),
            title="".join(rng.choices(words, k=rng.randint(1, 3))),
            body="，".join(rng.choices(words, k=rng.randint(0, 8))) + "。" * rng.randint(0, 40),
            category=rng.choice(["医疗", "教育", "生活"]),
            town=rng.choice(towns),
            urgency=rng.choice([1, 2, 3, 4, 5, None]),
            status=rng.choice(["published", "published", "closed"]),
            age_days=i % 500,
        )
        for i in range(n)
    ]


def test_embedded_broad_query_counts_are_estimated_from_the_sample(tmp_path, make_doc):
    docs = _corpus(make_doc, 4000, seed=11)
    exact = EmbeddedBackend(tmp_path / "exact")
    sampled = EmbeddedBackend(tmp_path / "sampled", exact_count_limit=200)
    exact.rebuild(docs)
    sampled.rebuild(docs)
    facets = ("kind", "town")
    broad = SearchQuery(text="低保", facets=facets)
    truth, estimate = exact.search(broad), sampled.search(broad)
    assert not truth.estimated and estimate.estimated
    assert truth.total > 1000
    assert abs(estimate.total - truth.total) <= 0.25 * truth.total
    true_kinds = dict(truth.facets["kind"])
    for kind, count in estimate.facets["kind"]:
        assert abs(count - true_kinds[kind]) <= 0.35 * true_kinds[kind] + 20, kind
    # The hits themselves are never estimated (two indexes may order equal scores apart).
    assert [h.score for h in estimate.hits] == [h.score for h in truth.hits]
    # A query the sample shows to be narrow is counted exactly.
    narrow = SearchQuery(text="低保", facets=facets, filters={"town": "清平镇", "urgency": 5})
    exact_narrow, counted = exact.search(narrow), sampled.search(narrow)
    assert not counted.estimated and 0 < counted.total < 200
    assert (counted.total, counted.facets) == (exact_narrow.total, exact_narrow.facets)


def test_embedded_post_filtered_ranking_equals_filtered_ranking(engine, make_doc, monkeypatch):
    """Ranking a common word alone, then filtering, gives exactly the filtered ranking."""
    import random

    docs = _corpus(make_doc, 3000, seed=5)
    engine.rebuild(docs[:2000])
    engine.index_many(docs[2000:])  # a second segment: ties across segments too
    used = []
    original = embedded_search.post_filtered_page

    def spy(*args):
        page = original(*args)
        used.append(page is not None)
        return page

    monkeypatch.setattr(embedded_search, "post_filtered_page", spy)
    rng = random.Random(8)
    filter_choices = [
        {"kind": "need"},
        {"kind": ["project", "fund"]},
        {"town": "梁村镇"},
        {"urgency_min": 3},
        {"urgency": [4, 5], "kind": "need"},
        {"status": "published", "town": ["尹集镇", "清平镇"]},
    ]
    ties = 0
    few_candidates = [False, True]  # True: too few to fill the page, so it must fall back
    for i in range(80):
        if few_candidates[i % 2]:
            monkeypatch.setattr(embedded_search, "post_filter_candidates", lambda *a: 12)
        else:
            monkeypatch.undo()
            monkeypatch.setattr(embedded_search, "post_filtered_page", spy)
        query = SearchQuery(
            text=rng.choice(["低保", "老人", "透析", "白血病"]),
            filters=rng.choice(filter_choices),
            page=rng.choice([1, 1, 2, 5]),
            per_page=rng.choice([10, 20]),
        )
        fast = engine.search(query)
        with monkeypatch.context() as m:
            m.setattr(embedded_search, "post_filter_candidates", lambda *a: 0)
            slow = engine.search(query)
        assert [(h.id, h.score) for h in fast.hits] == [(h.id, h.score) for h in slow.hits], query
        assert fast.total == slow.total
        scores = [h.score for h in slow.hits]
        ties += len(scores) - len(set(scores))
    assert ties > 50  # equal scores must come out in the same order too
    assert any(used) and not all(used)


def test_embedded_index_of_an_older_layout_asks_for_a_rebuild(engine, make_doc):
    import json

    engine.index_many([make_doc("1", title="尿毒症")])
    name = (engine.root / "CURRENT").read_text().strip()
    meta_path = engine.root / name / "jiujinan.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"schema": 1}))
    reopened = EmbeddedBackend(engine.root)
    with pytest.raises(SearchUnavailable, match="重建"):
        reopened.search(SearchQuery(text="尿毒症"))
    assert not reopened.health().ok and "格式" in reopened.health().detail
    reopened.rebuild([make_doc("1", title="尿毒症")])
    assert reopened.search(SearchQuery(text="尿毒症")).total == 1

"""Embedded (tantivy) backend behaviour beyond the shared contract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tantivy

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

    from search.analysis import analyze, plan_query
    from search.documents import facet_list

    plan = plan_query(query.text)
    matched = []
    for doc in docs:
        tokens = set(analyze(doc.title)) | set(analyze(doc.body))
        groups = sum(1 for group in plan.groups if tokens & set(group))
        if groups < plan.minimum_should_match:
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

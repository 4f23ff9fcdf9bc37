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

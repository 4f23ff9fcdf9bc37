"""Fixtures for the search tests: a document factory and every available backend."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from search.documents import SearchDocument

BASE_TIME = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.fixture
def make_doc():
    """Return a factory of SearchDocument with sensible defaults; ``age_days`` sets created_at."""

    def make(doc_id="1", *, kind="need", title="急难救助", body="", age_days=0, **fields):
        created = BASE_TIME - timedelta(days=age_days)
        return SearchDocument(
            kind=kind, id=str(doc_id), title=title, body=body, created_at=created, **fields
        )

    return make


def _embedded(tmp_path):
    from search.embedded import EmbeddedBackend

    return EmbeddedBackend(tmp_path / "index", lock_timeout=2.0)


def _elastic(tmp_path):
    if not ELASTICSEARCH_URL:
        pytest.skip(
            "ELASTICSEARCH_URL is not set: the Elasticsearch contract runs only against a real "
            "server (none is installable in this environment)"
        )
    from search.elastic import ElasticBackend

    return ElasticBackend(
        ELASTICSEARCH_URL,
        index_prefix=f"jiujinan-test-{uuid.uuid4().hex[:8]}",
        number_of_replicas=0,
    )


@pytest.fixture(params=["embedded", "elastic"])
def backend(request, tmp_path):
    """Each SearchBackend implementation, empty; elastic is skipped without a server."""
    engine = _embedded(tmp_path) if request.param == "embedded" else _elastic(tmp_path)
    yield engine
    if request.param == "elastic":
        engine.drop()
    engine.close()

"""Validation of the search records."""

from __future__ import annotations

from datetime import datetime

import pytest

from search.documents import SearchDocument, SearchQuery


def test_search_query_clamps_per_page_and_page():
    assert SearchQuery(per_page=1000, page=-3).per_page == 100
    assert SearchQuery(per_page=0).per_page == 1
    assert SearchQuery(page=-3).page == 1


def test_search_query_rejects_unknown_filter():
    with pytest.raises(ValueError):
        SearchQuery(filters={"name": "张三"})


def test_search_query_rejects_unknown_facet():
    with pytest.raises(ValueError):
        SearchQuery(facets=("phone",))


def test_search_query_accepts_single_value_or_list():
    query = SearchQuery(filters={"kind": "need", "town": ["梁村镇", "尹集镇"], "category": []})
    assert query.filters == {"kind": ("need",), "town": ("梁村镇", "尹集镇")}


def test_search_query_rejects_non_integer_urgency():
    with pytest.raises(ValueError):
        SearchQuery(filters={"urgency": "高"})


def test_search_document_rejects_naive_datetime():
    with pytest.raises(ValueError):
        SearchDocument(kind="need", id="1", title="t", created_at=datetime(2024, 1, 1))


def test_search_document_rejects_unknown_kind(make_doc):
    with pytest.raises(ValueError):
        make_doc(kind="person")


def test_search_document_payload_round_trips(make_doc):
    doc = make_doc(category="医疗", categories=("助学",), urgency=3, amount_needed=5000)
    assert SearchDocument.from_payload(doc.to_payload()) == doc

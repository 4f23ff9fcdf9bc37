"""GET /api/v1/search: total, hits and facets; bad input is a 4xx problem, never a 500."""
from __future__ import annotations

import shutil

import pytest


def test_api_search_returns_total_hits_and_facets(client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": "白血病"}).get_json()
    assert body["total"] >= 1
    assert (body["hits"][0]["kind"], body["hits"][0]["id"]) == demo_like["leukemia"]
    assert "白血病</mark>" in body["hits"][0]["snippet"]  # 急性白血病, a synonym
    assert set(body["facets"]) == {"kind", "category", "town", "urgency"}
    assert body["fallback"] is False


def test_api_search_facet_counts_cover_all_matches(client, demo_like):
    body = client.get("/api/v1/search", query_string={"per_page": 1}).get_json()
    assert body["total"] == 6 and len(body["hits"]) == 1
    assert {"value": "need", "count": 3} in body["facets"]["kind"]
    assert {"value": "梁村镇", "count": 3} in body["facets"]["town"]


def test_api_search_filters_combine(client, demo_like):
    body = client.get("/api/v1/search", query_string={"kind": "need", "town": "梁村镇",
                                                      "urgency": 4}).get_json()
    assert [(h["kind"], h["id"]) for h in body["hits"]] == [demo_like["leukemia"]]


def test_api_search_page_past_the_end_is_empty(client, demo_like):
    body = client.get("/api/v1/search", query_string={"page": 999}).get_json()
    assert body["hits"] == [] and body["total"] == 6 and body["meta"]["page"] == 999


@pytest.mark.parametrize("args", [{"per_page": 101}, {"page": 0}, {"urgency": "high"},
                                  {"kind": "spaceship"}, {"category": "nonsense"},
                                  {"sort": "random"}, {"q": "x" * 10_001}])
def test_api_search_bad_parameter_is_problem(client, demo_like, args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("text", ['" ( ) : * AND', "白" * 10_000, "OR NOT -+~^", "'; drop"])
def test_api_search_odd_text_is_answered(client, demo_like, text):
    response = client.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200 and isinstance(response.get_json()["hits"], list)


def test_api_search_unknown_town_is_empty(client, demo_like):
    body = client.get("/api/v1/search", query_string={"town": "火星镇"}).get_json()
    assert body["total"] == 0 and body["hits"] == []


def test_api_search_falls_back_when_engine_down(client, demo_like, search_index):
    shutil.rmtree(search_index.root)
    body = client.get("/api/v1/search", query_string={"q": "助学"}).get_json()
    assert body["fallback"] is True
    assert [(h["kind"], h["id"]) for h in body["hits"]] == [demo_like["study"]]


def test_api_search_is_in_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "kind", "category", "town", "urgency", "page", "per_page"} <= params


@pytest.fixture
def broad_index(search_index):
    """600 indexed needs sharing one word, with a counting limit they exceed."""
    from datetime import UTC, datetime

    from search.documents import SearchDocument

    created = datetime(2026, 1, 1, tzinfo=UTC)
    search_index.index_many(
        SearchDocument(kind="need", id=str(i), title="低保家庭临时救助", body="困难" * (i % 7),
                       town=("梁村镇", "尹集镇")[i % 2], urgency=1 + i % 4, created_at=created)
        for i in range(1, 601))
    search_index.exact_count_limit = 50
    return search_index


def test_api_search_flags_estimated_counts_of_a_broad_query(client, broad_index):
    body = client.get("/api/v1/search", query_string={"q": "低保"}).get_json()
    assert body["estimated"] is True and len(body["hits"]) == 10
    assert 400 <= body["total"] <= 800
    narrow = client.get("/api/v1/search", query_string={"q": "不存在的词"}).get_json()
    assert narrow["estimated"] is False and narrow["total"] == 0


def test_results_page_says_counts_are_estimates(client, broad_index):
    page = client.get("/search", query_string={"q": "低保"}).get_data(as_text=True)
    assert 'id="search-estimated"' in page and "约有" in page and "估计值" in page
    exact = client.get("/search", query_string={"q": "不存在的词"}).get_data(as_text=True)
    assert 'id="search-estimated"' not in exact


LONG_QUERY = "白血病 化疗 骨髓移植 家庭 低保 助学 透析 烧伤"  # 8 words; the leukemia need has 4


def test_api_search_relaxes_a_long_query_that_found_nothing(client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": LONG_QUERY}).get_json()
    assert body["relaxed"] is True
    assert (body["hits"][0]["kind"], body["hits"][0]["id"]) == demo_like["leukemia"]
    plain = client.get("/api/v1/search", query_string={"q": "白血病"}).get_json()
    assert plain["relaxed"] is False and plain["total"] >= 1
    nothing = client.get("/api/v1/search", query_string={"q": "火星 月球 土星 木星"}).get_json()
    assert nothing["relaxed"] is True and nothing["total"] == 0


def test_results_page_says_a_long_query_was_relaxed(client, demo_like):
    page = client.get("/search", query_string={"q": LONG_QUERY}).get_data(as_text=True)
    assert 'id="search-relaxed"' in page and 'class="card mb-2 search-hit"' in page
    plain = client.get("/search", query_string={"q": "白血病"}).get_data(as_text=True)
    assert 'id="search-relaxed"' not in plain

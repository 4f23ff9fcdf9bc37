"""GET /api/v1/search: total, hits and facets; bad input is a 4xx problem, never a 500."""
from __future__ import annotations

import shutil

import pytest


def test_api_search_returns_total_hits_and_facets(client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": "白血病"}).get_json()
    assert body["total"] >= 1
    assert (body["hits"][0]["kind"], body["hits"][0]["id"]) == demo_like["leukemia"]
    assert "<mark>白血病</mark>" in body["hits"][0]["snippet"]
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

"""Suggestions as people type, "did you mean", and pinyin and thesaurus queries end to end."""
from __future__ import annotations

import pytest


def _suggest(client, q: str) -> list[tuple[str, str]]:
    response = client.get("/api/v1/search/suggest", query_string={"q": q})
    assert response.status_code == 200
    return [(s["text"], s["kind"]) for s in response.get_json()["suggestions"]]


@pytest.mark.parametrize("typed", ["白血", "baix", "bxb"])
def test_suggest_completes_chinese_and_pinyin_prefixes(client, demo_like, typed):
    found = _suggest(client, typed)
    assert ("白血病", "term") in found
    # And the title of the best match of the completion.
    assert any(kind == "title" for _, kind in found)


def test_suggest_completes_town_names_in_pinyin(client, demo_like):
    assert ("梁村镇", "term") in _suggest(client, "liangcun")


def test_suggest_empty_and_odd_input_is_answered(client, demo_like):
    assert _suggest(client, "") == []
    assert _suggest(client, "<script>") == []
    response = client.get("/api/v1/search/suggest", query_string={"q": "x" * 500})
    assert response.status_code == 422


def test_suggest_titles_left_out_when_engine_down(client, demo_like, search_index):
    import shutil
    shutil.rmtree(search_index.root)
    assert ("白血病", "term") in _suggest(client, "baix")


def test_suggest_is_in_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search/suggest"]["get"]["parameters"]}
    assert params == {"q", "limit"}


@pytest.mark.parametrize("text,expected", [("血癌", "leukemia"), ("baixuebing", "leukemia"),
                                           ("bxb", "leukemia"), ("肾衰竭", "uremia"),
                                           ("着火", "fire"), ("学费", "study")])
def test_api_search_finds_colloquial_and_pinyin_queries(client, demo_like, text, expected):
    body = client.get("/api/v1/search", query_string={"q": text}).get_json()
    assert (body["hits"][0]["kind"], body["hits"][0]["id"]) == demo_like[expected]


def test_api_search_finds_a_homophone_typo_of_a_thesaurus_term(client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": "白雪病"}).get_json()
    assert (body["hits"][0]["kind"], body["hits"][0]["id"]) == demo_like["leukemia"]
    plain = client.get("/api/v1/search", query_string={"q": "尿毒证"}).get_json()
    assert (plain["hits"][0]["kind"], plain["hits"][0]["id"]) == demo_like["uremia"]


def test_api_search_offers_did_you_mean_for_a_homophone_typo_inside_a_phrase(
        client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": "梁村镇白雪病"}).get_json()
    assert (body["total"], body["did_you_mean"]) == (0, "梁村镇白血病")


def test_api_search_offers_fewer_words_when_together_they_find_nothing(client, demo_like):
    body = client.get("/api/v1/search", query_string={"q": "透析 火灾"}).get_json()
    assert body["total"] == 0 and body["did_you_mean"] in ("透析", "火灾")


def test_api_search_has_no_did_you_mean_when_it_finds_something(client, demo_like):
    assert client.get("/api/v1/search", query_string={"q": "白血病"}).get_json()[
        "did_you_mean"] is None


def test_results_page_links_did_you_mean(client, demo_like):
    html = client.get("/search", query_string={"q": "梁村镇白雪病"}).get_data(as_text=True)
    assert 'id="search-did-you-mean"' in html
    assert "/search?q=%E6%A2%81%E6%9D%91%E9%95%87%E7%99%BD%E8%A1%80%E7%97%85" in html


def test_suggest_one_character_gives_terms_but_no_titles(client, demo_like):
    found = _suggest(client, "白")
    assert ("白血病", "term") in found
    assert all(kind == "term" for _, kind in found)

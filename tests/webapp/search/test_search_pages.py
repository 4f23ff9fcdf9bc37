"""The results page: hits, facets, pagination, empty states, and the database fallback."""
from __future__ import annotations

import re
import shutil

import pytest

QUERIES = [("白血病", "leukemia"), ("尿毒症", "uremia"), ("助学", "study"),
           ("心理疏导", "counsel"), ("临时救助", "relief")]


def _hit_ids(html: str) -> list[tuple[str, str]]:
    return re.findall(r'class="card mb-2 search-hit" data-kind="(\w+)" data-id="(\d+)"', html)


@pytest.mark.parametrize(("text", "expected"), QUERIES)
def test_results_query_finds_demo_like_record(client, demo_like, text, expected):
    html = client.get("/search", query_string={"q": text}).get_data(as_text=True)
    assert demo_like[expected] in _hit_ids(html)


def test_results_town_query_finds_records_of_that_town(client, demo_like):
    html = client.get("/search", query_string={"q": "梁村镇"}).get_data(as_text=True)
    found = set(_hit_ids(html))
    assert {demo_like["leukemia"], demo_like["fire"],
            demo_like["study"]} <= found
    assert demo_like["uremia"] not in found


def test_results_highlight_query_terms(client, demo_like):
    html = client.get("/search", query_string={"q": "化疗"}).get_data(as_text=True)
    assert "<mark>化疗</mark>" in html


def test_results_facets_show_counts(client, demo_like):
    html = client.get("/search", query_string={"q": ""}).get_data(as_text=True)
    town = html[html.index('data-facet="town"'):]
    town = town[:town.index("</section>")]
    assert re.search(r"<span>梁村镇</span><span class=\"badge text-bg-light\">3</span>", town)
    kinds = html[html.index('data-facet="kind"'):]
    assert re.search(r"<span>急难需求</span><span class=\"badge text-bg-light\">3</span>", kinds)


def test_results_empty_query_with_filter_lists_that_kind(client, demo_like):
    html = client.get("/search", query_string={"kind": "need", "town": "梁村镇"}
                      ).get_data(as_text=True)
    assert set(_hit_ids(html)) == {demo_like["leukemia"], demo_like["fire"]}


def test_results_category_facet_filters(client, demo_like):
    html = client.get("/search", query_string={"category": "fire"}).get_data(as_text=True)
    assert set(_hit_ids(html)) == {demo_like["fire"], demo_like["counsel"]}


@pytest.mark.parametrize("text", ["白" * 10_000, '" ( ) : * AND', "白血病 AND (化疗 OR:*)",
                                  "<script>alert(1)</script>", "%_\\'"])
def test_results_odd_query_is_answered(client, demo_like, text):
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("args", [{"kind": "spaceship"}, {"category": "nonsense"},
                                  {"town": "不存在镇"}, {"urgency": "abc"}, {"urgency": "99"},
                                  {"page": "-3"}, {"page": "x"}, {"sort": "random"}])
def test_results_unknown_filter_value_is_never_an_error(client, demo_like, args):
    assert client.get("/search", query_string=args).status_code == 200


def test_results_unknown_facet_value_shows_empty_state(client, demo_like):
    html = client.get("/search", query_string={"kind": "spaceship"}).get_data(as_text=True)
    assert _hit_ids(html) == [] and "没有找到相关结果" in html


def test_results_page_past_the_end_is_empty_page(client, demo_like):
    response = client.get("/search", query_string={"q": "", "page": 50})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _hit_ids(html) == []
    assert "这一页没有结果了" in html


def test_results_paginate_beyond_ten_hits(client, db, drain, announced_listing):
    for n in range(12):
        announced_listing("project", title=f"助学项目第{n}期")
    drain()
    first = client.get("/search", query_string={"q": "助学"}).get_data(as_text=True)
    second = client.get("/search", query_string={"q": "助学", "page": 2}).get_data(as_text=True)
    assert len(_hit_ids(first)) == 10 and len(_hit_ids(second)) == 2
    assert 'aria-label="分页"' in first


def test_results_navbar_search_redirects_here(client, demo_like):
    response = client.get("/go/search", query_string={"q": "白血病"})
    assert response.status_code == 302 and "/search?q=" in response.headers["Location"]


def test_results_fall_back_to_database_when_index_removed(client, demo_like, search_index):
    shutil.rmtree(search_index.root)
    html = client.get("/search", query_string={"q": "白血病"}).get_data(as_text=True)
    assert "搜索引擎暂不可用，以下为数据库检索结果" in html
    assert demo_like["leukemia"] in _hit_ids(html)
    assert "<mark>白血病</mark>" in html


def test_results_fallback_keeps_filters_and_facets(client, demo_like, search_index):
    shutil.rmtree(search_index.root)
    html = client.get("/search", query_string={"town": "梁村镇", "kind": "need"}
                      ).get_data(as_text=True)
    assert set(_hit_ids(html)) == {demo_like["leukemia"], demo_like["fire"]}
    assert 'data-facet="category"' in html


def test_results_fallback_never_shows_unpublished(client, db, demo_like, search_index, drain,
                                                 officer):
    from webapp.models import Case
    from webapp.services import needs
    needs.unpublish_need(db.session, officer, db.session.get(Case, demo_like["case_ids"]["uremia"]))
    db.session.commit()
    drain()  # let the worker finish writing before the directory goes
    shutil.rmtree(search_index.root)
    html = client.get("/search", query_string={"q": "尿毒症"}).get_data(as_text=True)
    assert "数据库检索结果" in html and _hit_ids(html) == []


def test_results_after_index_removed_writes_succeed_and_catch_up(
        client, db, demo_like, search_index, drain, case_with_applicant, publish):
    shutil.rmtree(search_index.root)
    card = publish(case_with_applicant(description="突发脑出血，正在重症监护。"))
    new = ("need", str(card.id))
    drain()
    html = client.get("/search", query_string={"q": ""}).get_data(as_text=True)
    assert "数据库检索结果" not in html
    assert {new, demo_like["leukemia"]} <= set(_hit_ids(html))


def test_results_unpublished_need_disappears(client, db, demo_like, drain, officer):
    from webapp.models import Case
    from webapp.services import needs
    needs.unpublish_need(db.session, officer,
                         db.session.get(Case, demo_like["case_ids"]["leukemia"]))
    db.session.commit()
    drain()
    html = client.get("/search", query_string={"q": "白血病"}).get_data(as_text=True)
    assert demo_like["leukemia"] not in _hit_ids(html)


def test_results_snippet_labels_follow_the_language(client, demo_like):
    """The indexed text labels its lines in Chinese; an English reader sees English labels."""
    html = client.get("/search", query_string={"q": "梁村镇"}).get_data(as_text=True)
    assert "服务范围：" in html or "地区：" in html
    client.get("/lang/en")
    html = client.get("/search", query_string={"q": "梁村镇"}).get_data(as_text=True)
    snippets = " ".join(re.findall(r'class="mb-1 small search-snippet">(.*?)</p>', html, re.DOTALL))
    assert "Service area: " in snippets or "Area: " in snippets
    assert "服务范围：" not in snippets and "地区：" not in snippets


def test_results_in_english_show_a_needs_generated_words_in_english(client, demo_like, db):
    """A need's generated title and the lines of its snippet the system wrote (household, age
    band, category, urgency, kind) read in English; the story and the town's name are as
    typed, the query as asked."""
    from sqlalchemy import select

    from webapp.models import NeedCard, Organisation
    client.get("/lang/en")
    html = client.get("/search", query_string={"q": "白血病"}).get_data(as_text=True)
    need_id = demo_like["leukemia"][1]
    hit = html[html.index(f'data-kind="need" data-id="{need_id}"'):]
    hit = re.sub(r"<[^>]+>", " ", re.sub(r"</?mark>", "", hit[:hit.index("</li>")]))
    need = db.session.get(NeedCard, int(need_id))
    assert need.words and need.words.get("title") == "full"
    for typed in (need.story, "白血病", *db.session.scalars(select(Organisation.name))):
        hit = hit.replace(typed, " ")
    hit = hit.replace("&nbsp;", " ")
    assert re.findall(r"[\u3400-\u9fff\uff01-\uff5e]+", hit) == []
    assert "Leukaemia" in hit or "Serious illness" in hit

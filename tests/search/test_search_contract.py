"""The SearchBackend contract, run against every available backend.

The embedded backend always runs; Elasticsearch runs when ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

import pytest

from search.documents import SearchQuery


@pytest.fixture
def corpus(make_doc):
    return [
        make_doc(
            "1",
            title="梁村镇白血病患儿急需医疗救助",
            body="患儿八岁，确诊急性白血病，家庭因病致贫。",
            category="医疗",
            town="梁村镇",
            urgency=5,
            status="published",
            age_days=3,
        ),
        make_doc(
            "2",
            title="低保户子女助学",
            body="鱼丘湖街道低保家庭学生考上大学，需要助学金。",
            category="教育",
            town="鱼丘湖街道",
            urgency=3,
            status="published",
            age_days=1,
        ),
        make_doc(
            "3",
            title="尿毒症患者透析费用",
            body="尹集镇特困人员，尿毒症每周透析三次。",
            category="医疗",
            town="尹集镇",
            urgency=4,
            status="published",
            age_days=2,
        ),
        make_doc(
            "p1",
            kind="project",
            title="白血儿童救助项目",
            body="面向全县白血患儿提供<医疗>救助 & 陪护就医。",
            category="医疗",
            categories=("助残",),
            town="梁村镇",
            urgency=2,
            age_days=5,
        ),
        make_doc(
            "o1",
            kind="offer",
            title="心理疏导志愿服务",
            body="社工提供心理疏导，覆盖汇鑫街道。",
            category="心理",
            town="汇鑫街道",
            urgency=1,
            age_days=0,
        ),
    ]


@pytest.fixture
def loaded(backend, corpus):
    backend.index_many(corpus)
    return backend


def ids(result):
    return [hit.id for hit in result.hits]


def test_backend_finds_indexed_document(loaded):
    assert ids(loaded.search(SearchQuery(text="尿毒症"))) == ["3"]


def test_backend_count_matches_documents(loaded, corpus):
    assert loaded.count() == len(corpus)


def test_backend_long_word_query_finds_its_subword(loaded):
    assert set(ids(loaded.search(SearchQuery(text="白血病")))) == {"1", "p1"}


def test_backend_subword_query_finds_longer_word(loaded):
    assert set(ids(loaded.search(SearchQuery(text="白血")))) == {"1", "p1"}


def test_backend_full_word_ranks_above_subword(loaded):
    assert ids(loaded.search(SearchQuery(text="白血病")))[0] == "1"


def test_backend_two_character_words_are_found(loaded):
    assert ids(loaded.search(SearchQuery(text="低保"))) == ["2"]
    assert ids(loaded.search(SearchQuery(text="助学"))) == ["2"]


def test_backend_full_width_query_matches(loaded, make_doc):
    loaded.index_many([make_doc("x", title="ABC公益基金", kind="fund")])
    assert ids(loaded.search(SearchQuery(text="ａｂｃ"))) == ["x"]


def test_backend_all_words_must_match_in_short_query(loaded):
    assert ids(loaded.search(SearchQuery(text="白血病 梁村"))) != []
    assert ids(loaded.search(SearchQuery(text="白血病 尹集"))) == []


def test_backend_filters_by_kind(loaded):
    assert ids(loaded.search(SearchQuery(text="白血", filters={"kind": "project"}))) == ["p1"]


def test_backend_filters_by_any_of_several_towns(loaded):
    result = loaded.search(SearchQuery(filters={"town": ["尹集镇", "汇鑫街道"]}))
    assert set(ids(result)) == {"3", "o1"}


def test_backend_filters_by_secondary_category(loaded):
    assert ids(loaded.search(SearchQuery(filters={"category": "助残"}))) == ["p1"]


def test_backend_filters_by_urgency_and_minimum(loaded):
    assert ids(loaded.search(SearchQuery(filters={"urgency": 4}))) == ["3"]
    assert set(ids(loaded.search(SearchQuery(filters={"urgency_min": 4})))) == {"1", "3"}


def test_backend_filters_by_status(loaded):
    assert loaded.search(SearchQuery(filters={"status": "published"})).total == 3


def test_backend_counts_facets_over_all_matches(loaded):
    result = loaded.search(SearchQuery(facets=("kind", "category", "town", "urgency"), per_page=1))
    assert result.facets["kind"] == [("need", 3), ("offer", 1), ("project", 1)]
    assert result.facets["category"][0] == ("医疗", 3)
    assert ("助残", 1) in result.facets["category"]
    assert dict(result.facets["town"])["梁村镇"] == 2
    assert dict(result.facets["urgency"]) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}


def test_backend_facets_follow_query_and_filters(loaded):
    result = loaded.search(SearchQuery(text="白血", filters={"kind": "need"}, facets=("town",)))
    assert result.facets == {"town": [("梁村镇", 1)]}


def test_backend_unknown_facet_value_matches_nothing(loaded):
    result = loaded.search(SearchQuery(filters={"town": "不存在镇"}, facets=("town", "kind")))
    assert (result.total, result.hits) == (0, [])
    assert result.facets == {"town": [], "kind": []}


def test_backend_highlights_terms_in_title_and_snippet(loaded):
    hit = loaded.search(SearchQuery(text="尿毒症", expand=False)).hits[0]
    assert hit.title_html == "<mark>尿毒症</mark>患者透析费用"
    assert "<mark>尿毒症</mark>每周透析" in hit.snippet


def test_backend_highlights_thesaurus_alternatives_too(loaded):
    # 透析 is a synonym of 尿毒症 in the thesaurus: the reader sees why the card matched.
    hit = loaded.search(SearchQuery(text="尿毒症")).hits[0]
    assert hit.title_html == "<mark>尿毒症</mark>患者<mark>透析</mark>费用"


def test_backend_snippet_escapes_html(loaded):
    hit = loaded.search(SearchQuery(text="陪护就医")).hits[0]
    assert "&lt;医疗&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert "<mark>陪护就医</mark>" in hit.snippet
    assert "<医疗>" not in hit.snippet


def test_backend_hit_carries_document_fields(loaded):
    hit = loaded.search(SearchQuery(text="透析")).hits[0]
    assert (hit.kind, hit.document.town, hit.document.urgency) == ("need", "尹集镇", 4)


def test_backend_paginates(loaded):
    pages = [loaded.search(SearchQuery(sort="urgency", page=p, per_page=2)) for p in (1, 2, 3)]
    assert [ids(p) for p in pages] == [["1", "3"], ["2", "p1"], ["o1"]]
    assert {p.total for p in pages} == {5}


def test_backend_page_past_end_is_empty_with_total(loaded):
    result = loaded.search(SearchQuery(text="白血", page=50))
    assert (result.total, result.hits) == (2, [])


def test_backend_empty_query_with_filters_sorts_by_urgency_then_newest(loaded, make_doc):
    loaded.index_many([make_doc("4", title="脑出血", town="梁村镇", urgency=5, age_days=0)])
    result = loaded.search(SearchQuery(filters={"town": "梁村镇"}))
    assert ids(result) == ["4", "1", "p1"]


def test_backend_sorts_by_newest(loaded):
    assert ids(loaded.search(SearchQuery(sort="newest"))) == ["o1", "2", "3", "1", "p1"]


def test_backend_sorts_text_matches_by_urgency(loaded):
    assert ids(loaded.search(SearchQuery(text="救助", sort="urgency"))) == ["1", "p1"]


def test_backend_survives_ten_thousand_character_query(loaded):
    result = loaded.search(SearchQuery(text="白血病" * 3334))
    assert ids(result) == ["1", "p1"]


def test_backend_relaxed_long_query_needs_half_of_its_words(backend, make_doc):
    backend.index_many([make_doc("half", title="白血病 低保 助学 透析"),
                        make_doc("few", title="白血病 低保 助学")])
    text = "白血病 低保 助学 透析 脑瘫 烧伤 截瘫 肺癌"  # eight words: six needed, or four relaxed
    assert backend.search(SearchQuery(text=text)).total == 0
    assert ids(backend.search(SearchQuery(text=text, relaxed=True))) == ["half"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ")",
        ":",
        "*",
        "AND",
        "OR NOT",
        'title:"白血病" AND (',
        "\\",
        "[1 TO 5]",
        "~2^3",
        "{}",
        "+-!",
        "<mark>",
        "\x00",
        "🙂",
        "'; DROP TABLE",
        "?",
        "/",
    ],
)
def test_backend_never_raises_on_syntax_characters(loaded, text):
    result = loaded.search(SearchQuery(text=text, facets=("kind",)))
    assert result.total >= 0


def test_backend_syntax_around_words_still_finds(loaded):
    assert ids(loaded.search(SearchQuery(text='"尿毒症" AND (透析:*'))) == ["3"]


def test_backend_same_kind_and_id_replaces_document(loaded, make_doc):
    loaded.index_many([make_doc("3", title="脑出血康复", town="尹集镇", urgency=4)])
    assert loaded.count() == 5
    assert ids(loaded.search(SearchQuery(text="尿毒症"))) == []
    assert ids(loaded.search(SearchQuery(text="脑出血"))) == ["3"]


def test_backend_same_id_in_other_kind_is_another_document(loaded, make_doc):
    loaded.index_many([make_doc("3", kind="scheme", title="临时救助政策")])
    assert loaded.count() == 6


def test_backend_deletes_documents(loaded):
    loaded.delete("need", ["3", "missing"])
    assert loaded.search(SearchQuery(text="尿毒症")).total == 0
    assert loaded.count() == 4


def test_backend_rebuild_replaces_content(loaded, make_doc):
    assert loaded.rebuild([make_doc("9", title="恶性肿瘤化疗")]) == 1
    assert loaded.count() == 1
    assert ids(loaded.search(SearchQuery(text="恶性肿瘤"))) == ["9"]


def test_backend_keeps_searching_during_rebuild(loaded, make_doc):
    seen = []

    def slow_source():
        for n in range(50):
            if n == 25:
                seen.append(loaded.search(SearchQuery(text="尿毒症")).total)
            yield make_doc(f"r{n}", title="恶性肿瘤化疗")

    loaded.rebuild(slow_source())
    assert seen == [1]
    assert loaded.search(SearchQuery(text="恶性肿瘤")).total == 50


def test_backend_writes_during_rebuild_survive_the_swap(loaded, make_doc):
    def source():
        yield make_doc("a", title="恶性肿瘤")
        loaded.index_many([make_doc("b", title="脑出血")])
        yield make_doc("c", title="尿毒症")

    loaded.rebuild(source())
    assert loaded.count() == 3
    assert ids(loaded.search(SearchQuery(text="脑出血"))) == ["b"]


def test_backend_clear_empties_index(loaded):
    loaded.clear()
    assert loaded.count() == 0
    assert loaded.search(SearchQuery(text="白血病")).total == 0


def test_backend_reports_healthy(loaded, corpus):
    health = loaded.health()
    assert health.ok and health.doc_count == len(corpus)

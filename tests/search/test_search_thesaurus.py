"""The domain thesaurus: its file format, expansion, pinyin, and how both backends apply it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from search.analysis import segment
from search.documents import SearchDocument, SearchQuery
from search.query_plan import plan_query
from search.thesaurus import MAX_ALTERNATIVES, Thesaurus, get_thesaurus, pinyin_keys

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_synonyms_find_each_other_and_broader_finds_narrower_only():
    thesaurus = Thesaurus("车祸 = 交通事故\n癌症 > 肺癌, 白血病\n白血病 = 血癌\n")
    assert thesaurus.expand("车祸") == ("交通事故",)
    assert thesaurus.expand("交通事故") == ("车祸",)
    # Narrower terms bring their synonyms; the narrower term never expands upward.
    assert set(thesaurus.expand("癌症")) == {"肺癌", "白血病", "血癌"}
    assert thesaurus.expand("肺癌") == ()
    assert thesaurus.expand("不在词表") == ()


def test_a_concept_token_stands_for_exactly_what_its_term_expands_to():
    thesaurus = get_thesaurus()
    checked = 0
    for word in thesaurus.terms:
        alternatives = thesaurus.expand(word)
        if not alternatives or len(alternatives) >= MAX_ALTERNATIVES - 1:
            continue  # a capped expansion is a prefix of the concept's terms
        token = thesaurus.query_token(word)
        written_beside = {t for t in thesaurus.terms if token in thesaurus.concepts(t)}
        assert written_beside == {word, *alternatives}, word
        checked += 1
    assert checked > 50
    assert thesaurus.query_token("肺癌") == "肺癌"  # expands to nothing: the word itself
    assert thesaurus.concept_text("车祸 的 车祸").split() == ["≈交通事故", "≈意外伤害"] * 2


def test_expanded_words_together_match_as_their_expansions_do(tmp_path):
    from search.embedded import EmbeddedBackend

    def doc(n, title):
        return SearchDocument(kind="need", id=str(n), title=title, body="", created_at=NOW)

    engine = EmbeddedBackend(tmp_path / "index")
    engine.rebuild([doc(1, "车祸 老年人"), doc(2, "交通事故 孤寡老人"), doc(3, "车祸"),
                    doc(4, "老人 火灾"), doc(5, "出车祸 老人")])
    try:
        ids = [h.id for h in engine.search(SearchQuery(text="车祸 老人")).hits]
        # Each word or one of its alternatives is required (出车祸 = 车祸, 孤寡老人 < 老人);
        # a document with neither word as typed ranks last.
        assert set(ids) == {"1", "2", "5"}
        assert ids[-1] == "2"
        plain = engine.search(SearchQuery(text="车祸 老人", expand=False)).hits
        assert [h.id for h in plain] == ["5"]  # 出车祸 also writes 车祸
    finally:
        engine.close()


def test_words_that_find_plenty_as_typed_are_asked_as_typed(tmp_path, monkeypatch):
    from search import embedded_queries
    from search.embedded import EmbeddedBackend

    def doc(n, title, kind="need"):
        return SearchDocument(kind=kind, id=str(n), title=title, body="", created_at=NOW)

    engine = EmbeddedBackend(tmp_path / "index")
    engine.rebuild([doc(1, "车祸 老人"), doc(2, "车祸 老人", "project"),
                    doc(3, "交通事故 老年人"), doc(4, "火灾")])
    try:
        query = SearchQuery(text="车祸 老人")
        expanded = engine.search(query)
        assert {h.id for h in expanded.hits} == {"1", "2", "3"}
        # As typed, the words are expected to find one document together (2/4 of the
        # index each): at a threshold of one, the alternatives (交通事故, 老年人) are left
        # out, in matching, counting and highlighting alike.
        monkeypatch.setattr(embedded_queries, "AS_TYPED_ENOUGH", 1)
        as_typed = engine.search(query)
        assert ({h.id for h in as_typed.hits}, as_typed.total) == ({"1", "2"}, 2)
        assert "交通事故" not in as_typed.hits[0].title_html
        # The filter keeps 3/4 of the index: too few are expected as typed, so the
        # alternatives are used again.
        filtered = engine.search(SearchQuery(text="车祸 老人", filters={"kind": "need"}))
        assert ({h.id for h in filtered.hits}, filtered.total) == ({"1", "3"}, 2)
    finally:
        engine.close()


def test_lines_sharing_a_term_are_one_synonym_set():
    thesaurus = Thesaurus("肾衰竭 = 尿毒症\n透析 = 肾衰竭\n")
    assert set(thesaurus.expand("透析")) == {"肾衰竭", "尿毒症"}


@pytest.mark.parametrize("text", ["车祸", "车祸 = ", "癌症 >", "a b = c"])
def test_malformed_lines_are_refused_with_their_number(text):
    with pytest.raises(ValueError, match="thesaurus"):
        Thesaurus(text)


def test_pinyin_keys_are_full_pinyin_and_initials():
    assert pinyin_keys("白血病") == ("baixuebing", "bxb")
    assert pinyin_keys("病") == ()
    assert pinyin_keys("abc") == ()


def test_pinyin_spells_terms_and_domain_place_names():
    thesaurus = get_thesaurus()
    assert "白血病" in thesaurus.expand("baixuebing")
    assert "白血病" in thesaurus.expand("bxb")
    assert "三十里铺镇" in thesaurus.expand("sanshilipuzhen")
    # Not pinyin-shaped: nothing.
    assert thesaurus.spelled("b") == ()


def test_shipped_thesaurus_covers_the_issue_examples():
    thesaurus = get_thesaurus()
    for asked, found in [("血癌", "白血病"), ("车祸", "交通事故"), ("着火", "火灾"),
                         ("肾衰竭", "尿毒症"), ("透析", "尿毒症"), ("癌症", "肺癌"),
                         ("学费", "助学"), ("上学", "教育救助"), ("独居老人", "老人")]:
        assert found in thesaurus.expand(asked), asked


def test_thesaurus_terms_are_single_segmenter_words():
    for term in ("血癌", "交通事故", "独居老人", "没钱上学"):
        assert segment(term) == [term]


def test_plain_plan_has_no_alternatives_and_expanded_plan_has():
    assert plan_query("血癌").expansions == ()
    plan = plan_query("血癌", expand=True)
    assert "白血病" in plan.alternatives(plan.units[0][0])
    assert "白血病" in plan.terms  # highlighted too


def _doc(doc_id: str, title: str, body: str = "") -> SearchDocument:
    return SearchDocument(kind="need", id=doc_id, title=title, body=body, created_at=NOW)


def test_embedded_backend_finds_synonyms_below_exact_matches(backend):
    backend.rebuild([
        _doc("1", "白血病患儿治疗费用", "化疗中"),
        _doc("2", "血癌患者求助", "骨髓移植"),
        _doc("3", "火灾后重建家园"),
    ])
    assert backend.search(SearchQuery(text="血癌", expand=False)).total == 1
    result = backend.search(SearchQuery(text="血癌"))
    assert [h.id for h in result.hits] == ["2", "1"]  # the word typed ranks first
    assert [h.id for h in backend.search(SearchQuery(text="白血病")).hits] == ["1", "2"]
    assert [h.id for h in backend.search(SearchQuery(text="着火")).hits] == ["3"]
    # Pinyin: the title that says 白血病 (its pinyin is indexed) first, the synonym after.
    assert [h.id for h in backend.search(SearchQuery(text="baixuebing")).hits] == ["1", "2"]
    assert [h.id for h in backend.search(SearchQuery(text="bxb")).hits] == ["1", "2"]
    assert backend.search(SearchQuery(text="huozai", expand=False)).total == 1


def test_elastic_backend_declares_the_synonym_graph_and_uses_it_below_exact_terms():
    from search.elastic import THESAURUS_ANALYZER, _text_query, index_settings

    analysis = index_settings()["analysis"]
    graph = analysis["filter"][analysis["analyzer"][THESAURUS_ANALYZER]["filter"][0]]
    assert graph["type"] == "synonym_graph"
    assert any(rule.startswith("车祸 => 车祸, 交通事故, ") for rule in graph["synonyms"])
    assert any(rule.startswith("baixuebing => baixuebing, 白血病") for rule in graph["synonyms"])

    query = _text_query(plan_query("车祸", expand=True))
    clause = query["bool"]["should"][0]["bool"]["should"]
    assert clause[0] == {"term": {"text_tokens": "车祸"}}
    assert clause[1]["match"]["text_tokens"]["analyzer"] == THESAURUS_ANALYZER
    assert clause[1]["match"]["text_tokens"]["boost"] < 1
    # Plain search: exact terms only.
    plain = _text_query(plan_query("车祸"))
    assert plain["bool"]["should"][0] == {"term": {"text_tokens": "车祸"}}


def test_fillers_are_left_out_of_expanded_queries_only():
    assert [u[0][0] for u in plan_query("得了血癌", expand=True).units] == ["血癌"]
    assert len(plan_query("得了血癌").units[0]) == 2  # plain: every word as typed


def test_a_misspelt_word_that_sounds_like_a_term_finds_the_term():
    plan = plan_query("白雪病", expand=True)
    assert plan.units == ((("白雪病",),),)
    assert plan.alternatives(("白雪病",))[0] == "白血病"
    # A real word is never "corrected", nor a word that sounds like no term.
    assert plan_query("心里", expand=True).expansions == ()
    assert plan_query("火宅", expand=True).expansions == ()


def test_elastic_query_names_a_misspelt_words_alternatives_itself():
    from search.elastic import _text_query

    clause = _text_query(plan_query("白雪病", expand=True))["bool"]["should"][0]["bool"]["should"]
    assert clause[0] == {"term": {"text_tokens": "白雪病"}}
    assert clause[1] == {"term": {"text_tokens": {"value": "白血病", "boost": 0.3}}}


@pytest.mark.parametrize("typed,first", [("白血", "白血病"), ("baix", "白血病"), ("bxb", "白血病"),
                                         ("liangcun", "梁村镇"), ("jiaot", "交通事故")])
def test_completions_from_chinese_and_pinyin_prefixes(typed, first):
    from search.suggest import complete_terms

    found = complete_terms(typed)
    assert found[0] == first
    assert "白血" not in found and "梁村" not in found  # sub-words of a longer completion


def test_corrections_fix_homophones_inside_a_phrase():
    from search.suggest import corrections

    assert corrections("梁村镇白雪病") == ["梁村镇白血病"]
    assert corrections("白血病") == []

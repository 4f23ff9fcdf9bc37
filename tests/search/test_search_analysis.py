"""Chinese analysis: normalisation, domain words, search-mode segmentation and query plans."""

from __future__ import annotations

import pytest

from search import analysis, query_plan, segmenter
from search import normalize as normalization
from search.analysis import analyze
from search.normalize import normalize
from search.query_plan import analyze_query, plan_query


def test_normalize_folds_full_width_and_case():
    assert normalize("ＡＢＣ１２３　低保") == "abc123 低保"


def test_normalize_strips_zero_width_characters():
    assert normalize("白\u200b血\ufeff病") == "白血病"


def test_analyze_emits_subwords_of_long_words():
    tokens = analyze("确诊急性白血病")
    assert "白血病" in tokens and "白血" in tokens


def test_analyze_keeps_two_character_relief_words():
    tokens = analyze("申请低保和助学金，属于特困人员")
    assert {"低保", "助学", "特困"} <= set(tokens)


def test_analyze_uses_domain_dictionary_for_towns():
    tokens = analyze("家住三十里铺镇和梁村镇")
    assert {"三十里铺镇", "三十里铺", "梁村镇", "梁村"} <= set(tokens)


def test_analyze_drops_punctuation_and_spaces():
    assert analyze("，。！ ？…") == []


def test_analyze_normalises_full_width_letters():
    assert analyze("ＡＢＣ") == analyze("abc") == ["abc"]


def test_analyze_query_matches_index_tokens_for_the_same_word():
    assert set(analyze_query("白血病")) <= set(analyze("白血病"))


def test_plan_query_groups_long_word_with_its_subwords():
    plan = plan_query("白血病")
    assert plan.groups == (("白血病", "白血"),)
    assert plan.minimum_should_match == 1


def test_plan_query_requires_most_groups_for_long_queries():
    plan = plan_query("梁村 白血病 低保 助学 医疗救助 心理疏导 陪护就医 特困")
    assert len(plan.groups) == 8
    assert 3 <= plan.minimum_should_match < 8


def test_plan_query_ignores_syntax_characters_and_operators():
    plan = plan_query('"(白血病) AND 低保:*')
    assert [group[0] for group in plan.groups] == ["白血病", "低保"]


def test_plan_query_bounds_a_huge_query():
    plan = plan_query("尿毒症透析" * 2000)
    assert 0 < len(plan.groups) <= query_plan.MAX_QUERY_GROUPS


@pytest.mark.parametrize("text", ["", "   ", "，，", None])
def test_plan_query_empty_for_blank_text(text):
    assert plan_query(text).is_empty


def test_analysis_engines_agree_on_domain_sentences():
    pytest.importorskip("rjieba")
    entries = segmenter._read_domain_dict()
    fast, reference = segmenter._RJieba(entries), segmenter._PyJieba(entries)
    sentences = [
        "申请人家住梁村镇，因患急性白血病住院治疗，家庭因病致贫，申请临时救助和医疗救助。",
        "鱼丘湖街道低保户子女考上大学，需要助学帮扶，另需心理疏导和陪护就医志愿服务。",
        "尿毒症患者每周血液透析三次，恶性肿瘤术后化疗，脑出血后偏瘫需要康复。",
        "高唐经济开发区企业设立救急难公益基金，面向三十里铺镇、琉璃寺镇特困人员。",
    ]
    for sentence in sentences:
        text = normalize(sentence)
        assert fast.cut(text) == reference.cut(text)


def _reference_normalize(text):
    import unicodedata

    return unicodedata.normalize("NFKC", text.translate(normalization._INVISIBLE)).lower()


def test_normalize_equals_nfkc_on_tricky_text():
    import random

    rng = random.Random(6)
    # Composing marks after ASCII and CJK, Hangul jamo, compatibility forms, invisibles.
    pool = list(
        "aEＡ１，。、（）…½ﬁ①㈱가白血病\u3000\u0301\u0308\u0327\u1100\u1161\u11a8\u200b\ufeff"
    )
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert normalize(text) == _reference_normalize(text), repr(text)


def test_index_text_equals_joined_analyze():
    texts = [
        "申请人家住梁村镇，因患急性白血病住院治疗（已花费１２万元）！",
        "ＡＢＣ abc 低保、助学；心理疏导：陪护就医？",
        "白\u200b血\ufeff病 e\u0301 ½",
        "",
    ]
    for text in texts:
        assert analysis.index_text(text) == " ".join(analyze(text))


def test_plan_query_expands_only_domain_subwords():
    groups = {g[0]: g[1:] for g in plan_query("白血病 医疗救助").groups}
    assert "白血" in groups["白血病"]
    assert "救助" not in groups["医疗救助"] and "医疗" not in groups["医疗救助"]


def test_plan_query_keeps_a_typed_word_cut_into_pieces_as_one_unit():
    # 转介服务 is not one dictionary word; the user still typed it as one word.
    plan = plan_query("老人 转介服务")
    assert len(plan.units) == 2 and plan.minimum_should_match == 2
    assert [g[0] for g in plan.units[1]] == analysis.segment("转介服务")


def test_plan_query_keeps_unknown_single_characters_together_in_a_sentence():
    plan = plan_query("我家孩子得了白血病需要医疗救助和心理疏导住在陈唐屯")
    units = [tuple(g[0] for g in unit) for unit in plan.units]
    assert ("陈", "唐", "屯") in units
    assert ("白血病",) in units and ("医疗救助",) in units
    assert plan.minimum_should_match < len(plan.units)


def test_plan_query_separates_units_at_punctuation():
    assert len(plan_query("白血病，助学").units) == 2


def test_plan_query_relaxed_asks_a_long_query_for_half_of_its_words():
    text = "梁村 白血病 低保 助学 医疗救助 心理疏导 陪护就医 特困"
    strict, relaxed = plan_query(text), plan_query(text, relaxed=True)
    assert (strict.minimum_should_match, relaxed.minimum_should_match) == (6, 4)
    assert query_plan.can_relax(strict)
    # Short queries need every word either way: nothing to relax.
    assert plan_query("白血病 低保", relaxed=True).minimum_should_match == 2
    assert not query_plan.can_relax(plan_query("白血病 低保 助学"))

"""The matcher's text features use the search thesaurus (applied where records are built)."""
from __future__ import annotations

from webapp.services.matching.records import _text_tokens


def test_need_and_listing_in_different_words_share_the_canonical_term():
    need = _text_tokens("家中主要劳动力遭遇车祸致重伤")
    project = _text_tokens("对遭遇交通事故且无力承担医疗费用的家庭提供援助")
    assert "交通事故" in set(need) & set(project)
    assert "车祸" in need and "车祸" not in project  # the words as written stay


def test_text_without_thesaurus_words_is_unchanged():
    from search.analysis import analyze
    assert _text_tokens("梁村镇种植养殖") == tuple(analyze("梁村镇种植养殖"))

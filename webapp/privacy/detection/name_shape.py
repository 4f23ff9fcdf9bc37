"""What a Chinese personal name looks like, shared by the name detectors.

Surname lookup, the characters that never start or continue a given name, where a name may
end, and the checks that tell a name from a role, a place or an ordinary word: one or two
surname characters then one or two given-name characters, cut on jieba's dictionary where it
knows a word. Pure Python, no Flask imports.
"""

from __future__ import annotations

import re

from webapp.privacy.detection.lexicon import (
    ADDRESS_TERMS,
    ADMIN_AREAS,
    COMPOUND_SURNAMES,
    JIEBA_NR_COMMON_WORDS,
    NAME_ALLOW,
    NAME_FOLLOWERS,
    NAME_TITLES,
    SURNAMES,
)
from webapp.privacy.detection.spans import is_han
from webapp.privacy.detection.tagging import vocab_tag as _vocab_tag

_PLACE_CHARS = frozenset("村镇县市省区街路院局委会所站科室庄屯乡厂校队组")
_ORG_NEXT = ("医院", "银行", "公司", "集团", "大学", "学校", "中学", "小学", "卫生", "药店", "超市",
             "诊所", "酒店", "饭店", "商店", "工厂", "厂", "路", "街", "大道")
_PLACE_NEXT = frozenset("村庄镇屯乡县街路寨集营铺店楼桥湾洼沟市省区")
# The first given-name character is never one of these.
_HARD_STOP = frozenset("的是在了和与及因于被把对从向为也都就又还已将要会能可等之其某，。、；：！？ ")


def _surname_length(text: str, pos: int) -> int:
    if text[pos:pos + 2] in COMPOUND_SURNAMES:
        return 2
    if pos < len(text) and text[pos] in SURNAMES:
        return 1
    return 0


_SEP_CHARS = " ·_*-"
_GLUED_FUNCTION = frozenset("于在是把被将到给向从对")


def _skip_sep(text: str, i: int) -> int:
    j = i
    while j < len(text) and j - i < 2 and text[j] in _SEP_CHARS:
        j += 1
    return j


def _at_boundary(text: str, i: int) -> bool:
    """Whether a name may end right before position i."""
    if i >= len(text) or not is_han(text[i]):
        return True
    return text[i] in NAME_FOLLOWERS or text.startswith(NAME_TITLES, i)


def _closes_name(text: str, i: int) -> bool:
    """Whether text[i] is a given-name character that ends a name."""
    return (i < len(text) and is_han(text[i]) and text[i] not in NAME_FOLLOWERS
            and text[i] not in _HARD_STOP and _at_boundary(text, i + 1))


def _extend_given(text: str, pos: int, end: int, sl: int,
                  tokens: dict[int, tuple[str, str]]) -> int:
    """Grow a name jieba cut short (殷军 / 梓) by one following single-character token."""
    if end - pos - sl != 1:
        return end
    i = _skip_sep(text, end)
    nxt = tokens.get(i)
    if (nxt is not None and len(nxt[0]) == 1 and is_han(nxt[0])
            and nxt[0] not in NAME_FOLLOWERS and nxt[0] not in _HARD_STOP):
        return i + 1
    # jieba glues the last given-name character to a following preposition (韦春 / 来于).
    if (nxt is not None and len(nxt[0]) == 2 and nxt[0][1] in _GLUED_FUNCTION
            and is_han(nxt[0][0]) and nxt[0][0] not in _HARD_STOP):
        return i + 1
    return end


# A preposition-like surname (于, 向, 和 …) followed by a demonstrative or time word starts a
# phrase (于本周, 向今年), not a name.
_PREPOSITION_SURNAMES = frozenset("于向和时常经由将")
_PHRASE_SECOND = frozenset("本今明昨当该此这那次上下去前后每其全各")


_AREA_INSIDE = re.compile("|".join(sorted((re.escape(a) for a in ADMIN_AREAS if len(a) >= 2),
                                          key=len, reverse=True)))
_AREA_START = re.compile("|".join(sorted((re.escape(a) for a in ADMIN_AREAS if len(a) >= 3),
                                         key=len, reverse=True)))


def _inner_place_or_phrase(word: str) -> bool:
    if word[0] in _PREPOSITION_SURNAMES and len(word) > 1 and word[1] in _PHRASE_SECOND:
        return True
    return _AREA_INSIDE.search(word, 1) is not None


def _looks_like_name(word: str, following: str) -> bool:
    if not 2 <= len(word) <= 4 or not all(map(is_han, word)):
        return False
    if word in NAME_ALLOW or word in ADMIN_AREAS or word[1:] in NAME_ALLOW:
        return False
    if word in JIEBA_NR_COMMON_WORDS or _inner_place_or_phrase(word):
        return False
    sl = _surname_length(word, 0)
    if not sl or any(ch in _PLACE_CHARS for ch in word[1:]):
        return False
    if len(word) == 4 and sl == 1:
        return False  # four characters with a one-character surname: an idiom (由东向西)
    if len(word) == 2 and word[1] in ADDRESS_TERMS:
        return False  # 王哥, 李姐: a form of address, not a name
    return not following.startswith(_ORG_NEXT) and (not following or following[0] not in _PLACE_NEXT)


_WEAK_NAME_TAGS = ("p", "c", "u", "d", "m", "f", "q", "r", "t", "v", "y", "e", "o")


def _token_is_word(word: str) -> bool:
    """Whether jieba knows word as an ordinary (not name-like) word."""
    tag = _vocab_tag(word)
    return tag is not None and tag.startswith(_WEAK_NAME_TAGS)


def _name_candidate(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] can be a Han name: surname first, two to four ideographs."""
    if start < 0 or end > len(text) or not 2 <= end - start <= 4:
        return False
    word = text[start:end]
    sl = _surname_length(word, 0)
    if not sl or (len(word) == 4 and sl == 1) or len(word) <= sl:
        return False
    given = word[sl:]
    if (given[0] in _HARD_STOP or given[0] in NAME_FOLLOWERS or not all(map(is_han, word))
            or any(ch in _PLACE_CHARS for ch in given)):
        return False
    if len(word) == 2 and word[1] in ADDRESS_TERMS:
        return False
    if word in NAME_ALLOW or word in ADMIN_AREAS or word in JIEBA_NR_COMMON_WORDS:
        return False
    return not (_inner_place_or_phrase(word) or _AREA_START.match(text, start))

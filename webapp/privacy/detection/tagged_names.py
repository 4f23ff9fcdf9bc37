"""Name detectors that read jieba's part-of-speech tags (the tagging itself is in tagging.py).

Tokens jieba tags as person names (nr), filtered by surname and allow-list checks; names
written right before a title (王建国同志); and names jieba cut into a lone surname and an
ordinary word (刘 / 玉山) or into a word and a lone character (樊建 / 伟).
Pure Python, no Flask imports.
"""

from __future__ import annotations

from webapp.privacy.detection.lexicon import (
    COMPOUND_SURNAMES,
    NAME_ALLOW,
    NAME_FOLLOWERS,
    NAME_TITLES,
    SURNAMES,
)
from webapp.privacy.detection.name_shape import (
    _HARD_STOP,
    _PLACE_NEXT,
    _WEAK_NAME_TAGS,
    _at_boundary,
    _extend_given,
    _looks_like_name,
    _name_candidate,
    _surname_length,
    _token_is_word,
)
from webapp.privacy.detection.spans import NAME, Span, is_han
from webapp.privacy.detection.tagging import vocab_tag as _vocab_tag

# Surname characters that also close a noun as a suffix (肇事方 "the party at fault").
PARTY_SUFFIXES = frozenset("方")


def _surname_ends_word(text: str, pos: int) -> bool:
    """Whether the "surname" at ``pos`` is really the last character of the word before it
    (肇事方 / 院方 / 对方 + 无力…), so what follows is no name."""
    for k in (2, 1):
        if pos - k >= 0:
            word = text[pos - k:pos + 1]
            if all(map(is_han, word)) and _token_is_word(word):
                return True
    return False


def _tagger_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    spans = []
    tokens = {pos: (word, flag) for pos, word, flag in tagged}
    i = 0
    while i < len(tagged):
        pos, word, flag = tagged[i]
        if not flag.startswith("nr"):
            i += 1
            continue
        j = i + 1
        # jieba often splits a name into nr pieces: 陈 / 美玲.
        while (j < len(tagged) and tagged[j][2].startswith("nr")
               and len(word) + len(tagged[j][1]) <= 4 and len(word) == 1):
            word += tagged[j][1]
            j += 1
        following = text[pos + len(word):pos + len(word) + 2]
        if _looks_like_name(word, following) and not _surname_ends_word(text, pos):
            end = _extend_given(text, pos, pos + len(word), _surname_length(word, 0), tokens)
            spans.append(Span(pos, end, NAME, text[pos:end], 0.6))
        i = j
    return spans


def _title_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    """Names written right before a title (王建国同志, 司马红英大娘, 丁文静护士): the
    longest run of one or two whole tokens before the title that reads as a name."""
    spans = []
    for k, (pos, word, _flag) in enumerate(tagged):
        if not text.startswith(NAME_TITLES, pos) or k == 0:
            continue
        for n in (2, 1):
            if k - n < 0:
                continue
            parts = tagged[k - n:k]
            start = parts[0][0]
            if not _name_candidate(text, start, pos):
                continue
            if any(w in NAME_ALLOW or (len(w) > 1 and not w.startswith(tuple(SURNAMES))
                                       and _token_is_word(w) and not f.startswith("nr"))
                   for _, w, f in parts):
                continue
            spans.append(Span(start, pos, NAME, text[start:pos], 0.7))
            break
    return spans


def _split_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    """Names jieba cut into a lone surname and an ordinary word (刘 / 玉山, 段 / 国庆):
    a surname standing as a token of its own, one or two given-name characters, then the
    end of the name (punctuation, a title, a verb or another multi-character word)."""
    spans = []
    for k in range(len(tagged) - 1):
        pos, word, flag = tagged[k]
        if not (len(word) == 1 and word in SURNAMES or word in COMPOUND_SURNAMES):
            continue
        if flag.startswith(("p", "c", "u", "d", "m", "f")):
            continue  # 于 / 和 / 向 used as a preposition or a conjunction
        if k > 0 and tagged[k - 1][2].startswith("m") and is_han(tagged[k - 1][1][-1]):
            continue  # 一段, 三马: a measure word after a numeral
        if word in PARTY_SUFFIXES and k > 0 and tagged[k - 1][0] + len(tagged[k - 1][1]) == pos \
                and is_han(tagged[k - 1][1][-1]):
            continue  # 肇事方 / 医院方 / 用人单位方: 方 closes the word before it ("party")
        gpos, given, gflag = tagged[k + 1]
        end = gpos + len(given)
        if gpos != pos + len(word) or not 1 <= len(given) <= 2:
            continue
        if (gflag.startswith(("p", "c", "u", "m", "x")) or gflag == "v"
                or not _name_candidate(text, pos, end)):
            continue
        if not _at_boundary(text, end) and not (
                k + 2 < len(tagged) and len(tagged[k + 2][1]) >= 2):
            continue
        spans.append(Span(pos, end, NAME, text[pos:end], 0.65))
    # ...or into a two-character place-like or unknown word and a lone character
    # (樊建 / 伟, 黎梓 / 涵).
    for k in range(len(tagged) - 1):
        pos, word, flag = tagged[k]
        if len(word) != 2 or word[0] not in SURNAMES:
            continue
        if not (flag.startswith(("ns", "nz", "nr")) or _vocab_tag(word) is None):
            continue
        gpos, given, gflag = tagged[k + 1]
        end = gpos + 1
        if (gpos != pos + 2 or len(given) != 1 or given in _PLACE_NEXT
                or given in NAME_FOLLOWERS or given in _HARD_STOP
                or gflag.startswith(_WEAK_NAME_TAGS) or not _name_candidate(text, pos, end)):
            continue
        if _at_boundary(text, end) or (k + 2 < len(tagged) and len(tagged[k + 2][1]) >= 2):
            spans.append(Span(pos, end, NAME, text[pos:end], 0.6))
    return spans

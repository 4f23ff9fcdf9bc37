"""Completions as people type, and "did you mean" for queries that found nothing.

Terms come from the thesaurus and the domain dictionary (illnesses, relief words, towns):
a prefix in Chinese (白血 → 白血病) or in pinyin, full or initials (baix, bxb → 白血病) completes
to them. Titles come from the backend's top hits for the completed text (see
:func:`search.embedded_search.top_titles`), so they cost one ranked top-k search.
"""

from __future__ import annotations

import bisect
import functools
import re

from .analysis import segment
from .backend import SearchBackend, SearchError
from .normalize import normalize
from .segmenter import domain_words
from .thesaurus import Thesaurus, get_thesaurus, is_han, pinyin_keys

__all__ = ["MAX_PREFIX_CHARS", "MAX_SUGGESTIONS", "complete_terms", "corrections", "suggestions"]

MAX_PREFIX_CHARS = 40
MAX_SUGGESTIONS = 8
TERM_SUGGESTIONS = 4
MIN_TITLE_CHARS = 2
MIN_TITLE_LETTERS = 3
# Completions looked at before the shortest are kept: prefixes of a few letters match many.
_SCAN = 64
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _keys() -> tuple[list[str], list[str]]:
    """(sorted keys, the term of each key): every term under itself and its pinyin."""
    thesaurus = get_thesaurus()
    terms = dict.fromkeys([*thesaurus.terms, *domain_words()])
    pairs = set()
    for term in terms:
        if len(term) < 2:
            continue
        pairs.add((normalize(term), term))
        for key in pinyin_keys(term):
            pairs.add((key, term))
    ordered = sorted(pairs)
    return [k for k, _ in ordered], [t for _, t in ordered]


def complete_terms(prefix: str, limit: int = 5) -> list[str]:
    """Terms that ``prefix`` (Chinese or pinyin, spaces ignored) begins, shortest first."""
    key = _SPACES.sub("", normalize(prefix or ""))[:MAX_PREFIX_CHARS]
    if not key:
        return []
    keys, terms = _keys()
    start = bisect.bisect_left(keys, key)
    found: dict[str, None] = {}
    for index in range(start, min(start + _SCAN, len(keys))):
        if not keys[index].startswith(key):
            break
        found[terms[index]] = None
    # A domain sub-word (白血, 梁村) is no completion beside the word it begins (白血病, 梁村镇).
    known = set(get_thesaurus().terms)
    kept = [t for t in found if t in known or not any(o != t and o.startswith(t) for o in found)]
    return sorted(kept, key=lambda t: (len(t), t != key))[:limit]


def suggestions(backend: SearchBackend, text: str, limit: int = MAX_SUGGESTIONS) -> list[tuple[str, str]]:
    """(text, kind) completions of ``text``: thesaurus and place terms it begins, in Chinese
    or pinyin (kind ``term``), then titles of the best matches of the first completion, or
    of ``text`` itself (kind ``title``). Titles are left out when the engine is down."""
    text = (text or "").strip()[:MAX_PREFIX_CHARS]
    if not text:
        return []
    terms = [t for t in complete_terms(text, TERM_SUGGESTIONS + 1) if t != text]
    out = [(t, "term") for t in terms[:TERM_SUGGESTIONS]]
    # Titles once the text says enough: a first character or letter matches too much to
    # rank usefully, and costs the most.
    asked = terms[0] if terms and text.isascii() else text
    titles: list[str] = []
    if len(asked) >= (MIN_TITLE_LETTERS if asked.isascii() else MIN_TITLE_CHARS):
        try:
            titles = backend.titles(asked, limit)
        except (SearchError, OSError):
            titles = []
    seen = {t for t, _ in out}
    for title in titles:
        if title not in seen:
            seen.add(title)
            out.append((title, "title"))
    return out[:limit]


def corrections(text: str) -> list[str]:
    """Queries near ``text`` worth offering when it found nothing, nearest first.

    Words typed with the wrong characters but the right sound (梁村镇白雪病) become the
    terms their pinyin spells (梁村镇白血病); a pinyin word becomes the term it spells.
    """
    text = _SPACES.sub(" ", normalize(text or "")).strip()[: MAX_PREFIX_CHARS * 2]
    if not text:
        return []
    thesaurus = get_thesaurus()
    fixed = " ".join(_correct_chunk(chunk, thesaurus) for chunk in text.split(" "))
    return [fixed] if fixed != text else []


def _correct_chunk(chunk: str, thesaurus: Thesaurus) -> str:
    if chunk.isascii():
        return thesaurus.nearest(chunk) or chunk
    words = segment(chunk)
    out: list[str] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 3), i, -1):
            piece = "".join(words[i:j])
            term = thesaurus.sounds_like(piece) if is_han(piece) else None
            if term:
                out.append(term)
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return "".join(out)

"""Completions as people type, and "did you mean" for queries that found nothing.

Terms come from the thesaurus and the domain dictionary (illnesses, relief words, towns):
a prefix in Chinese (白血 → 白血病) or in pinyin, full or initials (baix, bxb → 白血病) completes
to them. Titles come from the backend's top hits for the completed text (see
:meth:`search.embedded.EmbeddedBackend.titles`), so they cost one ranked top-k search.
"""

from __future__ import annotations

import bisect
import functools
import re

from .analysis import domain_words, normalize, segment
from .thesaurus import get_thesaurus, is_han, pinyin_keys

__all__ = ["MAX_PREFIX_CHARS", "complete_terms", "corrections"]

MAX_PREFIX_CHARS = 40
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
    return sorted(found, key=lambda t: (len(t), t != key))[:limit]


def corrections(text: str) -> list[str]:
    """Queries near ``text`` worth offering when it found nothing, nearest first.

    A word typed with the wrong characters but the right sound (白雪病) becomes the term
    its pinyin spells (白血病); a pinyin word the same. The whole query is tried first,
    then word by word, keeping the words that have no correction.
    """
    text = _SPACES.sub(" ", normalize(text or "")).strip()[:MAX_PREFIX_CHARS * 2]
    if not text:
        return []
    thesaurus = get_thesaurus()
    out: list[str] = []
    whole = _sounds_like(text.replace(" ", ""), thesaurus)
    if whole and whole != text:
        out.append(whole)
    words = [w for chunk in text.split(" ") for w in _sound_chunks(chunk)]
    fixed = [_sounds_like(w, thesaurus) or w for w in words]
    if fixed != words:
        candidate = " ".join(fixed)
        if candidate not in out:
            out.append(candidate)
    return out


def _sound_chunks(chunk: str) -> list[str]:
    """A chunk as words to correct: Chinese runs whole (白雪病), else the segmenter's words."""
    if is_han(chunk) or chunk.isascii():
        return [chunk]
    return segment(chunk)


def _sounds_like(word: str, thesaurus) -> str | None:
    """The term spelled by ``word``'s pinyin (``word`` itself when already a term)."""
    if word.isascii():
        return thesaurus.nearest(word)
    keys = pinyin_keys(word)
    if not keys:
        return None
    term = thesaurus.nearest(keys[0])
    return None if term == word else term

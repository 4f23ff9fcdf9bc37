"""Chinese text analysis shared by indexing, querying and highlighting.

Every backend indexes the tokens produced here (joined by spaces) and queries with the
tokens produced here (through :mod:`search.query_plan`), so segmentation behaves the same in
the embedded engine, in Elasticsearch and in the benchmark baseline.

Text is normalised (:mod:`search.normalize`) and cut into words by the segmenter
(:mod:`search.segmenter`). Index-time analysis is "search mode": every dictionary word
contained in a longer word is emitted too, so 白血病 also yields 白血 and 三十里铺镇 also
yields 三十里铺.
"""

from __future__ import annotations

import functools
import re

from .normalize import normalize
from .segmenter import get_segmenter

__all__ = ["MAX_TOKEN_CHARS", "analyze", "index_text", "segment", "word_tokens"]

_HAS_WORD_CHAR = re.compile(r"\w")
# Longer tokens are junk (pasted hashes, repeated letters) and only bloat the term dictionary.
MAX_TOKEN_CHARS = 32


def _keep(token: str) -> bool:
    return not token.isspace() and _HAS_WORD_CHAR.search(token) is not None


@functools.lru_cache(maxsize=200_000)
def word_tokens(word: str) -> tuple[str, ...]:
    """Dictionary words strictly inside ``word``, then ``word`` itself (search mode)."""
    if len(word) > MAX_TOKEN_CHARS:
        return (word[:MAX_TOKEN_CHARS],)
    if len(word) < 3 or word.isascii():
        return (word,)
    has_word = get_segmenter().has_word
    found = []
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if has_word(part):
                found.append(part)
    found.append(word)
    return tuple(dict.fromkeys(found))


def segment(text: str) -> list[str]:
    """Cut normalised text into words, dropping whitespace and punctuation."""
    return [w for w in get_segmenter().cut(text) if w.isalnum() or _keep(w)]


def analyze(text: str) -> list[str]:
    """Index-time tokens of ``text``: normalised, segmented, in search mode."""
    if not text:
        return []
    tokens: list[str] = []
    extend = tokens.extend
    for word in get_segmenter().cut(normalize(text)):
        if word.isalnum() or _keep(word):
            extend(word_tokens(word))
    return tokens


class _IndexTokens(dict[str, str]):
    """Word -> its index tokens joined by spaces ("" for punctuation), filled on first use.

    Indexing looks up every word of every document; a plain dict lookup is several times
    cheaper than the filter and ``word_tokens`` calls of :func:`analyze`, which it mirrors.
    """

    max_size = 500_000

    def __missing__(self, word: str) -> str:
        value = " ".join(word_tokens(word)) if word.isalnum() or _keep(word) else ""
        if len(self) >= self.max_size:
            self.clear()
        self[word] = value
        return value


_index_tokens = _IndexTokens()


def index_text(text: str) -> str:
    """The tokens of :func:`analyze` joined by single spaces, ready for a whitespace tokenizer."""
    if not text:
        return ""
    words = get_segmenter().cut(normalize(text))
    return " ".join(filter(None, map(_index_tokens.__getitem__, words)))


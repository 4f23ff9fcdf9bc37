"""Query-term highlighting on the original (stored) text, shared by every backend.

Engines only see our pre-analysed tokens, so their own highlighters would mark the
space-joined token stream rather than the text people read. We find the query tokens in the
normalised text instead, map the matches back to the original characters, and return HTML:
matches wrapped in ``<mark>``, everything else escaped.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence

from .normalize import normalize

__all__ = ["highlight", "snippet"]

_ELLIPSIS = "…"


def _normalize_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """Normalise char by char, remembering for each output char the index of its source char."""
    if text.isascii():
        return text.lower(), range(len(text))
    norm = normalize(text)
    if len(norm) == len(text):
        # The usual case (full-width folding, case): one output char per input char.
        return norm, range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        norm = normalize(char) if not char.isascii() else char.lower()
        out.append(norm)
        origin.extend([index] * len(norm))
    return "".join(out), origin


@functools.lru_cache(maxsize=1024)
def _longest_first(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct non-empty ``terms``, longest first."""
    return tuple(sorted({t for t in terms if t}, key=len, reverse=True))


def _matches(norm: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of ``terms`` (longest first) in ``norm``: from left to
    right, the longest term at each start, as ``re.finditer`` of their alternation finds.

    Each term is looked for with ``str.find`` rather than in one compiled regular
    expression: an expanded query has up to a few dozen alternatives, and compiling their
    alternation cost about 1.6 ms per distinct query, more than ranking it (profiled at
    200,000 documents), while most of them occur in no hit at all.
    """
    longest: dict[int, int] = {}
    for term in terms:
        start = norm.find(term)
        while start != -1:
            longest.setdefault(start, len(term))  # longest first: the first is the longest
            start = norm.find(term, start + 1)
    found: list[tuple[int, int]] = []
    end = 0
    for start in sorted(longest):
        if start >= end:
            end = start + longest[start]
            found.append((start, end))
    return found


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans in ``text`` where query terms occur."""
    ordered = _longest_first(tuple(terms))
    if not ordered or not text:
        return []
    norm, origin = _normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for match_start, match_end in _matches(norm, ordered):
        start = origin[match_start]
        end = origin[match_end - 1] + 1
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def _render(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> str:
    parts = []
    cursor = lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        parts.append(html.escape(text[cursor:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    parts.append(html.escape(text[cursor:hi]))
    return "".join(parts)


def highlight(text: str, terms: Iterable[str]) -> str:
    """Return all of ``text`` as escaped HTML with every query term in ``<mark>``."""
    return _render(text, _spans(text, terms), 0, len(text))


def snippet(text: str, terms: Iterable[str], *, max_chars: int = 120) -> str:
    """Return an escaped HTML window of ``text`` around the densest run of query terms."""
    text = text or ""
    spans = _spans(text, terms)
    if len(text) <= max_chars:
        return _render(text, spans, 0, len(text))
    lo = 0
    if spans:
        # Pick the window start (at a match) that covers the most matches.
        best, best_count, j = 0, 0, 0
        for i, (start, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= start + max_chars:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        # Leave a little left context so the first mark is not glued to the edge.
        lo = max(0, min(spans[best][0] - max_chars // 6, len(text) - max_chars))
    hi = min(len(text), lo + max_chars)
    rendered = _render(text, spans, lo, hi)
    return f"{_ELLIPSIS if lo > 0 else ''}{rendered}{_ELLIPSIS if hi < len(text) else ''}"

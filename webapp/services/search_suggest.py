"""Suggestions as people type, and "did you mean" for a query that found nothing."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from search.analysis import plan_query
from search.backend import SearchBackend, SearchError
from search.documents import SearchQuery
from search.suggest import MAX_PREFIX_CHARS, complete_terms, corrections

log = logging.getLogger(__name__)
MAX_SUGGESTIONS = 8
TERM_SUGGESTIONS = 4
# "Did you mean" asks the engine about at most this many candidates.
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "term" (thesaurus, place or domain word) or "title"


def suggest(backend: SearchBackend, text: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Completions of ``text``: thesaurus and place terms it begins (in Chinese or pinyin),
    then titles of the best matches of the first completion (or of ``text`` itself).

    Titles are left out, not an error, when the engine is down.
    """
    text = (text or "").strip()[:MAX_PREFIX_CHARS]
    if not text:
        return []
    terms = [t for t in complete_terms(text, TERM_SUGGESTIONS + 1) if t != text]
    out = [Suggestion(t, "term") for t in terms[:TERM_SUGGESTIONS]]
    try:
        titles = backend.titles(terms[0] if terms and text.isascii() else text, limit)
    except (SearchError, OSError):
        titles = []
    seen = {s.text for s in out}
    for title in titles:
        if title not in seen and len(out) < limit:
            seen.add(title)
            out.append(Suggestion(title, "title"))
    return out[:limit]


def did_you_mean(backend: SearchBackend, query: SearchQuery) -> str | None:
    """A query near ``query.text`` that finds something, when ``query`` found nothing.

    First what the words sound like (a homophone typo, 白雪病 → 白血病), then the query
    with fewer words (each word alone, in the order typed). None if none finds anything.
    """
    candidates = list(corrections(query.text))
    plan = plan_query(query.text)
    if len(plan.units) > 1:
        candidates.extend("".join(group[0] for group in unit) for unit in plan.units)
    for candidate in list(dict.fromkeys(candidates))[:MAX_CANDIDATES]:
        if candidate == query.text:
            continue
        try:
            probe = SearchQuery(text=candidate, filters=query.filters, per_page=1)
            if backend.search(probe).total:
                return candidate
        except (SearchError, OSError):
            return None
    return None

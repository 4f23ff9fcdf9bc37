"""Suggestions as people type, and "did you mean" for a query that found nothing."""
from __future__ import annotations

from dataclasses import dataclass

from search.backend import SearchBackend, SearchError
from search.documents import SearchQuery
from search.query_plan import plan_query
from search.suggest import MAX_SUGGESTIONS, corrections, suggestions

# "Did you mean" asks the engine about at most this many candidates.
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "term" (thesaurus, place or domain word) or "title"


def suggest(backend: SearchBackend, text: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Completions of ``text`` (see :func:`search.suggest.suggestions`)."""
    return [Suggestion(t, kind) for t, kind in suggestions(backend, text, limit)]


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

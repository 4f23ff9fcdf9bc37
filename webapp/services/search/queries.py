"""Answering a search: the engine when it is up, else a database query over the same
public records (published need cards, listed help sources), with the same filters and facets.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from search.backend import SearchBackend, SearchError
from search.documents import Hit, SearchDocument, SearchQuery, SearchResult, Sort
from search.query_plan import can_relax, plan_query
from webapp.models import NeedCard, NeedStatus
from webapp.models.resources import LISTING_MODELS, ListingStatus
from webapp.services.need_account import need_accounts
from webapp.services.search import suggest as search_suggest
from webapp.services.search.documents import NEED, TownNames, listing_document, need_document

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
FACETS = ("kind", "category", "town", "urgency")
SNIPPET_CHARS = 120


@dataclass(frozen=True)
class SearchOutcome:
    """A page of results; whether it came from the database because the engine was down,
    whether a long query was relaxed to half of its words because as typed it found nothing,
    and, when nothing was found, a nearby query that finds something ("did you mean")."""

    result: SearchResult
    fallback: bool = False
    relaxed: bool = False
    did_you_mean: str | None = None


def make_query(*, text: str = "", kind: str | None = None, category: str | None = None,
               town: str | None = None, urgency: int | None = None, sort: Sort = "relevance",
               page: int = 1, per_page: int = 10) -> SearchQuery:
    """A query with the standard facets; text is cut to ``MAX_QUERY_CHARS``."""
    filters = {name: value for name, value in (("kind", kind), ("category", category),
                                               ("town", town), ("urgency", urgency))
               if value not in (None, "")}
    return SearchQuery(text=(text or "")[:MAX_QUERY_CHARS].strip(), filters=filters,
                       facets=FACETS, sort=sort, page=page, per_page=per_page)


def run_search(session: Session, backend: SearchBackend, query: SearchQuery) -> SearchOutcome:
    """Ask the engine; if it is unavailable, answer from the database instead.

    A long query (a sentence, say) that matches nothing is asked again for half of its words,
    and the outcome says so, rather than leaving the user with an empty page.
    """
    try:
        result, relaxed = backend.search(query), False
        if result.total == 0 and not query.relaxed and can_relax(plan_query(query.text)):
            result, relaxed = backend.search(replace(query, relaxed=True)), True
        if result.total == 0 and query.text:
            return SearchOutcome(result, relaxed=relaxed,
                                 did_you_mean=search_suggest.did_you_mean(backend, query))
        return SearchOutcome(result, relaxed=relaxed)
    except (SearchError, OSError) as exc:
        log.warning("search engine unavailable (%s); answering from the database",
                    type(exc).__name__)
        return SearchOutcome(database_search(session, query), fallback=True)


# ---- the database fallback ----------------------------------------------------------------

def _terms(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in re.split(r"\s+", text) if t))[:MAX_TERMS]


def _matches(column_pairs: Sequence[InstrumentedAttribute[str]], terms: list[str]
             ) -> list[ColumnElement[bool]]:
    return [or_(*(col.contains(term, autoescape=True) for col in column_pairs))
            for term in terms]


def _candidates(session: Session, terms: list[str], kinds: Sequence[str] | None
                ) -> list[SearchDocument]:
    towns = TownNames(session)
    docs: list[SearchDocument] = []
    if not kinds or NEED in kinds:
        stmt = select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED,
                                      *_matches((NeedCard.title, NeedCard.story), terms))
        cards = list(session.scalars(stmt))
        accounts = need_accounts(session, cards)
        for card in cards:
            need = need_document(card, towns, accounts[card.id])
            if need is not None:  # always: only published cards were read
                docs.append(need)
    for kind, model in LISTING_MODELS.items():
        if kinds and kind.value not in kinds:
            continue
        listed = select(model).where(model.status == ListingStatus.LISTED,
                                     *_matches((model.title, model.description), terms))
        for listing in session.scalars(listed):
            doc = listing_document(listing, towns)
            if doc is not None:  # always: only listed ones were read
                docs.append(doc)
    return docs


def _value_of(doc: SearchDocument, name: str) -> tuple[str | int, ...]:
    if name == "category":
        return doc.all_categories
    value = getattr(doc, name)
    return () if value is None else (value,)


def _keep(doc: SearchDocument, filters: Mapping[str, Any]) -> bool:
    for name, values in filters.items():
        if name == "urgency_min":
            if doc.urgency is None or doc.urgency < values[0]:
                return False
        elif not set(_value_of(doc, name)) & set(values):
            return False
    return True


def _mark(text: str, terms: list[str]) -> Markup:
    """Escape ``text`` and wrap each literal occurrence of a term in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)),
                         re.IGNORECASE)
    out: list[Markup] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _snippet(body: str, terms: list[str]) -> str:
    lowered = body.lower()
    first = min((p for p in (lowered.find(t.lower()) for t in terms) if p >= 0), default=0)
    start = max(first - SNIPPET_CHARS // 3, 0)
    piece = body[start:start + SNIPPET_CHARS]
    text = str(_mark(piece, terms))
    return ("…" if start else "") + text + ("…" if start + SNIPPET_CHARS < len(body) else "")


def _order(docs: list[SearchDocument], sort: str) -> list[SearchDocument]:
    newest = sorted(docs, key=lambda d: d.created_at, reverse=True)
    if sort == "newest":
        return newest
    return sorted(newest, key=lambda d: -(d.urgency or 0))


def database_search(session: Session, query: SearchQuery) -> SearchResult:
    """The query answered with LIKE over public titles and texts (no ranking, same facets)."""
    terms = _terms(query.text)
    docs = _candidates(session, terms, query.filters.get("kind"))
    matched = _order([d for d in docs if _keep(d, query.filters)], query.sort)
    facets: dict[str, list[tuple[str | int, int]]] = {}
    for name in query.facets:  # counted over all matches, as the engines do
        counts = Counter(value for doc in matched for value in _value_of(doc, name))
        facets[name] = sorted(counts.items(), key=lambda vc: (-vc[1], str(vc[0])))
    page = matched[query.offset:query.offset + query.per_page]
    hits = [Hit(kind=d.kind, id=d.id, title=d.title, title_html=str(_mark(d.title, terms)),
                snippet=_snippet(d.body, terms), score=0.0, document=d) for d in page]
    return SearchResult(total=len(matched), hits=hits, facets=facets, page=query.page,
                        per_page=query.per_page)

"""How the embedded backend answers a query on one searcher: the page, then the hits.

Two passes over the matches, run side by side: top-k without counting (so tantivy can skip
documents that cannot reach the page), and one aggregation that counts the matches and facet
values without scoring (:class:`search.embedded_counts.Counter`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import tantivy

from .documents import Hit, SearchDocument, SearchQuery, SearchResult
from .embedded_counts import Counter, count_spec
from .embedded_queries import (
    MatchEstimates,
    as_typed_when_broad,
    build_queries,
    filter_share,
    match_estimates,
    passes_filters,
    text_queries,
)
from .highlight import highlight, snippet
from .query_plan import QueryPlan, plan_query

__all__ = ["post_filter_candidates", "post_filtered_page", "run_search", "top_titles"]

# Most unfiltered candidates ranked before filtering in Python instead (see run_search), and
# the least ratio of documents the filters keep to documents the text may match for that
# (measured: an intersection costs about five times a walk per posting it visits).
_MAX_POST_FILTER_CANDIDATES = 1000
_POST_FILTER_MIN_RATIO = 0.2

# One hit of tantivy's top-k: (score or sort value, where the document is).
RankedHit = tuple[Any, tantivy.DocAddress]


def _payload(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The stored document at ``address`` (:meth:`SearchDocument.to_payload`)."""
    raw = searcher.doc(address).get_first("payload")
    if not isinstance(raw, bytes):
        # ValueError, like tantivy's own errors: callers answer it as SearchUnavailable.
        raise ValueError(f"search document {address} has no stored payload")  # noqa: TRY004
    payload: dict[str, Any] = json.loads(raw)
    return payload


def post_filter_candidates(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    plan: QueryPlan,
    estimates: MatchEstimates,
) -> int:
    """How many unfiltered hits to rank for :func:`post_filtered_page`; 0 for never.

    Only for relevance order, with text and filters on single-valued fields, when the
    filters keep many documents for the text's postings. An intersection seeks through
    the text's postings once per document of the filter, which costs several times a
    plain walk of them (where tantivy can also skip blocks that cannot reach the top),
    so ranking one word alone wins unless the filter is much shorter than its postings.
    """
    if query.sort != "relevance" or estimates.text_bound is None or not query.filters:
        return 0
    share = filter_share(searcher, query)
    if not share:
        return 0
    # One word is walked; several are intersected already, and then the filter only
    # pays for itself when it is the shortest list, which the intersection walks.
    single = len(plan.units) == 1 and len(plan.units[0]) == 1
    ratio = _POST_FILTER_MIN_RATIO if single else 1.0
    if share * searcher.num_docs < ratio * estimates.text_bound:
        return 0
    candidates = math.ceil((query.offset + query.per_page) / share * 2) + 20
    return candidates if candidates <= _MAX_POST_FILTER_CANDIDATES else 0


def post_filtered_page(
    searcher: tantivy.Searcher, ranked: tantivy.Query, query: SearchQuery, candidates: int
) -> list[RankedHit] | None:
    """The page of the filtered query, taken from the top unfiltered hits; None if short.

    Exact: the filtered ranking is the unfiltered one with other documents left out
    (filters score 0; equal scores go by document address in both), so once the top
    ``candidates`` hold a page's worth of documents that pass, they are the filtered
    top. A broad filter on a common word is thus ranked at the cost of ranking the word
    alone.
    """
    hits = searcher.search(ranked, candidates, count=False).hits
    if not hits:
        return []
    keep = passes_filters(searcher, [address for _, address in hits], query.filters)
    passed = [hit for hit, k in zip(hits, keep) if k]
    end = query.offset + query.per_page
    if len(passed) < end and len(hits) == candidates:
        return None  # the filtered top may lie further down: rank with the filters
    return passed[query.offset : end]


def _hit(
    searcher: tantivy.Searcher,
    address: tantivy.DocAddress,
    terms: tuple[str, ...],
    score: float,
) -> Hit:
    doc = SearchDocument.from_payload(_payload(searcher, address))
    return Hit(
        kind=doc.kind,
        id=doc.id,
        title=doc.title,
        title_html=highlight(doc.title, terms),
        snippet=snippet(doc.body, terms),
        score=score,
        document=doc,
    )


def run_search(searcher: tantivy.Searcher, query: SearchQuery, counter: Counter) -> SearchResult:
    """Answer ``query`` from ``searcher``; tantivy's errors (OSError, ValueError) pass up."""
    plan = plan_query(query.text, relaxed=query.relaxed, expand=query.expand)
    plan = as_typed_when_broad(searcher, query, plan)
    tq, counted_q, unfiltered = build_queries(query, plan)
    order_by: str | None = None
    if query.sort == "newest":
        order_by = "created"
    elif query.sort == "urgency" or plan.is_empty:
        order_by = "rank_urgent"
    estimates = match_estimates(searcher, query, plan)
    counted = counter.start(searcher, counted_q, count_spec(query.facets), estimates, query.facets)
    try:
        page: list[RankedHit] | None = None
        candidates = post_filter_candidates(searcher, query, plan, estimates)
        if candidates and unfiltered is not None:
            page = post_filtered_page(searcher, unfiltered, query, candidates)
        if page is None:
            page = searcher.search(
                tq, query.per_page, count=False, order_by_field=order_by, offset=query.offset
            ).hits
        terms = plan.terms
        hits = [
            _hit(searcher, address, terms, 0.0 if order_by else float(score))
            for score, address in page
        ]
    finally:
        total, facets, estimated = counted.result()
    return SearchResult(
        total=total,
        hits=hits,
        facets=facets,
        page=query.page,
        per_page=query.per_page,
        estimated=estimated,
    )


def top_titles(searcher: tantivy.Searcher, text: str, plan: QueryPlan, limit: int) -> list[str]:
    """Titles of the top ``limit`` documents for ``text`` planned as ``plan`` (not empty);
    ranking only: no counting pass, no highlighting."""
    plan = as_typed_when_broad(searcher, SearchQuery(text=text), plan)
    ranked, _ = text_queries(plan)
    hits = searcher.search(ranked, limit, count=False).hits
    return [str(_payload(searcher, address)["title"]) for _, address in hits]

"""The search results page: engine results (or the database fallback), facets, pagination."""
from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from search.documents import SORTS
from webapp.extensions import db
from webapp.models import NeedCard
from webapp.models.resources import LISTING_MODELS, ListingKind
from webapp.permissions import PUBLIC, access
from webapp.search import bp
from webapp.search.labels import (
    FACET_TITLES,
    SORT_LABELS,
    facet_label,
    shown_snippet,
    shown_title,
)
from webapp.services.search import queries as search_queries
from webapp.services.search import sync as search_sync

FILTERS = ("kind", "category", "town", "urgency")
MAX_PAGE = 1000
PER_PAGE = 10


class ResultPagination(Pagination):
    """Pagination over one page of search hits (for the shared ``pagination`` macro)."""

    def __init__(self, result):
        self._result = result
        super().__init__(page=result.page, per_page=result.per_page, error_out=False)

    def _query_items(self) -> list:
        return list(self._result.hits)

    def _query_count(self) -> int:
        return self._result.total


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return default
    return min(max(value, low), high)


def _params() -> dict:
    """The page's query string, cleaned: invalid values are dropped, not guessed."""
    params: dict[str, str | int] = {
        "q": request.args.get("q", "")[:search_queries.MAX_QUERY_CHARS].strip()}
    for name in ("kind", "category", "town"):
        value = request.args.get(name, "").strip()[:40]
        if value:
            params[name] = value
    urgency = _int_arg("urgency", None, 1, 4)
    if urgency is not None:
        params["urgency"] = urgency
    sort = request.args.get("sort", "")
    if sort in SORTS and sort != "relevance":
        params["sort"] = sort
    return params


def _link_maker(params: dict):
    def link(**changes) -> str:
        args = {**params, **changes}
        return url_for("search.results", **{k: v for k, v in args.items()
                                            if v not in (None, "")})
    return link


def _hit_url(hit) -> str | None:
    """Where a hit's public page is, when the public pages are installed."""
    views = current_app.view_functions
    if hit.kind == "need" and "public.need" in views:
        return url_for("public.need", need_id=int(hit.id))
    if hit.kind == "project" and "public.project" in views:
        return url_for("public.project", project_id=int(hit.id))
    if hit.kind == "scheme" and "public.schemes" in views:
        return url_for("public.schemes")
    if hit.kind in ("fund", "offer") and "public.organisation" in views:
        listing = db.session.get(LISTING_MODELS[ListingKind(hit.kind)], int(hit.id))
        if listing is not None:
            return url_for("public.organisation", org_id=listing.organisation_id)
    return None


def _needs(ids: list[int]) -> dict[int, NeedCard]:
    """The cards of a page's need hits (their words are shown in the reader's language)."""
    if not ids:
        return {}
    return {n.id: n for n in db.session.scalars(select(NeedCard).where(NeedCard.id.in_(ids)))}


@bp.route("")
@access(PUBLIC)
def results():
    params = _params()
    page = _int_arg("page", 1, 1, MAX_PAGE)
    query = search_queries.make_query(
        text=params["q"], kind=params.get("kind"), category=params.get("category"),
        town=params.get("town"), urgency=params.get("urgency"),
        sort=params.get("sort", "relevance"), page=page, per_page=PER_PAGE)
    outcome = search_queries.run_search(db.session, search_sync.get_backend(), query)
    result = outcome.result
    # Both are built by search/highlight.py, which escapes every character of the stored text
    # and adds only <mark> (tests/webapp/search/test_search_pages.py feeds it <script>).
    terms = search_queries._terms(params["q"])
    needs = _needs([int(hit.id) for hit in result.hits if hit.kind == "need"])
    hits = []
    for hit in result.hits:
        need = needs.get(int(hit.id)) if hit.kind == "need" else None
        hits.append((hit, shown_title(hit.title_html, terms, need),
                     shown_snippet(hit.snippet, terms, need), _hit_url(hit)))
    active = [(name, facet_label(name, params[name])) for name in FILTERS if name in params]
    return render_template(
        "search/results.html", params=params, result=result, hits=hits,
        fallback=outcome.fallback, relaxed=outcome.relaxed, did_you_mean=outcome.did_you_mean,
        pagination=ResultPagination(result), link=_link_maker(params),
        facet_titles=FACET_TITLES, facet_label=facet_label, active=active,
        sort_labels=SORT_LABELS, current_sort=params.get("sort", "relevance"))

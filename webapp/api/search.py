"""Full-text search over published needs and listed help sources, with facet counts."""
from __future__ import annotations

import math

from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from search.documents import KINDS, SORTS
from search.suggest import MAX_PREFIX_CHARS, MAX_SUGGESTIONS
from webapp.extensions import db
from webapp.models import Category
from webapp.permissions import PUBLIC, access
from webapp.services.search import queries as search_queries
from webapp.services.search import suggest as search_suggest
from webapp.services.search import sync as search_sync

blp = Blueprint("api_search", __name__, url_prefix="/api/v1", description="搜索")


class SearchArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=10000), metadata={
        "description": "free text (Chinese is segmented; operators are plain text); only the "
                       f"first {search_queries.MAX_QUERY_CHARS} characters are used"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    town = fields.String(validate=validate.Length(max=40),
                         metadata={"description": "town name, e.g. 梁村镇, or 全县"})
    urgency = fields.Integer(validate=validate.Range(min=1, max=4))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    per_page = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class HitOut(Schema):
    kind = fields.String()
    id = fields.String()
    title = fields.String()
    title_html = fields.String(metadata={"description": "escaped title, query terms in <mark>"})
    snippet = fields.String(metadata={"description": "escaped excerpt, query terms in <mark>"})
    score = fields.Float()
    category = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    town = fields.String(allow_none=True)
    urgency = fields.Integer(allow_none=True)
    # Money is a decimal string across the API ("20000.00"), here as everywhere.
    amount_needed = fields.Decimal(allow_none=True, as_string=True, places=2)
    amount_remaining = fields.Decimal(allow_none=True, as_string=True, places=2)
    created_at = fields.DateTime()


class BucketOut(Schema):
    value = fields.Raw()
    count = fields.Integer()


class MetaOut(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class SearchOut(Schema):
    total = fields.Integer()
    hits = fields.List(fields.Nested(HitOut))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(BucketOut)))
    estimated = fields.Boolean(metadata={
        "description": "true when total and facet counts are estimates scaled up from a "
                       "1-in-16 sample of the index (only for queries matching over 10,000 "
                       "documents); the hits are exact either way"})
    relaxed = fields.Boolean(metadata={
        "description": "true when a long query matched nothing as typed and these results "
                       "match about half of its words instead"})
    fallback = fields.Boolean(metadata={
        "description": "true when the engine was down and the database answered instead"})
    did_you_mean = fields.String(allow_none=True, metadata={
        "description": "when nothing was found: a nearby query that finds something (the "
                       "thesaurus term the words sound like, or fewer of the words), else null"})
    meta = fields.Nested(MetaOut)


class SearchSuggestArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200), metadata={
        "description": "what has been typed so far: Chinese, or pinyin (full or initials); "
                       f"only the first {MAX_PREFIX_CHARS} characters are used"})
    limit = fields.Integer(load_default=MAX_SUGGESTIONS,
                           validate=validate.Range(min=1, max=MAX_SUGGESTIONS))


class SearchSuggestionOut(Schema):
    text = fields.String(metadata={"description": "the completion, to search for as is"})
    kind = fields.String(metadata={"description": "term (thesaurus, place or domain word) or "
                                                  "title (of a matching record)"})


class SearchSuggestOut(Schema):
    suggestions = fields.List(fields.Nested(SearchSuggestionOut))


def _hit(hit) -> dict:
    doc = hit.document
    return {"kind": hit.kind, "id": hit.id, "title": hit.title, "title_html": hit.title_html,
            "snippet": hit.snippet, "score": hit.score, "category": doc.category,
            "categories": list(doc.all_categories), "town": doc.town, "urgency": doc.urgency,
            "amount_needed": doc.amount_needed, "amount_remaining": doc.amount_remaining,
            "created_at": doc.created_at}


@blp.route("/search", methods=["GET"])
@access(PUBLIC)
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchOut)
@blp.alt_response(422, description="invalid parameter (problem+json)")
def search(args):
    """Search published needs, projects, funds, offers and schemes; facets count all matches."""
    query = search_queries.make_query(
        text=args["q"], kind=args.get("kind"), category=args.get("category"),
        town=args.get("town"), urgency=args.get("urgency"), sort=args["sort"],
        page=args["page"], per_page=args["per_page"])
    outcome = search_queries.run_search(db.session, search_sync.get_backend(), query)
    result = outcome.result
    return {"total": result.total, "hits": [_hit(h) for h in result.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in buckets]
                       for name, buckets in result.facets.items()},
            "estimated": result.estimated, "relaxed": outcome.relaxed,
            "fallback": outcome.fallback, "did_you_mean": outcome.did_you_mean,
            "meta": {"page": result.page, "per_page": result.per_page, "total": result.total,
                     "pages": math.ceil(result.total / result.per_page) if result.total else 0}}


@blp.route("/search/suggest", methods=["GET"])
@access(PUBLIC)
@blp.arguments(SearchSuggestArgs, location="query")
@blp.response(200, SearchSuggestOut)
@blp.alt_response(422, description="invalid parameter (problem+json)")
def suggest(args):
    """Completions as people type: thesaurus and place terms (from Chinese or pinyin
    prefixes), then titles of the best matches."""
    found = search_suggest.suggest(search_sync.get_backend(), args["q"], args["limit"])
    return {"suggestions": [{"text": s.text, "kind": s.kind} for s in found]}

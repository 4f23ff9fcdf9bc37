"""Full-text search over published needs and listed help sources, with facet counts."""
from __future__ import annotations

import math

from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from search.documents import KINDS, SORTS
from webapp.extensions import db
from webapp.models import Category
from webapp.permissions import PUBLIC, access
from webapp.services import search_queries, search_sync

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
    meta = fields.Nested(MetaOut)


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
            "fallback": outcome.fallback,
            "meta": {"page": result.page, "per_page": result.per_page, "total": result.total,
                     "pages": math.ceil(result.total / result.per_page) if result.total else 0}}

"""Shared API schemas: pagination arguments, envelopes, the range every integer input keeps."""
from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from webapp.extensions import db
from webapp.input_guard import MAX_ID
from webapp.services.amount_text import amount_text

# Every integer the API reads fits a 32-bit INTEGER column; a rule of the domain may narrow
# it further with its own message. tests/webapp/security/test_openapi.py checks that every
# integer input of the OpenAPI document is bounded.
INT32 = validate.Range(min=-MAX_ID - 1, max=MAX_ID, error="数值应在 {min} 到 {max} 之间")
ID = validate.Range(min=1, max=MAX_ID, error="编号应在 {min} 到 {max} 之间")


class Money(fields.Decimal):
    """An amount of yuan, read like every amount parser reads it (full-width digits too)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = amount_text(value)
        return super()._deserialize(value, attr, data, **kwargs)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


def page_meta(page) -> dict:
    """Pagination metadata of a Flask-SQLAlchemy Pagination object."""
    return {"page": page.page, "per_page": page.per_page, "total": page.total,
            "pages": page.pages}


def commit_with_body(schema: Schema, data: object, status: int = 200) -> Response:
    """Serialise ``data`` with ``schema`` inside the write's transaction, then commit, and
    answer with that body (the view's ``@blp.response`` passes a ready response through).

    The body is what the transaction wrote, as the committed data has it. Serialising after
    the commit instead read every expired object and relationship back in a new transaction,
    which on SQLite is one more write transaction: the write lock was held for the response's
    serialisation too, and every other writer queued behind it.
    """
    body = schema.dump(data)
    db.session.commit()
    response = jsonify(body)
    response.status_code = status
    return response

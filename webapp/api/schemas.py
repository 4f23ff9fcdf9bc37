"""Shared API schemas: pagination arguments and envelopes."""
from marshmallow import Schema, fields, validate


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

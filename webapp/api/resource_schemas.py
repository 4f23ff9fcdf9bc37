"""Schemas of the resource API: listings, pledges and anonymized needs."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from webapp.api.ledger import ledger_balances_schema
from webapp.api.schemas import INT32, Money, PageArgs, PageMeta
from webapp.models import Category
from webapp.models.resources import ListingStatus, PledgeStatus, split_codes

MONEY: dict[str, Any] = {"as_string": True}


class FilterArgs(PageArgs):
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    town = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                          metadata={"description": "town organisation id"})
    min_gap = fields.Decimal(validate=validate.Range(min=0, max=10**12))
    max_gap = fields.Decimal(validate=validate.Range(min=0, max=10**12))


class ListingArgs(FilterArgs):
    mine = fields.Boolean(load_default=False, metadata={
        "description": "only the listings the caller manages, in every status"})
    status = fields.String(validate=validate.OneOf([s.value for s in ListingStatus]),
                           metadata={"description": "with mine=true: only this status"})


class NeedArgs(FilterArgs):
    urgency = fields.Integer(validate=validate.Range(min=1, max=4),
                             metadata={"description": "minimum urgency, 1–4"})


class OrgRef(Schema):
    id = fields.Integer()
    name = fields.String()


def _codes(attr):
    return fields.Function(lambda o: split_codes(getattr(o, attr)))


class ListingOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    categories = _codes("categories")
    towns = fields.Function(lambda o: sorted(o.town_ids))
    status = fields.Function(lambda o: o.status.value)
    review_note = fields.String(allow_none=True)
    organisation = fields.Nested(OrgRef)
    listed_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class ListingIn(Schema):
    title = fields.String(validate=validate.Length(max=120))
    description = fields.String(validate=validate.Length(max=5000))
    categories = fields.List(fields.String(validate=validate.Length(max=40)),
                             validate=validate.Length(max=20))
    towns = fields.List(fields.Integer(strict=True, validate=INT32), validate=validate.Length(max=40))


class ListingPatch(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in ListingStatus]),
                           metadata={"description": "pending_review submits a draft for review; "
                                                    "paused, listed (resume), draft (withdraw) "
                                                    "and closed change the status"})


class ProjectOut(ListingOut, ledger_balances_schema("project")):  # type: ignore[misc]  # built at run time
    budget = Money(**MONEY)
    per_case_cap = Money(allow_none=True, **MONEY)
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    requires = _codes("requires")
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    featured = fields.Boolean()
    pledged = Money(**MONEY)
    gap = Money(**MONEY)


class ProjectIn(ListingIn):
    budget = Money(allow_nan=False)
    per_case_cap = Money(allow_none=True, allow_nan=False)
    min_age = fields.Integer(allow_none=True, strict=True, validate=INT32)
    max_age = fields.Integer(allow_none=True, strict=True, validate=INT32)
    requires = fields.List(fields.String(validate=validate.Length(max=40)),
                           validate=validate.Length(max=10))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class ProjectPatch(ProjectIn, ListingPatch):
    pass


class FundOut(ListingOut, ledger_balances_schema("fund")):  # type: ignore[misc]  # built at run time
    capital = Money(**MONEY)
    per_case_cap = Money(allow_none=True, **MONEY)


class FundIn(ListingIn):
    capital = Money(allow_nan=False)
    per_case_cap = Money(allow_none=True, allow_nan=False)


class FundPatch(FundIn, ListingPatch):
    pass


class OfferOut(ListingOut):
    services = _codes("services")
    skills = fields.String()
    hours_per_week = fields.Integer()
    max_cases = fields.Integer()
    available_from = fields.Date(allow_none=True)
    available_until = fields.Date(allow_none=True)


class OfferIn(ListingIn):
    services = fields.List(fields.String(validate=validate.Length(max=20)),
                           validate=validate.Length(max=10))
    skills = fields.String(validate=validate.Length(max=200))
    hours_per_week = fields.Integer(strict=True, validate=INT32)
    max_cases = fields.Integer(strict=True, validate=INT32)
    available_from = fields.Date(allow_none=True)
    available_until = fields.Date(allow_none=True)


class OfferPatch(OfferIn, ListingPatch):
    pass


class SchemeOut(ListingOut):
    code = fields.String()
    min_amount = Money(allow_none=True, **MONEY)
    max_amount = Money(allow_none=True, **MONEY)
    annual_budget = Money(allow_none=True, **MONEY)
    requires = _codes("requires")
    times_per_year = fields.Integer(allow_none=True)


class SchemeIn(ListingIn):
    organisation_id = fields.Integer(strict=True, validate=INT32, metadata={
        "description": "the department running the scheme (officers only)"})
    code = fields.String(validate=validate.Length(max=40))
    min_amount = Money(allow_none=True, allow_nan=False)
    max_amount = Money(allow_none=True, allow_nan=False)
    annual_budget = Money(allow_none=True, allow_nan=False)
    requires = fields.List(fields.String(validate=validate.Length(max=40)),
                           validate=validate.Length(max=10))
    times_per_year = fields.Integer(allow_none=True, strict=True, validate=INT32)


class SchemePatch(SchemeIn, ListingPatch):
    pass


def page_of(item_schema):
    """An envelope ``{"items": [...], "meta": {...}}`` schema for ``item_schema``."""
    return type(f"{item_schema.__name__}Page", (Schema,), {
        "items": fields.List(fields.Nested(item_schema)), "meta": fields.Nested(PageMeta)})


class NeedOut(Schema):
    """A published need card: anonymized fields only."""

    id = fields.Function(lambda v: v.card.id)
    title = fields.Function(lambda v: v.card.title)
    story = fields.Function(lambda v: v.card.story)
    category = fields.Function(lambda v: v.card.category.value)
    area = fields.Function(lambda v: v.card.area)
    town_id = fields.Function(lambda v: v.card.town_id)
    age_band = fields.Function(lambda v: v.card.age_band)
    household = fields.Function(lambda v: v.card.household)
    urgency = fields.Function(lambda v: v.card.urgency)
    services = fields.Function(lambda v: split_codes(v.card.services))
    amount_needed = fields.Function(lambda v: str(v.needed))
    approved = fields.Function(lambda v: str(v.approved))
    pledged = fields.Function(lambda v: str(v.pledged))
    covered = fields.Function(lambda v: str(v.covered))
    gap = fields.Function(lambda v: str(v.gap))
    account = fields.Function(lambda v: v.account.as_json())
    published_at = fields.Function(
        lambda v: v.card.published_at.isoformat() if v.card.published_at else None)
    waiting_days = fields.Function(lambda v: v.waiting_days)


class PledgeIn(Schema):
    need_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    project_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    amount = Money(allow_none=True, allow_nan=False)
    service = fields.String(allow_none=True, validate=validate.Length(max=200))
    message = fields.String(allow_none=True, validate=validate.Length(max=500))


class PledgePatch(Schema):
    status = fields.String(required=True, validate=validate.OneOf(
        [PledgeStatus.CONFIRMED.value, PledgeStatus.FULFILLED.value,
         PledgeStatus.CANCELLED.value]))
    # With status "fulfilled": the need the received money was used for (project pledges).
    used_need_id = fields.Integer(strict=True, allow_none=True,
                                  validate=validate.Range(min=1, max=2**31 - 1))


class PledgeArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in PledgeStatus]))


class PledgeOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    need_id = fields.Integer(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    amount = Money(allow_none=True, **MONEY)
    service = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    status = fields.Function(lambda p: p.status.value)
    created_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    fulfilled_at = fields.DateTime(allow_none=True)
    used_need_id = fields.Integer(allow_none=True)

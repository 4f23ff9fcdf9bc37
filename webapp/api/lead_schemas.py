"""Schemas of the lead API (marshmallow), kept apart from the routes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapp.api.case_schemas import ConsentIn
from webapp.api.schemas import INT32, Money, PageArgs, PageMeta
from webapp.models import Category, LeadChannel, LeadCloseReason, LeadStatus


class LeadIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    town = fields.Integer(required=True, validate=INT32,
                          metadata={"description": "town organisation id"})
    description = fields.String(required=True, validate=validate.Length(max=2000))
    phone = fields.String(load_default="", validate=validate.Length(max=20))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    urgency = fields.Integer(load_default=2, validate=validate.Range(min=1, max=4))


class LeadListArgs(PageArgs):
    mine = fields.Boolean(load_default=False, metadata={
        "description": "the leads the caller reported (else the window's queue)"})
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf([s.value for s in LeadStatus]))


class LeadOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.Function(lambda o: o.status.value,
                             metadata={"enum": [s.value for s in LeadStatus]})
    channel = fields.Function(lambda o: o.channel.value,
                              metadata={"enum": [c.value for c in LeadChannel]})
    town_id = fields.Integer()
    urgency = fields.Integer()
    created_at = fields.DateTime()
    due_on = fields.Date(metadata={"description": "first contact (首问) due"})
    outcome = fields.String(metadata={"description": "what became of it, in words"})
    close_reason = fields.Function(
        lambda o: o.close_reason.value if o.close_reason else None, allow_none=True,
        metadata={"enum": [r.value for r in LeadCloseReason]})
    case_number = fields.String(allow_none=True)
    name = fields.String(allow_none=True, metadata={
        "description": "personal fields: only to the town window and to whoever reported it"})
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class LeadPage(Schema):
    items = fields.List(fields.Nested(LeadOut))
    meta = fields.Nested(PageMeta)


class ConversionIn(Schema):
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=24))
    category = fields.String(required=True, validate=validate.OneOf([c.value for c in Category]))
    amount_needed = Money(required=True, as_string=True, places=None)
    local_hukou = fields.Boolean(load_default=True)
    consent = fields.Nested(ConsentIn, load_default=None, metadata={
        "description": "告知同意 recorded at the window; required unless the applicant agreed "
                       "online with the application"})
    confirm_duplicates = fields.Boolean(load_default=False, metadata={
        "description": "convert although the ID number already has an open case, or this "
                       "year's help for the same cause (without it: 409 and the cases found)"})


class ConversionOut(Schema):
    lead = fields.Nested(LeadOut)
    case_id = fields.Integer()
    case_number = fields.String()


class ClosureIn(Schema):
    reason = fields.String(required=True,
                           validate=validate.OneOf([r.value for r in LeadCloseReason]))
    note = fields.String(load_default="", validate=validate.Length(max=500))

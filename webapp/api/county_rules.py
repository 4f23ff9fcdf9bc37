"""The county's rules in the JSON API: read them (staff who supervise), change them (the
administrator). Every change goes through :mod:`webapp.services.county_rules`: audited, and
effective from a chosen day that is not in the past."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from webapp.extensions import db
from webapp.models import DayKind, Scheme, utcnow
from webapp.permissions import R, access, roles
from webapp.services import NotFoundError, county_rules
from webapp.services.cases.deadlines import local_date

blp = Blueprint("api_county_rules", __name__, url_prefix="/api/v1",
                description="县级规则：时限、节假日、先行救助、救助标准")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
READERS = roles(R.ADMIN, R.OFFICER, R.AUDITOR)
ADMIN = roles(R.ADMIN)
DECIMAL_DOC = {"type": "string", "format": "decimal", "example": "3000.00"}


def _today() -> dt.date:
    return local_date(utcnow())


class VersionOut(Schema):
    key = fields.String()
    value = fields.String()
    effective_from = fields.Date()
    note = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class RuleOut(Schema):
    key = fields.Function(lambda v: v.spec.key)
    label = fields.Function(lambda v: v.spec.label)
    unit = fields.Function(lambda v: v.spec.unit)
    minimum = fields.Function(lambda v: str(v.spec.minimum))
    maximum = fields.Function(lambda v: str(v.spec.maximum))
    value = fields.Function(lambda v: str(v.value), metadata={
        "description": "the value in force on the day asked for"})
    since = fields.Date(allow_none=True, metadata={
        "description": "the day this value took effect; null: the configured default"})
    scheduled = fields.List(fields.Nested(VersionOut), metadata={
        "description": "changes that take effect after the day asked for"})


class StandardOut(Schema):
    scheme_id = fields.Function(lambda v: v.scheme.id)
    title = fields.Function(lambda v: v.scheme.title)
    min_amount = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    max_amount = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    times_per_year = fields.Integer(allow_none=True)
    since = fields.Date(allow_none=True)


class StandardChangeOut(Schema):
    scheme_id = fields.Integer()
    min_amount = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    max_amount = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    times_per_year = fields.Integer(allow_none=True)
    effective_from = fields.Date()
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class RulesOut(Schema):
    on = fields.Date()
    rules = fields.List(fields.Nested(RuleOut))
    schemes = fields.List(fields.Nested(StandardOut))


class RulesArgs(Schema):
    on = fields.Date(metadata={"description": "the day whose rules to show (default today)"})


class RuleIn(Schema):
    key = fields.String(required=True, validate=validate.OneOf(sorted(county_rules.RULES)))
    value = fields.String(required=True, validate=validate.Length(min=1, max=40),
                          metadata={"example": "5"})
    effective_from = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "today or later (default today); deadlines already running keep "
                       "the rule they started under"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class CalendarArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class CalendarDayOut(Schema):
    day = fields.Date()
    kind = fields.Function(lambda d: d.kind.value, metadata={
        "description": "holiday (放假) | workday (调休上班)"})
    source = fields.String(metadata={"description": "library (holidays package) | local"})
    note = fields.String()


class CalendarOut(Schema):
    year = fields.Integer()
    days = fields.List(fields.Nested(CalendarDayOut))


class OverrideIn(Schema):
    day = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in DayKind]))
    year = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "the calendar year meant (default: the "
                                                   "day's); a day outside it is refused"})
    note = fields.String(load_default="", validate=validate.Length(max=100))


class DayIn(Schema):
    day = fields.Date(required=True)


class YearIn(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class LoadedOut(Schema):
    year = fields.Integer()
    holidays = fields.Integer()
    workdays = fields.Integer()
    adjusted = fields.Boolean(metadata={
        "description": "false: the library has no State Council arrangement (调休) for the "
                       "year yet; add it as local overrides"})


class StandardIn(Schema):
    min_amount = fields.String(load_default="", validate=validate.Length(max=20),
                               metadata={"description": "yuan; empty: no minimum"})
    max_amount = fields.String(load_default="", validate=validate.Length(max=20),
                               metadata={"description": "yuan; empty: no maximum"})
    times_per_year = fields.Integer(load_default=None, allow_none=True,
                                    validate=validate.Range(min=1, max=12))
    effective_from = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "today or later (default today); approvals from that day are checked "
                       "against these standards"})


@blp.route("/county-rules", methods=["GET"])
@access(READERS)
@blp.arguments(RulesArgs, location="query")
@blp.response(200, RulesOut)
@blp.doc(security=BEARER)
def read_rules(args):
    """Every rule and scheme standard in force on a day, with the changes scheduled later."""
    on = args.get("on") or _today()
    return {"on": on, "rules": county_rules.rules_overview(db.session, current_app.config, on),
            "schemes": county_rules.schemes_overview(db.session, on)}


@blp.route("/county-rules", methods=["POST"])
@access(ADMIN)
@blp.arguments(RuleIn)
@blp.response(201, VersionOut)
@blp.alt_response(400, description="数值超出范围、生效日期早于今天等；未做任何更改")
@blp.doc(security=BEARER)
def set_rule(body):
    """Set a rule to a value from a day on (a new version; the old one stays readable)."""
    today = _today()
    row = county_rules.set_rule(db.session, current_user, body["key"], body["value"],
                                effective_from=body["effective_from"] or today, today=today,
                                note=body["note"])
    db.session.commit()
    return row


@blp.route("/county-rules/calendar", methods=["GET"])
@access(READERS)
@blp.arguments(CalendarArgs, location="query")
@blp.response(200, CalendarOut)
@blp.doc(security=BEARER)
def read_calendar(args):
    """The days of a year that are not what their weekday says (holidays, make-up days)."""
    year = args.get("year") or _today().year
    return {"year": year, "days": county_rules.calendar_rows(db.session, year)}


@blp.route("/county-rules/calendar", methods=["POST"])
@access(ADMIN)
@blp.arguments(OverrideIn)
@blp.response(201, CalendarDayOut)
@blp.alt_response(400, description="日期不在该年内或早于今天；未做任何更改")
@blp.doc(security=BEARER)
def set_override(body):
    """Make a day (today or later) a local holiday or a (make-up) working day."""
    day = body["day"]
    row = county_rules.set_override(db.session, current_user,
                                    year=body["year"] if body["year"] is not None else day.year,
                                    day=day, kind=body["kind"], today=_today(),
                                    note=body["note"])
    db.session.commit()
    return row


@blp.route("/county-rules/calendar/remove", methods=["POST"])
@access(ADMIN)
@blp.arguments(DayIn)
@blp.response(204)
@blp.alt_response(400, description="早于今天的日期不能修改")
@blp.alt_response(404, description="这一天没有本地调整")
@blp.doc(security=BEARER)
def remove_override(body):
    """Remove the local adjustment of a day (today or later)."""
    county_rules.remove_override(db.session, current_user, body["day"], today=_today())
    db.session.commit()


@blp.route("/county-rules/calendar/load", methods=["POST"])
@access(ADMIN)
@blp.arguments(YearIn)
@blp.response(201, LoadedOut)
@blp.doc(security=BEARER)
def load_calendar(body):
    """Load a year's statutory holidays and make-up days from the ``holidays`` package."""
    loaded = county_rules.load_library_year(db.session, current_user, body["year"])
    db.session.commit()
    return loaded


@blp.route("/county-rules/schemes/<int:scheme_id>", methods=["POST"])
@access(ADMIN)
@blp.arguments(StandardIn)
@blp.response(201, StandardChangeOut)
@blp.alt_response(400, description="金额或次数有误、下限高于上限、生效日期早于今天；未做任何更改")
@blp.alt_response(404, description="救助项目不存在")
@blp.doc(security=BEARER)
def set_standards(body, scheme_id: int):
    """Set a scheme's standards (amount range, times per person a year) from a day on."""
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFoundError("救助项目不存在")
    today = _today()
    change = county_rules.set_scheme_standards(
        db.session, current_user, scheme, min_amount=body["min_amount"],
        max_amount=body["max_amount"], times_per_year=body["times_per_year"],
        effective_from=body["effective_from"] or today, today=today)
    db.session.commit()
    return change

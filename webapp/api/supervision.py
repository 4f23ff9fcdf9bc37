"""Supervision orders (督办单) in the JSON API: list and read them, issue one (officers), reply
to one (its recipient), close one (officers). The same services as the pages on /cases/orders."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from webapp.api.schemas import ID, PageArgs, PageMeta, page_meta
from webapp.extensions import db
from webapp.models import OrderLevel, OrderStatus, SupervisionOrder, utcnow
from webapp.permissions import R, access, roles
from webapp.services import NotFoundError, county_rules
from webapp.services.cases import deadlines, orders
from webapp.services.cases.settings import CaseSettings

blp = Blueprint("api_supervision", __name__, url_prefix="/api/v1", description="督办单")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
READERS = roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR)
REPLIERS = roles(R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER)


class OrderOut(Schema):
    id = fields.Integer()
    subject_kind = fields.String(metadata={"description": "what the order is about: "
                                           + " | ".join(orders.SUBJECTS)})
    subject_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    case_number = fields.Function(lambda o: o.case.number if o.case else None)
    high_impact = fields.Function(lambda o: bool(o.case and o.case.high_impact))
    recipient_id = fields.Integer()
    recipient_name = fields.Function(lambda o: o.recipient.name)
    issued_by_id = fields.Integer(allow_none=True)
    issued_at = fields.DateTime()
    reply_due_on = fields.Date()
    request = fields.String()
    level = fields.Function(lambda o: o.level.value, metadata={
        "description": "remind (提醒) | supervise (督办) | report (通报)"})
    escalated_at = fields.DateTime(allow_none=True)
    status = fields.Function(lambda o: o.status.value, metadata={
        "description": "open | replied | closed"})
    reply = fields.String(allow_none=True)
    replied_by_id = fields.Integer(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    meta = fields.Nested(PageMeta)


class OrderListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in OrderStatus]))
    level = fields.String(validate=validate.OneOf([s.value for s in OrderLevel]))
    case_id = fields.Integer(validate=ID)


class OrderIn(Schema):
    subject_kind = fields.String(required=True, validate=validate.OneOf(list(orders.SUBJECTS)))
    subject_id = fields.Integer(required=True, validate=ID)
    recipient_id = fields.Integer(required=True, validate=ID, metadata={
        "description": "an organisation responsible for the subject (the case's town window, "
                       "a department it is transferred to …)"})
    request = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    reply_due_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "today to 30 days ahead; by default the county's reply limit in "
                       "working days"})


class ReplyIn(Schema):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _settings() -> CaseSettings:
    return county_rules.settings_on(db.session, current_app.config,
                                    deadlines.local_date(utcnow()))


def _load(order_id: int) -> SupervisionOrder:
    order = db.session.get(SupervisionOrder, order_id)
    if order is None or not orders.can_read(current_user, order):
        raise NotFoundError("督办单不存在或您无权查看")
    return order


@blp.route("/supervision-orders", methods=["GET"])
@access(READERS)
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, OrderPage)
@blp.doc(security=BEARER)
def list_orders(args):
    """Orders the caller may read: all for officers and auditors, those sent to the caller's
    organisation (a town window: its villages' too) else; high-impact cases first, then
    通报, 督办, 提醒."""
    stmt = orders.visible_orders_stmt(
        current_user, status=OrderStatus(args["status"]) if args.get("status") else None,
        case_id=args.get("case_id"))
    if args.get("level"):
        stmt = stmt.where(SupervisionOrder.level == OrderLevel(args["level"]))
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/supervision-orders/<int:order_id>", methods=["GET"])
@access(READERS)
@blp.response(200, OrderOut)
@blp.alt_response(404, description="督办单不存在或无权查看")
@blp.doc(security=BEARER)
def get_order(order_id: int):
    """One order."""
    return _load(order_id)


@blp.route("/supervision-orders", methods=["POST"])
@access(roles(R.OFFICER))
@blp.arguments(OrderIn)
@blp.response(201, OrderOut)
@blp.alt_response(400, description="接收单位不负责该事项，或答复期限有误；未做任何更改")
@blp.alt_response(404, description="督办事项不存在")
@blp.alt_response(409, description="该事项已经办结")
@blp.doc(security=BEARER)
def issue_order(body):
    """Issue an order about a case, transfer or help-first payment to an organisation
    responsible for it; it goes on the case timeline and escalates when not answered."""
    order = orders.issue_order(db.session, current_user, subject_kind=body["subject_kind"],
                               subject_id=body["subject_id"], recipient_id=body["recipient_id"],
                               request=body["request"], reply_due_on=body["reply_due_on"],
                               settings=_settings(), now=utcnow())
    db.session.commit()
    return order


@blp.route("/supervision-orders/<int:order_id>/reply", methods=["POST"])
@access(REPLIERS)
@blp.arguments(ReplyIn)
@blp.response(200, OrderOut)
@blp.alt_response(403, description="不是发给本单位的督办单")
@blp.alt_response(404, description="督办单不存在或无权查看")
@blp.alt_response(409, description="督办单已答复或已办结")
@blp.doc(security=BEARER)
def reply_order(body, order_id: int):
    """The recipient organisation answers an open order."""
    order = orders.reply_order(db.session, current_user, _load(order_id), reply=body["reply"],
                               now=utcnow())
    db.session.commit()
    return order


@blp.route("/supervision-orders/<int:order_id>/close", methods=["POST"])
@access(roles(R.OFFICER))
@blp.response(200, OrderOut)
@blp.alt_response(404, description="督办单不存在")
@blp.alt_response(409, description="督办单已办结")
@blp.doc(security=BEARER)
def close_order(order_id: int):
    """An officer closes an order (after its reply, or when the matter is settled)."""
    order = orders.close_order(db.session, current_user, _load(order_id), now=utcnow())
    db.session.commit()
    return order

"""The complaint API (投诉/监督): anyone files a complaint, as on the public form; officers and
the auditor read them (a view of a complainant's contact is audited) and officers answer."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from webapp.api.schemas import INT32, PageArgs, PageMeta, page_meta
from webapp.errors import problem
from webapp.extensions import db
from webapp.models import Complaint, ComplaintStatus, ComplaintTopic, utcnow
from webapp.permissions import PUBLIC, R, access, roles
from webapp.services import NotFoundError, complaints
from webapp.services.accounts import ThrottledError
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings

blp = Blueprint("api_complaints", __name__, url_prefix="/api/v1", description="投诉与监督")
READERS = roles(R.OFFICER, R.AUDITOR)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class ComplaintIn(Schema):
    """What the public complaint form takes; every field is checked by the service, and all
    problems are reported at once."""

    topic = fields.String(required=True, validate=validate.Length(max=20),
                          metadata={"enum": [t.value for t in ComplaintTopic]})
    content = fields.String(required=True, validate=validate.Length(max=2000),
                            metadata={"description": "10–2000 characters"})
    town = fields.Integer(load_default=None, allow_none=True, validate=INT32,
                          metadata={"description": "town organisation id, if one is concerned"})
    case_number = fields.String(load_default="", validate=validate.Length(max=20))
    contact_name = fields.String(load_default="", validate=validate.Length(max=40))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=20), metadata={
        "description": "to be answered by phone; only officers and the auditor see it"})


class ComplaintFiledOut(Schema):
    """What the complainant gets back: the number to quote and the answer date."""

    number = fields.String()
    status = fields.Function(lambda c: c.status.value)
    due_on = fields.Date(metadata={"description": "written answer due (working days)"})


class ComplaintOut(Schema):
    id = fields.Integer()
    number = fields.String()
    topic = fields.Function(lambda c: c.topic.value,
                            metadata={"enum": [t.value for t in ComplaintTopic]})
    town_id = fields.Integer(allow_none=True)
    town = fields.Function(lambda c: c.town.name if c.town else None, allow_none=True)
    case_number = fields.String(allow_none=True)
    status = fields.Function(lambda c: c.status.value,
                             metadata={"enum": [s.value for s in ComplaintStatus]})
    received_at = fields.DateTime()
    due_on = fields.Date()
    overdue = fields.Function(lambda c: c.status is ComplaintStatus.OPEN
                              and c.due_on < deadlines.local_date(utcnow()))
    answered_at = fields.DateTime(allow_none=True)


class ComplaintDetailOut(ComplaintOut):
    content = fields.String()
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_by = fields.Function(
        lambda c: c.answered_by.display_name if c.answered_by else None, allow_none=True)


class ComplaintListArgs(PageArgs):
    state = fields.String(load_default="open",
                          validate=validate.OneOf(["open", "answered", "all"]))


class ComplaintPage(Schema):
    items = fields.List(fields.Nested(ComplaintOut))
    meta = fields.Nested(PageMeta)


class ComplaintAnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(max=2000),
                           metadata={"description": "the written answer, 10–2000 characters"})


def _load(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFoundError("投诉不存在")
    return complaint


@blp.route("/complaints", methods=["POST"])
@access(PUBLIC)
@blp.arguments(ComplaintIn)
@blp.response(201, ComplaintFiledOut)
@blp.alt_response(400, description="输入有误（所有问题一并列出），未做任何更改")
@blp.alt_response(429, description="同一来源提交过于频繁")
def file_complaint(body):
    """File a complaint to the county bureau (no account needed), as on the public form."""
    data = complaints.ComplaintInput(
        topic=body["topic"], content=body["content"], town_id=body["town"],
        case_number=body["case_number"], contact_name=body["contact_name"],
        contact_phone=body["contact_phone"])
    try:
        complaint = complaints.file_complaint(
            db.session, data, address=request.remote_addr or "-",
            policy=complaints.ComplaintPolicy.from_config(current_app.config),
            settings=CaseSettings.from_config(current_app.config))
    except ThrottledError as exc:
        db.session.rollback()
        response = problem(429, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    db.session.commit()
    return complaint


@blp.route("/complaints", methods=["GET"])
@access(READERS)
@blp.arguments(ComplaintListArgs, location="query")
@blp.response(200, ComplaintPage)
@blp.doc(security=BEARER)
def list_complaints(args):
    """Complaints, open ones first by answer date (``state``: open, answered or all)."""
    state = args["state"]
    stmt = complaints.complaints_stmt(None if state == "all" else state)
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "meta": page_meta(page)}


@blp.route("/complaints/<int:complaint_id>", methods=["GET"])
@access(READERS)
@blp.response(200, ComplaintDetailOut)
@blp.alt_response(404, description="投诉不存在")
@blp.doc(security=BEARER)
def get_complaint(complaint_id: int):
    """One complaint with the complainant's contact (the view is audited) and the answer."""
    complaint = _load(complaint_id)
    complaints.record_view(db.session, current_user, complaint)
    db.session.commit()
    return complaint


@blp.route("/complaints/<int:complaint_id>/answer", methods=["POST"])
@access(roles(R.OFFICER))
@blp.arguments(ComplaintAnswerIn)
@blp.response(200, ComplaintDetailOut)
@blp.alt_response(400, description="答复内容有误或该投诉已答复，未做任何更改")
@blp.alt_response(404, description="投诉不存在")
@blp.doc(security=BEARER)
def answer_complaint(body, complaint_id: int):
    """An officer records the written answer; a complaint is answered once."""
    complaint = _load(complaint_id)
    complaints.answer_complaint(db.session, current_user, complaint, answer=body["answer"])
    db.session.commit()
    return complaint

"""Complaints to the county bureau (投诉/监督): filed by anyone without an account, answered
in writing by an officer within a time limit in working days; late ones show on the
supervision board.

A flood from one address is refused: ``address_key`` is a keyed hash of the client address,
and at most ``address_limit`` complaints per address are accepted within ``window_minutes``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from webapp.models import (
    Complaint,
    ComplaintStatus,
    ComplaintTopic,
    Organisation,
    OrgKind,
    Role,
    User,
    utcnow,
)
from webapp.services import DomainError, PermissionDeniedError, audit
from webapp.services.accounts import ThrottledError
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings

TOPIC_LABELS: dict[ComplaintTopic, str] = {
    ComplaintTopic.DELAY: "办理超时、无人答复",
    ComplaintTopic.SHIRKING: "推诿、不予受理",
    ComplaintTopic.ATTITUDE: "服务态度",
    ComplaintTopic.FAIRNESS: "优亲厚友、处理不公",
    ComplaintTopic.OTHER: "其他",
}
CONTENT_LIMITS = (10, 2000)
ANSWER_LIMITS = (10, 2000)
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
CASE_NUMBER = re.compile(r"[A-Z]{2}-\d{4}-\d{4,6}")


@dataclass(frozen=True)
class ComplaintPolicy:
    """The answer deadline and the flood limit, read once from the app config."""

    answer_days: int = 10
    address_limit: int = 3
    window_minutes: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ComplaintPolicy:
        return cls(answer_days=int(config.get("COMPLAINT_ANSWER_DAYS", 10)),
                   address_limit=int(config.get("COMPLAINT_ADDRESS_LIMIT", 3)),
                   window_minutes=int(config.get("COMPLAINT_WINDOW_MINUTES", 60)))


@dataclass
class ComplaintInput:
    topic: str
    content: str
    town_id: int | None = None
    case_number: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def address_key(address: str, hash_key: str) -> str:
    """A keyed hash of the client address: counts complaints without storing the address."""
    return hmac.new(hash_key.encode(), f"complaint-address:{address}".encode(),
                    hashlib.sha256).hexdigest()


def valid_phone(phone: str) -> bool:
    return bool(PHONE.fullmatch(re.sub(r"[\s()（）]", "", phone or "")))


def _validate(session: Session, data: ComplaintInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        topic = ComplaintTopic(data.topic)
    except ValueError:
        err("topic", "请选择投诉类别")
        topic = ComplaintTopic.OTHER
    content = (data.content or "").strip()
    if not CONTENT_LIMITS[0] <= len(content) <= CONTENT_LIMITS[1]:
        err("content", "请写明投诉内容（10–2000 个字）")
    town = session.get(Organisation, data.town_id) if data.town_id else None
    if data.town_id and (town is None or town.kind != OrgKind.TOWN):
        err("town_id", "请选择有效的镇（街道）")
    case_number = (data.case_number or "").strip().upper()
    if case_number and not CASE_NUMBER.fullmatch(case_number):
        err("case_number", "个案编号格式不正确（如 GT-2026-000123）")
    name = (data.contact_name or "").strip()
    if len(name) > 40:
        err("contact_name", "称呼不能超过 40 个字")
    phone = re.sub(r"[\s()（）]", "", data.contact_phone or "")
    if phone and not valid_phone(phone):
        err("contact_phone", "联系电话格式不正确（手机 11 位或带区号的座机）")
    if errors:
        raise DomainError("投诉未提交，请检查标出的内容", errors=errors)
    return {"topic": topic, "content": content, "town": town,
            "case_number": case_number or None, "contact_name": name or None,
            "contact_phone": phone or None}


def file_complaint(session: Session, data: ComplaintInput, *, address: str,
                   policy: ComplaintPolicy, settings: CaseSettings,
                   now: dt.datetime | None = None) -> Complaint:
    """Record a complaint from the public and start its answer clock."""
    now = now or utcnow()
    key = address_key(address, settings.person_hash_key)
    since = now - dt.timedelta(minutes=policy.window_minutes)
    recent = session.scalar(select(func.count(Complaint.id)).where(
        Complaint.address_key == key, Complaint.received_at > since)) or 0
    if recent >= policy.address_limit:
        raise ThrottledError("提交过于频繁，请稍后再试，或拨打监督电话反映",
                             retry_after=policy.window_minutes * 60)
    v = _validate(session, data)
    due = deadlines.add_working_days(deadlines.local_date(now), policy.answer_days, settings)
    complaint = Complaint(topic=v["topic"], content=v["content"],
                          town_id=v["town"].id if v["town"] else None,
                          case_number=v["case_number"], contact_name=v["contact_name"],
                          contact_phone=v["contact_phone"], address_key=key,
                          status=ComplaintStatus.OPEN, received_at=now, due_on=due)
    session.add(complaint)
    session.flush()
    complaint.number = f"TS-{deadlines.local_date(now).year}-{complaint.id:05d}"
    session.flush()
    audit.record(session, None, "complaint.file", complaint,
                 summary={"number": complaint.number, "topic": complaint.topic.value,
                          "town_id": complaint.town_id, "due_on": due.isoformat(),
                          "contact_given": bool(v["contact_phone"])})
    return complaint


def can_answer(user: User) -> bool:
    return user.has_role(Role.OFFICER)


def answer_complaint(session: Session, actor: User, complaint: Complaint, *, answer: str,
                     now: dt.datetime | None = None) -> Complaint:
    """Record the officer's written answer; a complaint is answered once."""
    if not can_answer(actor):
        raise PermissionDeniedError("只有民政工作人员可以答复投诉")
    if complaint.status == ComplaintStatus.ANSWERED:
        raise DomainError("该投诉已答复", field="answer")
    text = (answer or "").strip()
    if not ANSWER_LIMITS[0] <= len(text) <= ANSWER_LIMITS[1]:
        raise DomainError("请填写书面答复（10–2000 个字）", field="answer")
    now = now or utcnow()
    complaint.answer, complaint.status = text, ComplaintStatus.ANSWERED
    complaint.answered_by_id, complaint.answered_at = actor.id, now
    session.flush()
    audit.record(session, actor, "complaint.answer", complaint,
                 summary={"number": complaint.number, "status": complaint.status.value,
                          "late": deadlines.local_date(now) > complaint.due_on})
    return complaint


def record_view(session: Session, actor: User, complaint: Complaint) -> None:
    """A view of the complainant's contact details is a view of personal data: audited."""
    if complaint.contact_name or complaint.contact_phone:
        audit.record(session, actor, "complaint.view", complaint,
                     summary={"number": complaint.number, "fields": ["contact"]})


def complaints_stmt(status: str | None = None) -> Select[tuple[Complaint]]:
    stmt = select(Complaint)
    if status in {s.value for s in ComplaintStatus}:
        stmt = stmt.where(Complaint.status == ComplaintStatus(str(status)))
    return stmt.order_by(Complaint.status.desc(), Complaint.due_on, Complaint.id)


def overdue_complaints(session: Session, *, today: dt.date) -> list[Complaint]:
    """Open complaints past their answer date, oldest first (the supervision board)."""
    return list(session.scalars(select(Complaint).options(joinedload(Complaint.town)).where(
        Complaint.status == ComplaintStatus.OPEN, Complaint.due_on < today)
        .order_by(Complaint.due_on, Complaint.id)))

"""Short texts to applicants' phones: a pluggable sender, the outbox of every message, and
the reactions to case events that queue them.

A message is a row (``outbound_messages``) written in the transaction of the change that
caused it, then delivered by a background job (``messages.deliver``), so a rolled-back change
never sends a text. With the default local sender the row is the whole delivery: developers
and tests read the outbox. With ``MESSAGE_SENDER=sms`` a generic HTTP gateway is called; a
failed attempt is recorded and retried with a doubling delay (``flask messages retry``).

No text carries more about the person than their own case (or lead) number and amount.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    Case,
    CaseEvent,
    MessageStatus,
    OutboundMessage,
    utcnow,
)
from webapp.privacy.publishing.redact import redact
from webapp.services import events, jobs
from webapp.services.doors.codes import MOBILE, normalise_mobile, phone_key
from webapp.services.doors.leads import CLOSE_REASON_LABELS

DELIVER_JOB = "messages.deliver"
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600


class SendError(Exception):
    """The gateway did not take the message."""


class MessageSender(Protocol):
    """Something that hands one text to one phone, or raises :class:`SendError`."""

    @property
    def name(self) -> str: ...

    def send(self, phone: str, text: str) -> None: ...


class LocalOutbox:
    """The default: nothing leaves the machine; the ``outbound_messages`` table is the outbox."""

    name = "outbox"

    def send(self, phone: str, text: str) -> None:
        return None


@dataclass(frozen=True)
class HttpSmsGateway:
    """A generic HTTP SMS gateway: ``POST url`` with JSON ``{phone, sign, text}`` and the key
    as a bearer token; any 2xx answer without ``"ok": false`` counts as accepted."""

    url: str
    key: str
    sign_name: str
    timeout: float = 5.0
    name: str = "sms"

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "sign": self.sign_name, "text": text},
                          ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310  (the URL is the operator's setting)
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                raw = answer.read(4096)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise SendError(f"gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendError(f"gateway unreachable: {type(exc).__name__}") from exc
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:
            parsed = {}
        if isinstance(parsed, dict) and parsed.get("ok") is False:
            raise SendError(f"gateway refused: {str(parsed.get('error', ''))[:100]}")


@dataclass
class _Config:
    sender: MessageSender
    max_attempts: int = 5
    hash_key: str = "unset"
    appeal_days: int = 60


_config = _Config(LocalOutbox())


def configure(config: Mapping[str, Any]) -> None:
    """Choose the sender from the app config (called once by the app factory)."""
    if config.get("MESSAGE_SENDER") == "sms":
        sender: MessageSender = HttpSmsGateway(str(config["SMS_GATEWAY_URL"]),
                                               str(config.get("SMS_GATEWAY_KEY", "")),
                                               str(config.get("SMS_SIGN_NAME", "")))
    else:
        sender = LocalOutbox()
    _config.sender = sender
    _config.max_attempts = int(config.get("MESSAGE_MAX_ATTEMPTS", 5))
    _config.hash_key = str(config.get("PERSON_HASH_KEY", "unset"))
    _config.appeal_days = int(config.get("APPEAL_DAYS", 60))


def current_sender() -> MessageSender:
    return _config.sender


def queue(session: Session, *, phone: str, text: str, kind: str, case_id: int | None = None,
          lead_id: int | None = None) -> OutboundMessage | None:
    """Write a message to a mobile number and ask a worker to deliver it; a phone that is not
    a mobile number gets nothing (``None``)."""
    phone = normalise_mobile(phone)
    if not MOBILE.fullmatch(phone):
        return None
    row = OutboundMessage(kind=kind, phone=phone, phone_key=phone_key(phone, _config.hash_key),
                          body=text, case_id=case_id, lead_id=lead_id,
                          status=MessageStatus.QUEUED)
    session.add(row)
    session.flush()
    jobs.enqueue(session, DELIVER_JOB, {"message_id": row.id})
    return row


def backoff_seconds(attempts: int) -> int:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return int(min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def deliver(session: Session, message: OutboundMessage, *, sender: MessageSender | None = None,
            now: dt.datetime | None = None) -> OutboundMessage:
    """Try to hand one message to the sender; record the outcome (sent, retrying, failed)."""
    if message.status in (MessageStatus.SENT, MessageStatus.FAILED):
        return message
    now = now or utcnow()
    sender = sender or _config.sender
    message.attempts += 1
    message.sender = sender.name
    try:
        sender.send(message.phone, message.body)
    except SendError as exc:
        message.last_error = str(exc)[:300]
        if message.attempts >= _config.max_attempts:
            message.status, message.next_attempt_at = MessageStatus.FAILED, None
        else:
            message.status = MessageStatus.RETRYING
            message.next_attempt_at = now + dt.timedelta(
                seconds=backoff_seconds(message.attempts))
    else:
        message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT, now, None
        message.last_error = None
    session.flush()
    return message


@jobs.handler(DELIVER_JOB)
def _deliver_job(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    message = session.get(OutboundMessage, payload.get("message_id"))
    if message is None:
        return {"missing": payload.get("message_id")}
    deliver(session, message)
    return {"message_id": message.id, "status": message.status.value}


def retry_due(session: Session, *, now: dt.datetime | None = None) -> int:
    """Queue a delivery job for every message whose retry is due; return how many."""
    now = now or utcnow()
    rows = list(session.scalars(select(OutboundMessage).where(
        OutboundMessage.status == MessageStatus.RETRYING,
        OutboundMessage.next_attempt_at <= now).order_by(OutboundMessage.id)))
    for row in rows:
        row.next_attempt_at = None  # claimed: the job decides the next time
        jobs.enqueue(session, DELIVER_JOB, {"message_id": row.id})
    session.flush()
    return len(rows)


# ---- what is said, and when ----------------------------------------------------------------

def _case_phone(case: Case) -> str | None:
    applicant = case.applicant
    return applicant.phone if applicant is not None and applicant.phone else None


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _to_case(session: Session, case: Case, kind: str, text: str) -> int:
    phone = _case_phone(case)
    if phone is None:
        return 0
    return 1 if queue(session, phone=phone, text=text, kind=kind, case_id=case.id) else 0


def applicant_reason(session: Session, case: Case, action: str) -> str:
    """The refusal's reason as the applicant may read it: known names and numbers blanked."""
    if action == "refuse" and case.refusal_reason:
        reason = case.refusal_reason
    else:
        reason = session.scalars(select(CaseEvent.note).where(
            CaseEvent.case_id == case.id, CaseEvent.action == action)
            .order_by(CaseEvent.id.desc())).first() or ""
    names = [case.applicant.name] if case.applicant is not None else []
    text = redact(reason, known_names=names).text
    return text if len(text) <= 60 else text[:59] + "…"


def on_case_progressed(session: Session, event: events.CaseProgressed) -> None:
    if event.action == "accept":
        _to_case(session, event.case, "accepted",
                 f"您的救助申请已受理，编号{event.case.number}。可凭编号和本手机号在网上查询进度。")


def on_case_transferred(session: Session, event: events.CaseTransferred) -> None:
    _to_case(session, event.case, "transferred",
             f"您的救助申请{event.case.number}已转相关部门协同办理，进度可在网上查询。")


def on_case_approved(session: Session, event: events.CaseApproved) -> None:
    _to_case(session, event.case, "approved",
             f"您的救助申请{event.case.number}已批准，救助金额{_yuan(event.amount)}元。")


def on_payment_posted(session: Session, event: events.PaymentPosted) -> None:
    case = event.case
    if case is not None:
        _to_case(session, case, "paid",
                 f"您的救助申请{case.number}的救助金{_yuan(event.amount)}元已拨付，请注意查收。")


def on_case_ended(session: Session, event: events.CaseEnded) -> None:
    case = event.case
    if event.reason in ("refuse", "reject"):
        reason = applicant_reason(session, case, event.reason)
        _to_case(session, case, "refused",
                 f"您的救助申请{case.number}未获批准，理由：{reason}。如有异议，可在"
                 f"{_config.appeal_days}日内在网上“进度查询”中申请复核，或到镇（街道）受理窗口申请。")
    elif event.reason == "close":
        _to_case(session, case, "closed", f"您的救助申请{case.number}已办结，感谢您的配合。")


def on_appeal_decided(session: Session, event: events.AppealDecided) -> None:
    outcome = "撤销原决定，重新办理" if event.overturned else "维持原决定"
    _to_case(session, event.case, "appeal",
             f"您对救助申请{event.case.number}的复核申请已办理：{outcome}。")


def on_lead_filed(session: Session, event: events.LeadFiled) -> None:
    lead = event.lead
    if event.actor is None and lead.phone:
        queue(session, phone=lead.phone, kind="lead", lead_id=lead.id,
              text=f"您的网上申请已提交，编号{lead.number}。镇（街道）受理窗口将在"
                   f"{lead.due_on:%m月%d日}前与您联系，也可凭编号查询进度。")


def on_lead_closed(session: Session, event: events.LeadClosed) -> None:
    lead = event.lead
    if lead.reporter_id is None and lead.phone and lead.close_reason is not None:
        queue(session, phone=lead.phone, kind="lead", lead_id=lead.id,
              text=f"您的网上申请{lead.number}已处理：{CLOSE_REASON_LABELS[lead.close_reason]}。"
                   "如有疑问请到镇（街道）受理窗口咨询。")


def code_text(code: str, minutes: int) -> str:
    return f"验证码{code}，{minutes}分钟内有效，仅用于救急难网上申请和进度查询，请勿告诉他人。"


def visible_outbox(session: Session, *, limit: int = 100) -> list[OutboundMessage]:
    """The latest messages, newest first (the development outbox page)."""
    return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())
                                .limit(limit)))

"""Messages to applicants: queued with the change that caused them, delivered by a job,
failures recorded and retried with a doubling delay; texts carry only number and amount."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from webapp.models import Job, MessageStatus, OutboundMessage, utcnow
from webapp.services import jobs
from webapp.services.doors import messages


class _FailingSender:
    name = "sms"

    def __init__(self):
        self.calls = 0

    def send(self, phone: str, text: str) -> None:
        self.calls += 1
        raise messages.SendError("gateway unreachable: URLError")


def test_case_events_send_short_texts_without_personal_data(db, reported_case, staff,
                                                             outbox_texts):
    case = reported_case(actions=["accept", "start_verification", "verify", "approve"])
    texts = outbox_texts("13812345678")
    assert any(t.startswith("您的救助申请已受理，编号" + case.number) for t in texts)
    assert any(f"已批准，救助金额{case.approved_amount:,.2f}元" in t for t in texts)
    for text in texts:
        assert "王秀英" not in text and "前王村" not in text and len(text) <= 120


def test_a_refusal_text_gives_the_reason_and_how_to_appeal(db, reported_case, outbox_texts):
    case = reported_case(actions=["refuse"])
    last = outbox_texts("13812345678")[-1]
    assert case.number in last and "不属于急难范围" in last and "申请复核" in last


def test_a_refusal_reason_naming_the_applicant_is_blanked(db, staff, settings, case_input,
                                                          outbox_texts):
    from webapp.services.cases import workflow
    from webapp.services.cases.intake import report_case
    case = report_case(db.session, staff["intake"], case_input(), settings=settings)
    workflow.fire(db.session, staff["intake"], case, "refuse", settings=settings,
                  reason="王秀英家有车辆", referred_to="无")
    assert "王秀英" not in outbox_texts("13812345678")[-1]


def test_delivery_job_marks_the_message_sent(db, reported_case):
    case = reported_case(actions=["accept"])
    row = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.case_id == case.id)).one()
    assert row.status is MessageStatus.QUEUED
    assert db.session.scalars(select(Job).where(Job.kind == messages.DELIVER_JOB)).first()
    jobs.run_pending(db.session)
    db.session.refresh(row)
    assert row.status is MessageStatus.SENT and row.attempts == 1 and row.sender == "outbox"


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(db, reported_case, app):
    case = reported_case(actions=["accept"])
    row = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.case_id == case.id)).one()
    failing, now = _FailingSender(), utcnow()
    messages.deliver(db.session, row, sender=failing, now=now)
    assert row.status is MessageStatus.RETRYING and row.attempts == 1
    assert row.next_attempt_at == now + dt.timedelta(seconds=60)
    assert "URLError" in row.last_error
    messages.deliver(db.session, row, sender=failing, now=now)
    assert row.next_attempt_at == now + dt.timedelta(seconds=120)  # doubled
    assert messages.retry_due(db.session, now=now) == 0  # not due yet
    assert messages.retry_due(db.session, now=now + dt.timedelta(seconds=121)) == 1
    limit = app.config["MESSAGE_MAX_ATTEMPTS"]
    for _ in range(limit):
        messages.deliver(db.session, row, sender=failing, now=now)
    assert row.status is MessageStatus.FAILED and row.attempts == limit
    assert failing.calls == limit


def test_a_rolled_back_change_sends_nothing(db, reported_case, staff, settings):
    from webapp.services.cases import workflow
    case = reported_case()
    before = db.session.scalars(select(OutboundMessage.id)).all()
    workflow.fire(db.session, staff["intake"], case, "accept", settings=settings)
    db.session.rollback()
    assert db.session.scalars(select(OutboundMessage.id)).all() == before


@pytest.fixture
def gateway():
    received: list[dict] = []
    answers = [(500, b"{}"), (200, b'{"ok": true}')]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"auth": self.headers["Authorization"], **json.loads(body)})
            status, payload = answers.pop(0)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()
    server.server_close()


def test_http_gateway_posts_phone_sign_and_text_and_reports_failures(gateway):
    url, received = gateway
    sender = messages.HttpSmsGateway(url, "k-123", "高唐县民政局")
    with pytest.raises(messages.SendError):
        sender.send("13800001111", "您的救助申请已受理")
    sender.send("13800001111", "您的救助申请已受理")
    assert received[-1] == {"auth": "Bearer k-123", "phone": "13800001111",
                            "sign": "高唐县民政局", "text": "您的救助申请已受理"}

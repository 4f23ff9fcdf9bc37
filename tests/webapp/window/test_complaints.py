"""Complaints to the county bureau: filed by anyone, refused when empty or flooding, answered
in writing by an officer, read by the auditor, late ones on the supervision board."""
import datetime as dt

import pytest
from sqlalchemy import func, select, text

from webapp.models import AuditEvent, Complaint, ComplaintStatus, utcnow
from webapp.services import DomainError, PermissionDeniedError, complaints
from webapp.services.accounts import ThrottledError
from webapp.services.cases import deadlines

POLICY = complaints.ComplaintPolicy(answer_days=5, address_limit=2, window_minutes=60)
TEXT = "到窗口咨询大病救助，工作人员让我去医保局问，来回跑了三趟。"


def _file(db, settings, *, address="10.0.0.1", now=None, **fields):
    data = complaints.ComplaintInput(**{"topic": "shirking", "content": TEXT, **fields})
    complaint = complaints.file_complaint(db.session, data, address=address, policy=POLICY,
                                          settings=settings, now=now)
    db.session.commit()
    return complaint


def test_file_complaint_sets_number_and_working_day_deadline(db, staff, settings):
    monday = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
    complaint = _file(db, settings, now=monday, contact_phone="13812345678",
                      town_id=staff["org"]("梁村镇").id)
    assert complaint.number == f"TS-2026-{complaint.id:05d}"
    assert complaint.due_on == dt.date(2026, 12, 7)  # five working days, weekend skipped
    assert complaint.due_on == deadlines.add_working_days(dt.date(2026, 11, 30), 5, settings)
    raw = db.session.execute(text("SELECT content, contact_phone FROM complaints")).one()
    assert TEXT not in raw[0] and "13812345678" not in raw[1]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "complaint.file")).one()
    assert "13812345678" not in event.summary and "10.0.0.1" not in event.summary


def test_bad_complaint_is_refused_and_nothing_written(db, staff, settings):
    with pytest.raises(DomainError) as caught:
        _file(db, settings, content="  ", topic="", contact_phone="12", case_number="abc",
              town_id=999999)
    db.session.rollback()
    assert set(caught.value.errors) == {"content", "topic", "contact_phone", "case_number",
                                        "town_id"}
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_flood_from_one_address_is_refused(db, staff, settings):
    _file(db, settings)
    _file(db, settings)
    with pytest.raises(ThrottledError):
        _file(db, settings)
    db.session.rollback()
    _file(db, settings, address="10.0.0.2")  # another address is not held back
    assert db.session.scalar(select(func.count(Complaint.id))) == 3


def test_officer_answers_once_and_auditor_may_not(db, staff, settings):
    complaint = _file(db, settings)
    with pytest.raises(PermissionDeniedError):
        complaints.answer_complaint(db.session, staff["auditor"], complaint,
                                    answer="已经核实处理，谢谢监督。")
    with pytest.raises(DomainError):
        complaints.answer_complaint(db.session, staff["officer"], complaint, answer="好")
    complaints.answer_complaint(db.session, staff["officer"], complaint,
                                answer="已约谈窗口负责人，要求首问负责，并已为您办理受理。")
    assert complaint.status == ComplaintStatus.ANSWERED
    with pytest.raises(DomainError):
        complaints.answer_complaint(db.session, staff["officer"], complaint,
                                    answer="再次答复的内容应被拒绝。")


def test_public_form_files_and_shows_number(db, staff, client, auth):
    page = client.get("/complaints/new").get_data(as_text=True)
    assert "0635-3951234" in page  # the county's supervision telephone in the footer
    response = auth.post("/complaints/new", {"topic": "delay", "town_id": 0,
                                             "content": TEXT}, form_page="/complaints/new")
    assert response.status_code == 200
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.number in response.get_data(as_text=True)
    empty = auth.post("/complaints/new", {"topic": "delay", "town_id": 0, "content": ""},
                      form_page="/complaints/new")
    assert empty.status_code == 400 and "请写明投诉内容" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Complaint.id))) == 1


def test_overdue_complaint_on_supervision_board_and_answered_by_page(db, staff, settings,
                                                                    auth):
    late = _file(db, settings, now=utcnow() - dt.timedelta(days=30))
    called_id = _file(db, settings, contact_phone="13812345678").id
    number, late_id = late.number, late.id
    auth.login("auditor")
    board = auth._client.get("/cases/supervision").get_data(as_text=True)
    assert 'id="overdue-complaints"' in board and number in board
    detail = auth._client.get(f"/supervision/complaints/{late_id}").get_data(as_text=True)
    assert TEXT in detail and 'id="answer-form"' not in detail
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "complaint.view")) == 0  # no contact given, nothing personal
    auth._client.get(f"/supervision/complaints/{called_id}")
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "complaint.view")) == 1
    auth.logout()
    auth.login("officer")
    response = auth.post(f"/supervision/complaints/{late_id}/answer",
                         {"answer": "已核实，窗口人员已批评教育，您的申请已受理。"},
                         form_page=f"/supervision/complaints/{late_id}")
    assert response.status_code == 302
    auth._client.get(f"/supervision/complaints/{late_id}")  # the flash message is shown
    board = auth._client.get("/cases/supervision").get_data(as_text=True)
    assert number not in board and 'id="no-overdue-complaints"' in board

"""The joint conference's records: member departments, attendance, minutes, overdue meetings."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from webapp.models import AuditEvent, ConferenceAttendance
from webapp.services import ConflictError, DomainError, PermissionDeniedError
from webapp.services.cases import conference
from webapp.services.cases import conference_records as records
from webapp.services.cases.conference_records import MeetingState

PAST = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 12, 2, tzinfo=dt.UTC)


@pytest.fixture
def meeting(db, staff):
    item = conference.schedule_conference(db.session, staff["officer"], title="第一次联席会议",
                                          scheduled_at=PAST, location="三楼会议室")
    db.session.commit()
    return item


@pytest.fixture
def members(db, staff):
    """The education bureau and the health commission are members."""
    added = [records.add_member(db.session, staff["officer"], staff["org"](name))
             for name in ("高唐县教育和体育局", "高唐县卫生健康局")]
    db.session.commit()
    return added


def test_meeting_state_is_overdue_once_past_without_minutes(db, staff, meeting):
    assert records.meeting_state(meeting, PAST - dt.timedelta(hours=1)) == MeetingState.SCHEDULED
    assert records.meeting_state(meeting, NOW) == MeetingState.OVERDUE
    records.record_minutes(db.session, staff["officer"], meeting,
                           minutes="会议研究了两个急难个案，决定由部门协同落实。", now=NOW)
    assert records.meeting_state(meeting, NOW) == MeetingState.RECORDED


def test_members_are_approved_departments_once_each(db, staff, members):
    with pytest.raises(ConflictError):
        records.add_member(db.session, staff["officer"], staff["org"]("高唐县教育和体育局"))
    with pytest.raises(DomainError):
        records.add_member(db.session, staff["officer"], staff["org"]("梁村镇"))
    with pytest.raises(PermissionDeniedError):
        records.add_member(db.session, staff["auditor"], staff["org"]("高唐县民政局"))


def test_attendance_marks_members_present_or_absent(db, staff, meeting, members):
    education, health = (m.organisation_id for m in members)
    records.record_attendance(db.session, staff["officer"], meeting, present=[education],
                              representatives={education: "张科长"}, now=NOW)
    db.session.commit()
    rows = {a.organisation_id: (a.present, a.representative) for a in meeting.attendance}
    assert rows == {education: (True, "张科长"), health: (False, "")}
    records.record_attendance(db.session, staff["officer"], meeting,
                              present=[education, health], now=NOW)
    assert db.session.scalar(select(func.count()).select_from(ConferenceAttendance)) == 2


def test_attendance_of_a_non_member_changes_nothing(db, staff, meeting, members):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    stranger = staff["org"]("梁村镇").id
    with pytest.raises(DomainError, match="成员单位"):
        records.record_attendance(db.session, staff["officer"], meeting,
                                  present=[members[0].organisation_id, stranger], now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ConferenceAttendance)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_records_of_a_future_meeting_are_refused(db, staff, meeting, members):
    early = PAST - dt.timedelta(days=1)
    with pytest.raises(ConflictError):
        records.record_minutes(db.session, staff["officer"], meeting,
                               minutes="提前写好的纪要内容，不应被接受。", now=early)
    with pytest.raises(ConflictError):
        records.record_attendance(db.session, staff["officer"], meeting,
                                  present=[members[0].organisation_id], now=early)
    with pytest.raises(DomainError):
        records.record_minutes(db.session, staff["officer"], meeting, minutes="太短", now=NOW)
    assert meeting.minutes is None


def test_minutes_pdf_holds_the_meeting_and_its_minutes(client, auth, db, staff, meeting,
                                                        members):
    records.record_attendance(db.session, staff["officer"], meeting,
                              present=[members[0].organisation_id], now=NOW)
    records.record_minutes(db.session, staff["officer"], meeting,
                           minutes="会议决定：教育局落实助学救助，卫健局跟进医疗费用。", now=NOW)
    db.session.commit()
    meeting_id = meeting.id
    auth.login("auditor")
    response = client.get(f"/cases/conferences/{meeting_id}/minutes.pdf")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("第一次联席会议", "会议纪要", "出席情况", "高唐县教育和体育局",
                     "教育局落实助学救助"):
        assert expected in text


def test_conference_pages_record_attendance_and_minutes(client, auth, db, staff, meeting,
                                                        members):
    meeting_id, education = meeting.id, members[0].organisation_id
    auth.login("officer")
    page = f"/cases/conferences/{meeting_id}"
    assert "逾期未录纪要" in client.get(page).get_data(as_text=True)
    assert "逾期未录纪要" in client.get("/cases/conferences").get_data(as_text=True)
    stranger = staff["org"]("梁村镇").id
    bad = auth.post(f"{page}/attendance", {"present": [stranger]}, form_page=page)
    assert bad.status_code == 400 and "只能记录成员单位的出席情况" in bad.get_data(as_text=True)
    ok = auth.post(f"{page}/attendance", {"present": [education],
                                          f"representative_{education}": "张科长"},
                   form_page=page)
    assert ok.status_code == 302
    ok = auth.post(f"{page}/minutes", {"minutes": "会议研究决定由教育局落实助学救助。"},
                   form_page=page)
    assert ok.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "已召开，纪要已录" in html and "张科长" in html

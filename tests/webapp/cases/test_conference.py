"""The joint conference: schedule, agenda, decisions that fire transitions."""
import datetime as dt

import pytest
from sqlalchemy import select

from webapp.models import CaseStatus, ConferenceStatus, Transfer
from webapp.services import ConflictError, PermissionDeniedError
from webapp.services.cases import conference

ESCALATED = ("accept", "start_verification", "escalate")
WHEN = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)


@pytest.fixture
def meeting(db, staff):
    item = conference.schedule_conference(db.session, staff["officer"], title="第一次联席会议",
                                          scheduled_at=WHEN, location="三楼会议室")
    db.session.commit()
    return item


def test_conference_schedule_refused_to_intake(db, staff):
    with pytest.raises(PermissionDeniedError):
        conference.schedule_conference(db.session, staff["intake"], title="会议",
                                       scheduled_at=WHEN)


def test_conference_agenda_takes_only_escalated_cases(db, staff, meeting, reported_case):
    with pytest.raises(ConflictError):
        conference.add_to_agenda(db.session, staff["officer"], meeting,
                                 reported_case(actions=["accept"]))


def test_conference_approve_decision_approves_case(db, staff, meeting, reported_case, settings):
    case = reported_case(actions=ESCALATED)
    item = conference.add_to_agenda(db.session, staff["officer"], meeting, case)
    conference.record_decision(db.session, staff["officer"], item, decision="approve",
                               amount="4000", settings=settings)
    db.session.commit()
    assert case.status == CaseStatus.APPROVED and str(item.amount) == "4000.00"
    assert meeting.status == ConferenceStatus.HELD


def test_conference_reject_decision_rejects_case(db, staff, meeting, reported_case, settings):
    case = reported_case(actions=ESCALATED)
    item = conference.add_to_agenda(db.session, staff["officer"], meeting, case)
    conference.record_decision(db.session, staff["officer"], item, decision="reject",
                               note="已享受其他政策", settings=settings)
    assert case.status == CaseStatus.REJECTED


def test_conference_assign_decision_transfers_to_departments(db, staff, meeting, reported_case,
                                                              settings):
    case = reported_case(actions=ESCALATED)
    item = conference.add_to_agenda(db.session, staff["officer"], meeting, case)
    ids = [staff["org"]("高唐县教育和体育局").id, staff["org"]("高唐县卫生健康局").id]
    conference.record_decision(db.session, staff["officer"], item, decision="assign",
                               department_ids=ids, settings=settings)
    rows = db.session.scalars(select(Transfer).where(Transfer.case_id == case.id)).all()
    assert case.status == CaseStatus.TRANSFERRED
    assert sorted(t.department_id for t in rows) == sorted(ids)
    assert {t.from_status for t in rows} == {CaseStatus.VERIFIED}


def test_conference_decision_cannot_be_taken_twice(db, staff, meeting, reported_case, settings):
    case = reported_case(actions=ESCALATED)
    item = conference.add_to_agenda(db.session, staff["officer"], meeting, case)
    conference.record_decision(db.session, staff["officer"], item, decision="reject",
                               settings=settings)
    with pytest.raises(ConflictError):
        conference.record_decision(db.session, staff["officer"], item, decision="approve",
                                   settings=settings)


def test_conference_pages_walk(client, auth, db, staff, reported_case):
    case_id = reported_case(actions=ESCALATED).id
    auth.login("officer")
    response = auth.post("/cases/conferences", {"title": "第二次联席会议",
                                                "scheduled_at": "2026-03-12T09:30",
                                                "location": "会议室"})
    assert response.status_code == 302
    page = response.headers["Location"]
    conference_id = int(page.rstrip("/").rsplit("/", 1)[1])
    auth.post(f"/cases/conferences/{conference_id}/agenda", {"case_id": case_id},
              form_page=page)
    html = client.get(page).get_data(as_text=True)
    item_id = int(html.split("/cases/conferences/items/")[1].split("/")[0])
    auth.post(f"/cases/conferences/items/{item_id}/decision",
              {"decision": "approve", "amount": "3000"}, form_page=page)
    from webapp.models import Case
    assert db.session.get(Case, case_id).status == CaseStatus.APPROVED
    assert "批准救助" in client.get(page).get_data(as_text=True)

"""An officer's pages for one person's data: find by ID number (through the keyed hash),
export everything held (a download, audited with its reason) and correct a field after a
confirmation (audited by field name, never the values)."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from webapp.models import Applicant, AuditEvent, User
from webapp.services import DomainError, retention


def _events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _officer(db):
    return db.session.scalars(select(User).where(User.username == "officer")).one()


def test_find_people_uses_the_hash_and_audits_no_number(app, db, reported_case):
    case = reported_case(actions=("accept",))
    number = case.applicant.id_number
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    found = retention.find_people(db.session, _officer(db), spaced,
                                  hash_key=app.config["PERSON_HASH_KEY"])
    assert [a.id for a in found] == [case.applicant.id]
    assert retention.find_people(db.session, _officer(db), "371526190001010000",
                                 hash_key=app.config["PERSON_HASH_KEY"]) == []
    db.session.commit()
    events = _events(db, "privacy.find")
    assert [json.loads(e.summary) for e in events] == [{"matches": 1}, {"matches": 0}]
    assert all(number not in e.summary for e in events)
    with pytest.raises(DomainError):
        retention.find_people(db.session, _officer(db), "12345",
                              hash_key=app.config["PERSON_HASH_KEY"])


def _csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_officer_finds_exports_and_corrects_a_person(app, db, client, auth, reported_case):
    case = reported_case(actions=("accept",))
    applicant = case.applicant
    name, number, old_phone = applicant.name, applicant.id_number, applicant.phone
    auth.login("officer")
    page = auth.post("/person-data/", {"id_number": number})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and case.number in html
    assert name not in html and number not in html  # masked in the list
    assert f"/person-data/{applicant.id}" in html

    person_page = client.get(f"/person-data/{applicant.id}").get_data(as_text=True)
    assert name not in person_page and old_phone not in person_page

    # Export without a reason: refused, nothing audited; with one: a JSON download.
    refused = auth.post(f"/person-data/{applicant.id}/export", {"export_reason": ""},
                        form_page=f"/person-data/{applicant.id}")
    assert refused.status_code == 302 and _events(db, "privacy.export") == []
    download = auth.post(f"/person-data/{applicant.id}/export", {"export_reason": "access_request"},
                         form_page=f"/person-data/{applicant.id}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    record = json.loads(download.get_data(as_text=True))
    assert record["applicant"]["name"] == name
    assert [c["number"] for c in record["cases"]] == [case.number]
    [event] = _events(db, "privacy.export")
    assert json.loads(event.summary)["reason"] == "access_request" and name not in event.summary

    # Correct: the first post only shows old and new values; nothing is written yet.
    form = {"phone": "13900001111", "address": "", "reason": "本人提供新号码"}
    check = auth.post(f"/person-data/{applicant.id}/correct", form,
                      form_page=f"/person-data/{applicant.id}")
    shown = check.get_data(as_text=True)
    assert check.status_code == 200 and old_phone in shown and "13900001111" in shown
    assert "确认更正" in shown
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).phone == old_phone
    assert _events(db, "privacy.correct") == []

    done = client.post(f"/person-data/{applicant.id}/correct",
                       data={**form, "confirm": "yes", "csrf_token": _csrf(shown)},
                       follow_redirects=True)
    assert done.status_code == 200 and "已更正" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).phone == "13900001111"
    [event] = _events(db, "privacy.correct")
    assert json.loads(event.summary)["fields"] == ["phone"]
    assert old_phone not in event.summary and "13900001111" not in event.summary

    # The auditor reads it in the audit log, in words.
    auth.logout()
    auth.login("auditor")
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "更正申请人个人信息" in log and "联系电话" in log and ">privacy.correct<" not in log


def test_bad_correction_shows_a_message_and_changes_nothing(app, db, client, auth,
                                                            reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    before = (applicant.birth_date, applicant.id_number)
    auth.login("officer")
    for form, message in (({"birth_date": "1980-13-40", "reason": "户口簿"}, "出生日期格式不正确"),
                          ({"id_number": "123", "reason": "户口簿"}, "身份证号码应为 18 位"),
                          ({"phone": "13900001111", "reason": ""}, "This field is required"),
                          ({"reason": "户口簿"}, "没有需要更正的字段")):
        page = auth.post(f"/person-data/{applicant.id}/correct", {**form, "confirm": "yes"},
                         form_page=f"/person-data/{applicant.id}")
        assert page.status_code in (400, 409), form
        if message != "This field is required":
            assert message in page.get_data(as_text=True)
    db.session.expire_all()
    fresh = db.session.get(Applicant, applicant.id)
    assert (fresh.birth_date, fresh.id_number) == before
    assert _events(db, "privacy.correct") == []


def test_intake_worker_and_auditor_cannot_open_the_pages(client, auth, reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    for name in ("intake", "auditor"):
        auth.login(name)
        assert client.get("/person-data/").status_code == 403
        assert client.get(f"/person-data/{applicant.id}").status_code == 403
        auth.logout()

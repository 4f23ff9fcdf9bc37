"""Finding a case by number fragment, applicant name or ID number (a keyed blind index),
the audit of person searches, the officer's 待受理 tile and the masked 急难情况 text."""
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from tests.factories import make_id
from webapp.models import AuditEvent, Case
from webapp.privacy.infrastructure.crypto import name_key, normalise_name
from webapp.services.cases import finding

STORY = "申请人王秀英家中突发重病，联系电话13812345678，身份证号{id}。"


@pytest.fixture
def person_case(db, reported_case):
    """A 梁村镇 case whose story names the applicant, her phone and her ID number."""
    id_number = make_id(seq=7)
    case = reported_case(id_number=id_number)
    case.description = STORY.format(id=id_number)
    db.session.commit()
    return SimpleNamespace(id=case.id, number=case.number, applicant_id=case.applicant_id,
                           id_number=id_number)


def _found(client, q):
    html = client.get("/cases/", query_string={"q": q}).get_data(as_text=True)
    return html


def _person_searches(db):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.search_person").order_by(AuditEvent.id)).all()


def test_parse_query_tells_number_name_and_id_apart(settings):
    key = settings.person_hash_key
    assert finding.parse_query("303", hash_key=key).kind == finding.NUMBER
    assert finding.parse_query("gt-2026-000303", hash_key=key).kind == finding.NUMBER
    assert finding.parse_query(" 王 秀英 ", hash_key=key).kind == finding.NAME
    by_id = finding.parse_query("37152619800305007x", hash_key=key)
    assert by_id.kind == finding.ID_NUMBER and "3715" not in by_id.digest
    assert finding.parse_query("   ", hash_key=key) is None


def test_name_key_is_keyed_and_normalised():
    assert name_key("王秀英", "k1") == name_key(" 王 秀英", "k1") != name_key("王秀英", "k2")
    assert normalise_name("阿卜杜·热合曼") == "阿卜杜热合曼"
    assert name_key("王秀英", "k1") != name_key("王秀", "k1")


def test_case_search_finds_a_fragment_of_the_case_number(client, auth, reported_case):
    case, other = reported_case().number, reported_case().number
    auth.login("officer")
    html = _found(client, case[-3:])
    assert case in html and other not in html


def test_case_search_finds_full_name_and_id_without_storing_them(client, auth, db,
                                                                   person_case, reported_case):
    case, id_number = person_case, person_case.id_number
    auth.login("intake")
    assert case.number in _found(client, "王秀英")
    assert case.number in _found(client, id_number.lower())
    assert case.number not in _found(client, "王秀")  # only the full name is indexed
    row = db.session.execute(text("SELECT name, id_number, name_key, person_key "
                                  "FROM applicants WHERE id = :id"),
                             {"id": case.applicant_id}).one()
    stored = "".join(row)
    assert "王秀英" not in stored and id_number not in stored


def test_case_search_by_person_is_audited_without_the_query(client, auth, db, person_case):
    case, id_number = person_case, person_case.id_number
    auth.login("officer")
    _found(client, "王秀英")
    _found(client, id_number)
    _found(client, case.number[-3:])  # a number search is not a view of personal data
    events = _person_searches(db)
    assert [json.loads(e.summary) for e in events] == [
        {"by": "name", "matches": 1}, {"by": "id_number", "matches": 1}]
    assert all("王秀英" not in e.summary and id_number not in e.summary for e in events)


def test_case_search_by_person_is_refused_to_departments(client, auth, db, reported_case):
    case = reported_case(actions=["accept", "transfer"])
    number, id_number = case.number, case.applicant.id_number
    auth.login("dept")
    assert number in _found(client, number[-4:])
    assert number not in _found(client, "王秀英")
    assert number not in _found(client, id_number)


def test_case_search_by_name_stays_within_the_workers_town(client, auth, reported_case):
    number = reported_case().number
    auth.login("intake2")  # 清平镇
    assert number not in _found(client, "王秀英")


def test_case_search_api_finds_by_name(client, api_token, person_case, db):
    case = person_case
    response = client.get("/api/v1/cases", query_string={"q": "王秀英"},
                          headers=api_token("officer"))
    assert response.status_code == 200
    assert [c["number"] for c in response.get_json()["items"]] == [case.number]
    assert len(_person_searches(db)) == 1


def test_officer_dashboard_has_the_waiting_tile(client, auth, reported_case):
    reported_case(), reported_case(), reported_case(actions=["accept"])
    auth.login("officer")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "待受理" in html and "/cases/?status=reported" in html
    listed = client.get("/cases/?status=reported").get_data(as_text=True)
    assert listed.count("GT-") == 2


@pytest.mark.parametrize("user", ["intake", "officer", "auditor"])
def test_case_story_is_masked_until_revealed(client, auth, db, person_case, user):
    case, id_number = person_case, person_case.id_number
    auth.login(user)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for secret in ("王秀英", "13812345678", id_number):
        assert secret not in html
    assert "【姓名】" in html and "个人信息已隐去" in html
    revealed = auth.post(f"/cases/{case.id}/reveal", form_page=f"/cases/{case.id}")
    assert STORY.format(id=id_number) in revealed.get_data(as_text=True)
    reveal = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.reveal")).one()
    assert "description" in json.loads(reveal.summary)["fields"]


def test_case_story_in_api_is_masked_unless_revealed(client, api_token, person_case):
    case, id_number = person_case, person_case.id_number
    headers = api_token("officer")
    masked = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()
    assert "王秀英" not in masked["description"] and "13812345678" not in masked["description"]
    full = client.get(f"/api/v1/cases/{case.id}?reveal=1", headers=headers).get_json()
    assert full["description"] == STORY.format(id=id_number)


def test_name_keys_are_backfilled_for_rows_without_one(db, person_case, settings):
    from webapp.services.cases.finding import backfill_name_keys
    case = person_case
    db.session.execute(text("UPDATE applicants SET name_key = NULL"))
    assert backfill_name_keys(db.session, hash_key=settings.person_hash_key) == 1
    assert db.session.get(Case, case.id).applicant.name_key == \
        name_key("王秀英", settings.person_hash_key)

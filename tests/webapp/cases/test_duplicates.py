"""Duplicates at intake: an ID number (applicant or member) with an open case, or this year's
help for the same cause, anywhere in the county is told at once — case number and town only,
audited — by the endpoint the form calls and again on submit, which asks to confirm."""
import re

from sqlalchemy import func, select

from tests.factories import make_id
from webapp.models import AuditEvent, Case
from webapp.services.cases import duplicates
from webapp.services.cases.household import MemberInput

CLOSED_HELPED = ("accept", "start_verification", "verify", "approve", "publish",
                 "start_assistance", "close")


def _find(db, staff, settings, *numbers, category="serious_illness", actor="intake2"):
    return duplicates.find_duplicates(db.session, staff[actor], numbers, category=category,
                                      hash_key=settings.person_hash_key)


def test_open_case_of_applicant_found_from_another_town(db, staff, settings, reported_case):
    number = make_id("19650707", 11)
    case = reported_case("梁村镇", id_number=number)
    hits = _find(db, staff, settings, number, category="fire")
    assert [(h.number, h.town, h.open) for h in hits] == [(case.number, "梁村镇", True)]


def test_member_id_number_found_both_ways(db, staff, settings, reported_case):
    member = make_id("19900202", 12)
    case = reported_case(members=[MemberInput("李桂兰", "spouse", member)])
    assert [h.number for h in _find(db, staff, settings, member)] == [case.number]
    applicant = case.applicant.id_number
    assert [h.number for h in _find(db, staff, settings, applicant)] == [case.number]


def test_closed_case_counts_only_for_the_same_cause(db, staff, settings, reported_case):
    number = make_id("19550505", 13)
    case = reported_case(actions=CLOSED_HELPED, id_number=number)
    assert [(h.number, h.open) for h in _find(db, staff, settings, number)] == [
        (case.number, False)]
    assert _find(db, staff, settings, number, category="fire") == []


def test_unknown_and_invalid_numbers_find_nothing(db, staff, settings, reported_case):
    reported_case()
    assert _find(db, staff, settings, make_id("20010101", 14), "12345", "") == []


def test_every_check_is_audited_without_personal_data(db, staff, settings, reported_case):
    number = make_id("19650707", 15)
    reported_case(id_number=number)
    _find(db, staff, settings, number)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.duplicate_check")).one()
    assert '"matches": 1' in event.summary and number not in event.summary


def _intake_form(town_id, id_number, **extra):
    return {"name": "张建国", "id_number": id_number, "phone": "13812345678",
            "address": "梁村镇前王村 3 号", "local_hukou": "local", "town_id": town_id,
            "village_id": 0, "category": "serious_illness", "urgency": 3,
            "amount_needed": "6000", "source": "window", "household_size": 3,
            "description": "家中主要劳动力突发重病住院，医疗费用缺口较大。",
            "consent_version": "1", "consent_agreed": "y", "consent_method": "paper", **extra}


def test_endpoint_tells_the_window_case_number_and_town(db, staff, reported_case, auth):
    number = make_id("19650707", 16)
    case = reported_case("梁村镇", id_number=number)
    case_number = case.number
    auth.login("intake2")
    response = auth.post("/cases/duplicates", {"id_number": number,
                                               "category": "serious_illness"},
                         form_page="/cases/new")
    body = response.get_json()
    assert response.status_code == 200
    assert body["matches"] == [{"number": case_number, "town": "梁村镇", "open": True}]
    assert case_number in body["message"] and "王秀英" not in response.get_data(as_text=True)


def test_submit_warns_then_records_once_confirmed(db, staff, reported_case, auth):
    member = make_id("19900202", 17)
    existing = reported_case("清平镇", members=[MemberInput("李桂兰", "spouse", member)])
    existing_number = existing.number
    before = db.session.scalar(select(func.count(Case.id)))
    auth.login("intake")
    town_id = staff["org"]("梁村镇").id
    data = _intake_form(town_id, member)
    response = auth.post("/cases/new", data, form_page="/cases/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert existing_number in html and "清平镇" in html and 'id="duplicate-warning"' in html
    assert db.session.scalar(select(func.count(Case.id))) == before
    response = auth.post("/cases/new", {**data, "confirm_duplicates": "y"},
                         form_page="/cases/new")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Case.id))) == before + 1


def test_submit_with_members_and_bad_member_input(db, staff, auth, consent_notice):
    auth.login("intake")
    town_id = staff["org"]("梁村镇").id
    data = _intake_form(town_id, make_id("19770707", 18), **{
        "members-0-name": "李桂兰", "members-0-relation": "neighbour",
        "members-1-name": "王子涵", "members-1-relation": "child",
        "members-1-id_number": "371526200801010000"})
    response = auth.post("/cases/new", data, form_page="/cases/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择有效的与申请人关系" in html and "家庭成员身份证号码无效" in html
    assert db.session.scalar(select(func.count(Case.id))) == 0
    data.update({"members-0-relation": "spouse", "members-1-id_number": ""})
    response = auth.post("/cases/new", data, form_page="/cases/new")
    assert response.status_code == 302
    case_id = int(re.search(r"/cases/(\d+)", response.headers["Location"]).group(1))
    case = db.session.get(Case, case_id)
    assert [(m.name, m.relation.value) for m in case.members] == [
        ("李桂兰", "spouse"), ("王子涵", "child")]


def test_api_takes_members(db, staff, client, api_token, consent_notice):
    headers = api_token("intake")
    body = {"applicant": {"name": "张建国", "id_number": make_id("19770707", 19),
                          "local_hukou": True},
            "town": staff["org"]("梁村镇").id, "category": "serious_illness",
            "amount_needed": "5000", "description": "家中主要劳动力突发重病住院，医疗费用缺口较大。",
            "household": {"size": 2},
            "consent": {"version": 1, "agreed": True, "method": "paper"},
            "members": [{"name": "李桂兰", "relation": "spouse", "flags": ["elderly"]}]}
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    members = response.get_json()["members"]
    assert len(members) == 1 and members[0]["relation"] == "spouse"
    assert members[0]["name"] != "李桂兰" and members[0]["flags"] == ["elderly"]
    bad = {**body, "members": [{"name": "李桂兰", "relation": "aunt"}]}
    response = client.post("/api/v1/cases", json=bad, headers=headers)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert db.session.scalar(select(func.count(Case.id))) == 1


def test_api_refuses_a_duplicate_with_409_until_confirmed(db, staff, client, api_token,
                                                         reported_case, consent_notice):
    member = make_id("19900202", 20)
    existing = reported_case("清平镇", members=[MemberInput("李桂兰", "spouse", member)])
    existing_number = existing.number
    db.session.commit()
    headers = api_token("intake")
    body = {"applicant": {"name": "张建国", "id_number": member, "local_hukou": True},
            "town": staff["org"]("梁村镇").id, "category": "serious_illness",
            "amount_needed": "5000", "description": "家中主要劳动力突发重病住院，医疗费用缺口较大。",
            "consent": {"version": 1, "agreed": True, "method": "paper"}}
    before = db.session.scalar(select(func.count(Case.id)))
    response = client.post("/api/v1/cases", json=body, headers=headers)
    problem = response.get_json()
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert problem["duplicates"] == [{"number": existing_number, "town": "清平镇", "open": True}]
    assert existing_number in problem["detail"] and "李桂兰" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == before
    checks = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "case.duplicate_check"))
    response = client.post("/api/v1/cases", json={**body, "confirm_duplicates": True},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["duplicates"] == problem["duplicates"]
    assert db.session.scalar(select(func.count(Case.id))) == before + 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "case.duplicate_check")) == checks + 1

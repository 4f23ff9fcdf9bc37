"""The lead API: a finder files, the window converts, the finder reads the outcome and never
more than they gave; a lead for a town that does not exist is a 400 problem."""
from sqlalchemy import func, select

from tests.factories import make_id
from webapp.models import Lead


def test_volunteer_files_window_converts_volunteer_reads_the_outcome(client, api_token, staff,
                                                                    consent_notice):
    town = staff["org"]("梁村镇").id
    created = client.post("/api/v1/leads", headers=api_token("volunteer"), json={
        "name": "钱淑珍", "town": town, "phone": "13600001111",
        "description": "老人独居，突发中风，邻居发现后送医，需要帮助。", "urgency": 3})
    assert created.status_code == 201, created.json
    lead_id = created.json["id"]
    assert created.json["status"] == "open" and created.json["due_on"]
    queue = client.get("/api/v1/leads", headers=api_token("intake")).json
    assert lead_id in [item["id"] for item in queue["items"]]
    converted = client.post(f"/api/v1/leads/{lead_id}/conversion", headers=api_token("intake"),
                            json={"id_number": make_id("19480202", 3),
                                  "category": "serious_illness", "amount_needed": "6000.00",
                                  "consent": {"version": consent_notice.version, "agreed": True,
                                              "method": "paper", "proxy_name": "钱志强",
                                              "proxy_relation": "child"}})
    assert converted.status_code == 201, converted.json
    seen = client.get(f"/api/v1/leads/{lead_id}", headers=api_token("volunteer")).json
    assert seen["status"] == "converted" and seen["outcome"] == "已受理，转为个案"
    assert seen["case_number"] == converted.json["case_number"]
    assert "id_number" not in seen and make_id("19480202", 3) not in str(seen)
    again = client.post(f"/api/v1/leads/{lead_id}/closure", headers=api_token("intake"),
                        json={"reason": "duplicate"})
    assert again.status_code == 409


def test_lead_for_a_missing_town_is_a_problem_and_writes_nothing(client, api_token, db):
    before = db.session.scalar(select(func.count()).select_from(Lead))
    answer = client.post("/api/v1/leads", headers=api_token("rescue"), json={
        "name": "无名氏", "town": 987654, "description": "车站发现流浪人员生病，需要救助。",
        "address": "车站广场"})
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert db.session.scalar(select(func.count()).select_from(Lead)) == before


def test_another_towns_window_cannot_see_the_lead(client, api_token, filed_lead):
    lead_id = filed_lead("volunteer", town="梁村镇").id
    assert client.get(f"/api/v1/leads/{lead_id}", headers=api_token("intake2")).status_code == 404
    assert client.get(f"/api/v1/leads/{lead_id}", headers=api_token("donor")).status_code == 403

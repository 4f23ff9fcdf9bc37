"""The county rules in the JSON API: staff read them, only the administrator changes them,
each change effective from a chosen day; bad input is problem+json and changes nothing."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.models import AuditEvent, CalendarDay, CountyRule, SchemeStandardChange, utcnow
from webapp.services.cases.deadlines import local_date


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def today() -> dt.date:
    return local_date(utcnow())


def rule(data: dict, key: str) -> dict:
    return next(r for r in data["rules"] if r["key"] == key)


def test_admin_schedules_a_rule_and_readers_see_it_from_its_day(client, api_token, db, staff):
    later = today() + dt.timedelta(days=10)
    response = client.post("/api/v1/county-rules", headers=api_token("admin"), json={
        "key": "limit.transfer", "value": "5", "effective_from": later.isoformat(),
        "note": "县政府常务会议决定"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["effective_from"] == later.isoformat()
    officer = api_token("officer")
    now = client.get("/api/v1/county-rules", headers=officer).get_json()
    assert rule(now, "limit.transfer")["value"] == "3"
    assert [s["value"] for s in rule(now, "limit.transfer")["scheduled"]] == ["5"]
    then = client.get(f"/api/v1/county-rules?on={later.isoformat()}",
                      headers=api_token("auditor")).get_json()
    assert rule(then, "limit.transfer")["value"] == "5"
    assert rule(then, "limit.transfer")["since"] == later.isoformat()
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rules.set")).one()


@pytest.mark.parametrize(("body", "status", "where"), [
    ({"key": "limit.transfer", "value": "-1"}, 400, "之间"),
    ({"key": "limit.transfer", "value": "4", "effective_from": "2020-01-01"}, 400,
     "effective_from"),
    ({"key": "limit.nothing", "value": "4"}, 422, "key"),
    ({"key": "green_channel.cap", "value": "abc"}, 400, "数字"),
    ({"key": "limit.transfer"}, 422, "value"),
])
def test_bad_rule_is_problem_json_and_changes_nothing(client, api_token, db, body, status,
                                                      where):
    headers = api_token("admin")
    before = (count(db, CountyRule), count(db, AuditEvent))
    response = client.post("/api/v1/county-rules", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert where in str(response.get_json())
    assert (count(db, CountyRule), count(db, AuditEvent)) == before


def test_only_the_administrator_changes_rules(client, api_token, db):
    for user in ("officer", "auditor"):
        response = client.post("/api/v1/county-rules", headers=api_token(user),
                               json={"key": "limit.transfer", "value": "4"})
        assert response.status_code == 403
    assert client.get("/api/v1/county-rules", headers=api_token("intake")).status_code == 403
    assert count(db, CountyRule) == 0


def test_calendar_override_through_the_api(client, api_token, db):
    year = today().year + 1
    headers = api_token("admin")
    loaded = client.post("/api/v1/county-rules/calendar/load", json={"year": year},
                         headers=headers)
    assert loaded.status_code == 201 and loaded.get_json()["holidays"] > 0
    day = dt.date(year, 10, 9).isoformat()
    made = client.post("/api/v1/county-rules/calendar", headers=headers,
                       json={"day": day, "kind": "workday", "note": "国庆节调休"})
    assert made.status_code == 201, made.get_json()
    days = client.get(f"/api/v1/county-rules/calendar?year={year}",
                      headers=api_token("officer")).get_json()["days"]
    assert {"day": day, "kind": "workday", "source": "local", "note": "国庆节调休"} in days
    before = count(db, CalendarDay)
    outside = client.post("/api/v1/county-rules/calendar", headers=headers,
                          json={"day": day, "kind": "holiday", "year": year + 1})
    assert outside.status_code == 400 and "不在" in outside.get_json()["detail"]
    past = client.post("/api/v1/county-rules/calendar", headers=headers,
                       json={"day": "2020-10-09", "kind": "holiday"})
    assert past.status_code == 400
    assert count(db, CalendarDay) == before
    removed = client.post("/api/v1/county-rules/calendar/remove", json={"day": day},
                          headers=headers)
    assert removed.status_code == 204
    assert count(db, CalendarDay) == before - 1


def test_scheme_standards_through_the_api(client, api_token, db, listed_scheme):
    scheme_id = listed_scheme(high="3000").id
    headers = api_token("admin")
    later = (today() + dt.timedelta(days=7)).isoformat()
    made = client.post(f"/api/v1/county-rules/schemes/{scheme_id}", headers=headers, json={
        "min_amount": "500", "max_amount": "2000", "times_per_year": 1,
        "effective_from": later})
    assert made.status_code == 201, made.get_json()
    data = client.get("/api/v1/county-rules", headers=api_token("officer")).get_json()
    standard = next(s for s in data["schemes"] if s["scheme_id"] == scheme_id)
    assert standard["max_amount"] == "3000.00" and standard["since"] is None
    before = count(db, SchemeStandardChange)
    bad = client.post(f"/api/v1/county-rules/schemes/{scheme_id}", headers=headers,
                      json={"min_amount": "900", "max_amount": "800"})
    assert bad.status_code == 400 and "min_amount" in str(bad.get_json()["errors"])
    missing = client.post("/api/v1/county-rules/schemes/999999", headers=headers,
                          json={"max_amount": "800"})
    assert missing.status_code == 404
    assert count(db, SchemeStandardChange) == before

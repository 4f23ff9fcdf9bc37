"""The complaint API: anyone files one as on the public form (problem+json on bad input or a
flood, nothing written); officers and the auditor read them, a view of the contact audited;
only officers answer, once."""
from sqlalchemy import func, select

from webapp.models import AuditEvent, Complaint

TEXT = "到窗口咨询大病救助，工作人员让我去医保局问，来回跑了三趟。"


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.get_json()


def test_anyone_files_a_complaint_and_gets_its_number(db, staff, client):
    town = staff["org"]("梁村镇").id
    response = client.post("/api/v1/complaints", json={
        "topic": "delay", "content": TEXT, "town": town, "contact_phone": "13812345678"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    complaint = db.session.scalars(select(Complaint)).one()
    assert body == {"number": complaint.number, "status": "open",
                    "due_on": complaint.due_on.isoformat()}
    assert complaint.town_id == town and complaint.contact_phone == "13812345678"


def test_bad_complaint_lists_every_problem_and_writes_nothing(db, staff, client):
    body = _problem(client.post("/api/v1/complaints", json={
        "topic": "bribe", "content": "太慢", "town": 999999, "case_number": "abc",
        "contact_phone": "12"}), 400)
    assert set(body["errors"]) == {"topic", "content", "town_id", "case_number",
                                   "contact_phone"}
    _problem(client.post("/api/v1/complaints", json={"content": TEXT}), 422)  # no topic
    _problem(client.post("/api/v1/complaints", data="not json",
                         headers={"Content-Type": "application/json"}), 400)
    assert _count(db, Complaint) == 0


def test_a_flood_from_one_address_is_refused_with_retry_after(db, staff, client, app):
    app.config["COMPLAINT_ADDRESS_LIMIT"] = 2
    for _ in range(2):
        assert client.post("/api/v1/complaints",
                           json={"topic": "other", "content": TEXT}).status_code == 201
    response = client.post("/api/v1/complaints", json={"topic": "other", "content": TEXT})
    assert "提交过于频繁" in _problem(response, 429)["detail"]
    assert int(response.headers["Retry-After"]) > 0
    assert _count(db, Complaint) == 2


def test_reading_is_for_officers_and_the_auditor_and_a_contact_view_is_audited(
        db, staff, client, api_token):
    client.post("/api/v1/complaints", json={"topic": "attitude", "content": TEXT,
                                            "contact_name": "王女士",
                                            "contact_phone": "13812345678"})
    complaint_id = db.session.scalars(select(Complaint.id)).one()
    assert client.get("/api/v1/complaints").status_code == 401
    assert client.get("/api/v1/complaints",
                      headers=api_token("intake")).status_code == 403
    auditor = api_token("auditor")
    listing = client.get("/api/v1/complaints?state=open", headers=auditor).get_json()
    assert [c["id"] for c in listing["items"]] == [complaint_id]
    assert "contact_phone" not in listing["items"][0] and not listing["items"][0]["overdue"]
    assert _count(db, AuditEvent, AuditEvent.action == "complaint.view") == 0
    detail = client.get(f"/api/v1/complaints/{complaint_id}", headers=auditor).get_json()
    assert detail["content"] == TEXT and detail["contact_phone"] == "13812345678"
    assert _count(db, AuditEvent, AuditEvent.action == "complaint.view") == 1
    _problem(client.get("/api/v1/complaints/999999", headers=auditor), 404)
    _problem(client.get("/api/v1/complaints?state=late", headers=auditor), 422)


def test_only_an_officer_answers_and_only_once(db, staff, client, api_token):
    client.post("/api/v1/complaints", json={"topic": "delay", "content": TEXT})
    complaint_id = db.session.scalars(select(Complaint.id)).one()
    url = f"/api/v1/complaints/{complaint_id}/answer"
    answer = "已核实，镇窗口已受理您的申请并安排入户核查。"
    _problem(client.post(url, json={"answer": answer}, headers=api_token("auditor")), 403)
    officer = api_token("officer")
    assert "errors" in _problem(client.post(url, json={"answer": "好"}, headers=officer), 400)
    response = client.post(url, json={"answer": answer}, headers=officer)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "answered"
    assert response.get_json()["answer"] == answer
    _problem(client.post(url, json={"answer": "再次答复的内容应被拒绝。"}, headers=officer), 400)
    db.session.expire_all()
    assert db.session.get(Complaint, complaint_id).answer == answer
    answered = client.get("/api/v1/complaints?state=answered", headers=officer).get_json()
    assert [c["id"] for c in answered["items"]] == [complaint_id]


def test_the_complaint_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/complaints"])
    assert "429" in paths["/api/v1/complaints"]["post"]["responses"]
    assert "post" in paths["/api/v1/complaints/{complaint_id}/answer"]

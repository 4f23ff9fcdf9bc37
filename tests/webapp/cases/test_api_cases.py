"""The case API: report, list, read, transitions, transfers; errors as problem+json."""
import pytest
from sqlalchemy import func, select

from tests.factories import ORDINARY, make_id
from webapp.models import AuditEvent, Case, CaseStatus


@pytest.fixture
def body(staff, consent_notice):
    def build(**changes):
        data = {"applicant": {"name": "李桂兰", "id_number": make_id("19620718", 5),
                              "phone": "13912345678", "address": "梁村镇李楼村 3 号",
                              "local_hukou": False},
                "town": staff["org"]("梁村镇").id, "category": "serious_illness",
                "urgency": 3, "amount_needed": "12000.50",
                "description": "突发脑出血住院，医疗费用缺口大，家庭无力承担。",
                "source": "hotline", "services": ["陪护就医"],
                "household": {"size": 4, "flags": ["elderly"]},
                "consent": {"version": consent_notice.version, "agreed": True,
                            "method": "read_aloud"}}
        for key, value in changes.items():
            if key.startswith("applicant_"):
                data["applicant"][key[len("applicant_"):]] = value
            else:
                data[key] = value
        return data
    return build


def count_cases(db):
    return db.session.scalar(select(func.count()).select_from(Case))


def test_api_create_case_returns_masked_case(client, api_token, body, staff):
    response = client.post("/api/v1/cases", json=body(), headers=api_token("intake"))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["number"].startswith("GT-") and data["status"] == "reported"
    assert data["amount_needed"] == "12000.50"
    assert data["applicant"]["phone"] == "139****5678"
    assert data["applicant"]["local_hukou"] is False
    assert "李桂兰" not in str(response.get_json())


@pytest.mark.parametrize("change,field", [
    ({"applicant_id_number": "371526196207180050"}, "applicant.id_number"),
    ({"applicant_phone": "1234"}, "applicant.phone"),
    ({"amount_needed": "-5"}, "amount_needed"),
    ({"amount_needed": "10.001"}, "amount_needed"),
    ({"amount_needed": "99999999999"}, "amount_needed"),
    ({"category": "lottery"}, "category"),
    ({"town": 999999}, "town"),
])
def test_api_create_case_bad_input_changes_nothing(client, api_token, body, db, change, field):
    before = count_cases(db)
    response = client.post("/api/v1/cases", json=body(**change), headers=api_token("intake"))
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert field in str(response.get_json().get("errors"))
    assert count_cases(db) == before


def test_api_create_case_in_other_town_is_refused(client, api_token, body, staff):
    response = client.post("/api/v1/cases", json=body(town=staff["org"]("清平镇").id),
                           headers=api_token("intake"))
    assert response.status_code == 400
    assert "本镇" in str(response.get_json())


def test_api_create_case_refused_to_department(client, api_token, body):
    assert client.post("/api/v1/cases", json=body(),
                       headers=api_token("dept")).status_code == 403


def test_api_list_shows_intake_worker_only_own_town(client, api_token, reported_case):
    mine, other = reported_case("梁村镇").number, reported_case("清平镇").number
    numbers = [c["number"] for c in client.get(
        "/api/v1/cases", headers=api_token("intake")).get_json()["items"]]
    assert mine in numbers and other not in numbers


def test_api_list_officer_sees_all_and_filters(client, api_token, reported_case, staff):
    reported_case("梁村镇"), reported_case("清平镇")
    headers = api_token("officer")
    data = client.get("/api/v1/cases", headers=headers).get_json()
    assert data["meta"]["total"] == 2
    town = staff["org"]("清平镇").id
    data = client.get(f"/api/v1/cases?town={town}&status=reported", headers=headers).get_json()
    assert [c["town_id"] for c in data["items"]] == [town]


def test_api_list_per_page_over_100_is_refused(client, api_token):
    assert client.get("/api/v1/cases?per_page=101",
                      headers=api_token("officer")).status_code == 422


def test_api_department_sees_only_transferred_cases_masked(client, api_token, reported_case):
    sent = reported_case(actions=["accept", "transfer"]).id
    reported_case()
    response = client.get("/api/v1/cases", headers=api_token("dept"))
    items = response.get_json()["items"]
    assert [c["id"] for c in items] == [sent]
    assert items[0]["applicant"]["id_number"] == "（已隐藏）"
    assert items[0]["applicant"]["phone"] == "138****5678"


def test_api_department_cannot_reveal(client, api_token, reported_case):
    sent = reported_case(actions=["accept", "transfer"])
    case_id, id_number = sent.id, sent.applicant.id_number
    response = client.get(f"/api/v1/cases/{case_id}?reveal=1", headers=api_token("dept"))
    assert response.status_code == 403
    assert id_number not in response.get_data(as_text=True)


def test_api_reveal_shows_full_data_and_is_audited(client, api_token, reported_case, db):
    case = reported_case()
    case_id, id_number = case.id, case.applicant.id_number
    response = client.get(f"/api/v1/cases/{case_id}?reveal=1", headers=api_token("officer"))
    assert response.get_json()["applicant"]["id_number"] == id_number
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.reveal", AuditEvent.object_id == str(case_id))).one()


def test_api_detail_without_reveal_is_masked(client, api_token, reported_case):
    case = reported_case()
    case_id, id_number = case.id, case.applicant.id_number
    data = client.get(f"/api/v1/cases/{case_id}", headers=api_token("officer")).get_json()
    assert data["applicant"]["id_number"] != id_number
    assert data["applicant"]["name"] == "王**"
    assert "accept" in data["actions"]


def test_api_case_of_other_town_is_not_found(client, api_token, reported_case):
    case_id = reported_case("清平镇").id
    assert client.get(f"/api/v1/cases/{case_id}",
                      headers=api_token("intake")).status_code == 404


def test_api_transitions_walk_the_ordinary_path(client, api_token, reported_case):
    case_id = reported_case().id
    intake, officer = api_token("intake"), api_token("officer")
    url = f"/api/v1/cases/{case_id}/transitions"
    for action in ORDINARY:
        assert client.post(url, json={"action": action}, headers=intake).status_code == 200
    response = client.post(url, json={"action": "approve", "amount": "5000"}, headers=officer)
    assert response.get_json()["status"] == "approved"
    assert response.get_json()["approved_amount"] == "5000.00"


def test_api_illegal_transition_is_409_problem(client, api_token, reported_case):
    case_id = reported_case().id
    response = client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "close"},
                           headers=api_token("intake"))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "不能执行" in response.get_json()["detail"]


def test_api_unknown_action_is_refused(client, api_token, reported_case):
    case_id = reported_case().id
    response = client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "fly"},
                           headers=api_token("intake"))
    assert response.status_code == 422


@pytest.mark.parametrize("username,action,setup", [
    ("intake", "approve", ORDINARY), ("dept", "accept", ()), ("auditor", "accept", ()),
    ("intake", "publish", ORDINARY), ("auditor", "approve", ORDINARY),
])
def test_api_transition_refused_to_wrong_role(client, api_token, reported_case, username, action,
                                              setup):
    case_id = reported_case(actions=setup).id
    response = client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": action},
                           headers=api_token(username))
    assert response.status_code in (403, 404)


def test_api_transfer_to_missing_department_is_400(client, api_token, reported_case, db):
    case_id = reported_case(actions=["accept"]).id
    response = client.post(f"/api/v1/cases/{case_id}/transitions", headers=api_token("intake"),
                           json={"action": "transfer", "department_id": 987654,
                                 "reason": "请协助"})
    assert response.status_code == 400
    assert db.session.get(Case, case_id).status == CaseStatus.ACCEPTED


def test_api_transfer_and_answer(client, api_token, reported_case, staff, db):
    case_id = reported_case(actions=["accept", "start_verification"]).id
    department_id = staff["org"]("高唐县教育和体育局").id
    response = client.post(f"/api/v1/cases/{case_id}/transitions", headers=api_token("intake"),
                           json={"action": "transfer", "reason": "请落实教育救助",
                                 "department_id": department_id})
    assert response.get_json()["status"] == "transferred"
    dept = api_token("dept")
    inbox = client.get("/api/v1/transfers?status=open", headers=dept).get_json()
    transfer_id = inbox["items"][0]["id"]
    answer = client.post(f"/api/v1/transfers/{transfer_id}/answer", headers=dept,
                         json={"answer": "已落实助学金"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "answered"
    again = client.post(f"/api/v1/transfers/{transfer_id}/answer", headers=dept,
                        json={"answer": "再次答复"})
    assert again.status_code == 409
    assert db.session.get(Case, case_id).status == CaseStatus.VERIFYING


def test_api_transfers_of_other_department_are_invisible(client, api_token, reported_case):
    reported_case(actions=["accept", "transfer"])
    assert client.get("/api/v1/transfers", headers=api_token("health")
                      ).get_json()["meta"]["total"] == 0


def test_api_change_to_closed_case_is_409(client, api_token, reported_case):
    case_id = reported_case(actions=["withdraw"]).id
    response = client.post(f"/api/v1/cases/{case_id}/transitions",
                           json={"action": "accept"}, headers=api_token("officer"))
    assert response.status_code == 409


def test_api_case_paths_are_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/cases", "/api/v1/cases/{case_id}",
                 "/api/v1/cases/{case_id}/transitions", "/api/v1/transfers",
                 "/api/v1/transfers/{transfer_id}/answer"):
        assert path in paths
    assert paths["/api/v1/cases"]["post"]["security"] == [{"bearerAuth": []}]


def test_api_detail_carries_the_consent_record_to_those_who_may_see_it(client, api_token,
                                                                        body, consent_notice):
    proxy = {"version": consent_notice.version, "agreed": True, "method": "paper",
             "proxy_name": "李建国", "proxy_relation": "child"}
    created = client.post("/api/v1/cases", json=body(consent=proxy),
                          headers=api_token("officer")).get_json()
    url = f"/api/v1/cases/{created['id']}"
    masked = client.get(url, headers=api_token("officer")).get_json()["consents"]
    assert [(c["version"], c["method"], c["proxy_relation"]) for c in masked] == [
        (consent_notice.version, "paper", "child")]
    assert masked[0]["proxy_name"] not in ("", "李建国")
    shown = client.get(url + "?reveal=1", headers=api_token("officer")).get_json()["consents"]
    assert shown[0]["proxy_name"] == "李建国"


def test_api_detail_hides_the_consent_record_from_a_department(client, api_token,
                                                               reported_case):
    case_id = reported_case(actions=["accept", "transfer"]).id
    assert client.get(f"/api/v1/cases/{case_id}",
                      headers=api_token("officer")).get_json()["consents"]
    dept = client.get(f"/api/v1/cases/{case_id}", headers=api_token("dept")).get_json()
    assert dept["consents"] is None


def test_api_consent_record_is_in_the_openapi_document(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    detail = schemas["CaseDetailOut"]["properties"]["consents"]
    assert detail["type"] == "array" or "array" in detail.get("type", [])
    assert {"version", "method", "proxy_name", "proxy_relation", "recorded_at"} <= set(
        schemas["ConsentOut"]["properties"])

"""The ledger in the JSON API: reservations, disbursement, void, idempotency keys, journal."""

import pytest
from sqlalchemy import func, select

from webapp.models import MoneyTransfer
from webapp.services import ledger


class Ref:
    """Ids of a row: requests end the session, so tests keep ids, not ORM objects."""

    def __init__(self, row):
        self.id = row.id
        self.number = getattr(row, "number", None)


@pytest.fixture
def setup(db, officers, make_fund, approved_case, api_token):
    fund, case = Ref(make_fund("10000")), Ref(approved_case("8000"))
    return fund, case, api_token("officer"), api_token("officer2")


def _reserve(client, headers, fund, case, amount="1000.00", key=None):
    if key:
        headers = {**headers, "Idempotency-Key": key}
    return client.post("/api/v1/money-transfers", headers=headers, json={
        "source": "fund", "source_id": fund.id, "case_id": case.id, "amount": amount,
        "reference": "proposal:1"})


def _count(db):
    return db.session.scalar(select(func.count()).select_from(MoneyTransfer))


def test_api_reserve_creates_pending_transfer(client, setup):
    fund, case, approver, _ = setup
    response = _reserve(client, approver, fund, case)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["amount"], body["case_number"]) == ("pending", "1000.00",
                                                                     case.number)


def test_api_reserve_retry_with_same_key_returns_first_response(client, db, setup):
    fund, case, approver, _ = setup
    first = _reserve(client, approver, fund, case, key="k-1")
    retry = _reserve(client, approver, fund, case, key="k-1")
    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _count(db) == 2  # the opening balance and one reservation


def test_api_reserve_same_key_other_request_is_refused(client, db, setup):
    fund, case, approver, _ = setup
    _reserve(client, approver, fund, case, key="k-2")
    response = _reserve(client, approver, fund, case, amount="2000.00", key="k-2")
    assert response.status_code == 422
    assert "另一个请求" in response.get_json()["detail"]


def test_api_reserve_failed_request_is_not_remembered(client, setup):
    fund, case, approver, _ = setup
    assert _reserve(client, approver, fund, case, amount="99999", key="k-3").status_code == 400
    assert _reserve(client, approver, fund, case, amount="99999", key="k-3").status_code == 400


@pytest.mark.parametrize("amount,status,text", [
    ("0", 422, "金额必须大于零"), ("-1", 422, "金额必须大于零"),
    ("1.005", 422, "两位小数"), (1.005, 422, "两位小数"), ("20000", 400, "可用余额不足"),
    ("9000", 400, "尚缺")])
def test_api_reserve_bad_amount_is_a_problem_and_changes_nothing(client, db, setup, amount,
                                                                 status, text):
    fund, case, approver, _ = setup
    before = _count(db)
    response = _reserve(client, approver, fund, case, amount=amount)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert text in str(response.get_json())
    assert _count(db) == before


def test_api_disburse_posts_transfer(client, setup):
    fund, case, approver, payer = setup
    transfer_id = _reserve(client, approver, fund, case).get_json()["id"]
    response = client.post(f"/api/v1/money-transfers/{transfer_id}/disburse", headers=payer,
                           json={"payee": "高唐县人民医院", "method": "hospital_settlement",
                                 "voucher_number": "PZ-9", "paid_on": "2026-01-05"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "posted"
    assert body["voucher"]["number"] == "PZ-9"
    assert "payee" not in body["voucher"]


def test_api_disburse_by_approver_is_forbidden(client, setup):
    fund, case, approver, _ = setup
    transfer_id = _reserve(client, approver, fund, case).get_json()["id"]
    response = client.post(f"/api/v1/money-transfers/{transfer_id}/disburse", headers=approver,
                           json={"payee": "医院", "method": "cash", "voucher_number": "PZ-1",
                                 "paid_on": "2026-01-05"})
    assert response.status_code == 403


def test_api_void_twice_is_a_conflict(client, setup):
    fund, case, approver, payer = setup
    transfer_id = _reserve(client, approver, fund, case).get_json()["id"]
    url = f"/api/v1/money-transfers/{transfer_id}/void"
    assert client.post(url, headers=payer, json={"reason": "撤回"}).status_code == 200
    again = client.post(url, headers=payer, json={"reason": "撤回"})
    assert again.status_code == 409
    assert "重复作废" in again.get_json()["detail"]


def test_api_void_retried_with_key_replays_success(client, setup):
    fund, case, approver, payer = setup
    transfer_id = _reserve(client, approver, fund, case).get_json()["id"]
    url = f"/api/v1/money-transfers/{transfer_id}/void"
    headers = {**payer, "Idempotency-Key": "void-1"}
    assert client.post(url, headers=headers, json={"reason": "撤回"}).status_code == 200
    assert client.post(url, headers=headers, json={"reason": "撤回"}).status_code == 200


def test_api_second_approval_then_disburse_large_payment(client, db, officers, make_fund,
                                                         approved_case, api_token):
    fund, case = Ref(make_fund("20000")), Ref(approved_case("9000"))
    approver, payer, checker = api_token("officer"), api_token("officer2"), api_token("officer3")
    transfer_id = _reserve(client, approver, fund, case, amount="6000").get_json()["id"]
    pay = {"payee": "医院", "method": "cash", "voucher_number": "PZ-2", "paid_on": "2026-01-05"}
    url = f"/api/v1/money-transfers/{transfer_id}"
    assert client.post(f"{url}/disburse", headers=payer, json=pay).status_code == 409
    assert client.post(f"{url}/second-approval", headers=checker).status_code == 200
    assert client.post(f"{url}/disburse", headers=payer, json=pay).status_code == 200


def test_api_account_journal_lists_lines_with_case_number(client, db, setup):
    fund, case, approver, _ = setup
    _reserve(client, approver, fund, case)
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    response = client.get(f"/api/v1/accounts/{account.id}/journal?per_page=1", headers=approver)
    body = response.get_json()
    assert body["meta"]["total"] == 2
    assert body["items"][0]["case_number"] == case.number
    assert body["items"][0]["amount"] == "1000.00"


def test_api_account_journal_refused_to_donor(client, db, setup, api_token):
    fund, case, approver, _ = setup
    _reserve(client, approver, fund, case)
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    response = client.get(f"/api/v1/accounts/{account.id}/journal", headers=api_token("donor"))
    assert response.status_code == 403


def test_api_fund_manager_reads_own_fund_account(client, db, setup, api_token):
    fund, case, approver, _ = setup
    _reserve(client, approver, fund, case)
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    response = client.get(f"/api/v1/accounts/{account.id}", headers=api_token("fundmgr"))
    assert response.get_json()["available"] == "9000.00"


def test_api_reserve_by_auditor_is_forbidden(client, setup, api_token):
    fund, case, _, _ = setup
    assert _reserve(client, api_token("auditor"), fund, case).status_code == 403


def test_openapi_documents_ledger_endpoints_with_idempotency_key(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    disburse = spec["paths"]["/api/v1/money-transfers/{transfer_id}/disburse"]
    assert "Idempotency-Key" in [p["name"] for p in disburse["parameters"]]
    assert "/api/v1/accounts/{account_id}/journal" in spec["paths"]
    assert disburse["post"]["security"] == [{"bearerAuth": []}]


def test_api_fund_includes_ledger_balances(client, setup):
    fund, case, approver, _ = setup
    _reserve(client, approver, fund, case, amount="1500.00")
    body = client.get(f"/api/v1/funds/{fund.id}", headers=approver).get_json()
    assert {k: body[k] for k in ("total", "reserved", "disbursed", "available")} == {
        "total": "10000.00", "reserved": "1500.00", "disbursed": "0.00", "available": "8500.00"}

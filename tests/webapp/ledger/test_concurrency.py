"""Concurrent approvals and retried requests take effect exactly as often as money allows.

Each thread has its own app context and so its own session and connection. On PostgreSQL the
row locks (SELECT … FOR UPDATE) decide; on SQLite, BEGIN IMMEDIATE serialises the writers.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.conftest import TEST_DB_URL
from webapp.models import Case, LedgerAccount, MoneyTransfer, User
from webapp.models.ledger import MoneyTransferKind
from webapp.services import DomainError, ledger

ON_POSTGRES = TEST_DB_URL.startswith("postgresql")


def _run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def _approve_in_thread(app, officer_id: int, fund_id: int, case_id: int):
    from webapp.extensions import db
    with app.app_context():
        try:
            officer = db.session.get(User, officer_id)
            case = db.session.get(Case, case_id)
            ledger.reserve_for_case(db.session, officer, source="fund", source_id=fund_id,
                                    case=case, amount="100.00", reference="concurrent")
            db.session.commit()
            return "reserved"
        except DomainError:
            db.session.rollback()
            return "refused"
        finally:
            db.session.remove()


@pytest.mark.parametrize("threads", [50])
def test_concurrent_approvals_reserve_only_what_the_fund_holds(app, db, officers, make_fund,
                                                               approved_case, threads):
    fund = make_fund("1000.00")  # pays 10 approvals of 100
    cases = [approved_case("10000.00") for _ in range(5)]
    ledger.open_all_listing_accounts(db.session, None)
    db.session.commit()
    officer_id, fund_id = officers[0].id, fund.id
    case_ids = [c.id for c in cases]
    db.session.remove()  # end this thread's transaction (on SQLite it holds the write lock)
    results = _run_together(threads, lambda i: _approve_in_thread(
        app, officer_id, fund_id, case_ids[i % len(case_ids)]))
    assert results.count("reserved") == 10
    assert results.count("refused") == threads - 10
    db.session.expire_all()
    balances = ledger.balances_for(db.session, "fund", fund_id)
    assert balances["reserved"] == Decimal("1000.00")
    assert balances["available"] == Decimal("0.00")
    assert ledger.verify_ledger(db.session).problems == []


def test_concurrent_requests_with_one_idempotency_key_reserve_once(app, db, client, officers,
                                                                  make_fund, approved_case,
                                                                  api_token):
    fund, case = make_fund("10000.00"), approved_case("5000.00")
    fund_id, case_id = fund.id, case.id
    headers = {**api_token("officer"), "Idempotency-Key": "approve-proposal-42"}
    body = {"source": "fund", "source_id": fund_id, "case_id": case_id, "amount": "300.00",
            "reference": "proposal:42"}
    db.session.remove()

    def send(_):
        response = app.test_client().post("/api/v1/money-transfers", headers=headers, json=body)
        return response.status_code, response.get_json()

    results = _run_together(20, send)
    created = [payload for status, payload in results if status == 201]
    assert created, results
    assert {payload["id"] for payload in created} == {created[0]["id"]}
    # Every answer is the first response, or "still in progress" while the first one runs.
    assert all(status in (201, 409) for status, _ in results)
    db.session.expire_all()
    reservations = db.session.scalar(select(func.count()).select_from(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.RESERVATION))
    assert reservations == 1
    assert ledger.balances_for(db.session, "fund", fund_id)["reserved"] == Decimal("300.00")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks (SELECT … FOR UPDATE) exist only on "
                                            "PostgreSQL; SQLite serialises whole transactions")
def test_reserve_locks_source_account_row_on_postgres(app, db, officers, make_fund, approved_case):
    fund, case = make_fund("1000.00"), approved_case("1000.00")
    ledger.open_all_listing_accounts(db.session, None)
    db.session.commit()
    ledger.reserve_for_case(db.session, officers[0], source="fund", source_id=fund.id,
                            case=case, amount="10", reference="x")
    account_id = db.session.scalars(select(LedgerAccount.id).where(
        LedgerAccount.kind == "fund", LedgerAccount.owner_id == fund.id)).one()
    from webapp.extensions import db as _db

    def try_lock():
        with app.app_context(), _db.engine.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '200ms'")
            try:
                conn.exec_driver_sql(
                    f"SELECT 1 FROM ledger_accounts WHERE id = {account_id} FOR UPDATE")
                return "acquired"
            except OperationalError:  # LockNotAvailable: the reservation holds the row
                return "blocked"

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(try_lock).result() == "blocked"
    db.session.rollback()

"""A case that ends releases the money still reserved for it; disbursed money stays paid."""
from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from tests.webapp.ledger.test_concurrency import ON_POSTGRES
from webapp.models import AuditEvent, Case, CaseStatus, MoneyTransfer, User
from webapp.models.ledger import MoneyTransferKind, MoneyTransferStatus, Verification
from webapp.services import DomainError, ledger
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings

THRESHOLD = Decimal(5000)
# action, the state it fires from, its parameters, the reason written on released transfers
ENDINGS = [
    ("withdraw", CaseStatus.VERIFIED, {"reason": "本人撤回申请"}, "个案已撤回，预留自动释放"),
    ("close", CaseStatus.IN_ASSISTANCE, {"outcome": "已救助"}, "个案已办结，预留自动释放"),
    ("reject", CaseStatus.VERIFIED, {"reason": "不符合条件"}, "个案不予救助，预留自动释放"),
    ("refuse", CaseStatus.REPORTED, {"reason": "不属于急难范围", "referred_to": "县医保局"},
     "个案不予受理，预留自动释放"),
]


@pytest.fixture
def settings(app):
    return CaseSettings.from_config(app.config)


def _reserve(db, actor, fund, case, amount):
    transfer = ledger.reserve_for_case(db.session, actor, source="fund", source_id=fund.id,
                                       case=case, amount=amount, reference="测试预留")
    db.session.commit()
    return transfer


def _pay(db, actor, transfer, voucher):
    ledger.disburse(db.session, actor, transfer, payee="高唐县人民医院", method="bank_transfer",
                    voucher_number=voucher, paid_on=dt.date(2026, 1, 5),
                    second_officer_above=THRESHOLD)
    db.session.commit()
    return transfer


def _fire(db, actor, case, action, settings, **params):
    result = workflow.fire(db.session, actor, case, action, settings=settings, **params)
    db.session.commit()
    db.session.expire_all()
    return result


def test_withdraw_voids_both_pending_reservations_and_keeps_the_paid_one(
        db, runner, officers, make_fund, approved_case, settings):
    approver, payer, _checker = officers
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    first = _reserve(db, approver, fund, case, "1500.00")
    second = _reserve(db, approver, fund, case, "2500.00")
    paid = _pay(db, payer, _reserve(db, approver, fund, case, "1000.00"), "PZ-CE-1")
    assert ledger.balances_for(db.session, "fund", fund.id)["available"] == Decimal("5000.00")

    result = _fire(db, approver, case, "withdraw", settings, reason="本人撤回申请")

    assert result.case is case and result.event.reason == "withdraw"
    assert [t.id for t in result.released] == [first.id, second.id]
    for transfer in (first, second):
        assert transfer.status is MoneyTransferStatus.VOIDED
        assert transfer.void_reason == "个案已撤回，预留自动释放"
        assert transfer.voided_by_id == approver.id
    assert paid.status is MoneyTransferStatus.POSTED
    assert ledger.balances_for(db.session, "fund", fund.id) == {
        "total": Decimal("10000.00"), "reserved": Decimal("0.00"),
        "disbursed": Decimal("1000.00"), "available": Decimal("9000.00")}
    assert ledger.case_account(db.session, case).approved_total == Decimal("1000.00")
    assert ledger.verify_ledger(db.session).problems == []
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_withdraw_audits_each_void_and_the_release(db, officers, make_fund, approved_case,
                                                   settings):
    approver = officers[0]
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    ids = [_reserve(db, approver, fund, case, amount).id for amount in ("100.00", "200.00")]
    _fire(db, approver, case, "withdraw", settings, reason="本人撤回申请")
    voids = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.void")
                               .order_by(AuditEvent.seq)).all()
    assert [e.object_id for e in voids] == [str(i) for i in ids]
    release = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ledger.release")).one()
    assert (release.object_type, release.object_id) == ("cases", str(case.id))
    assert '"amount": "300.00"' in release.summary and f"[{ids[0]}, {ids[1]}]" in release.summary
    transition = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.withdraw")).one()
    assert transition.seq < voids[0].seq  # one transaction: the transition, then its release


@pytest.mark.parametrize("action,source,params,reason", ENDINGS, ids=[e[0] for e in ENDINGS])
def test_every_ending_releases_pending_reservations(db, officers, make_fund, approved_case,
                                                    settings,
                                                    action, source, params, reason):
    approver = officers[0]
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=source)
    transfer = _reserve(db, approver, fund, case, "3000.00")
    _fire(db, approver, case, action, settings, **params)
    assert case.status in {CaseStatus.WITHDRAWN, CaseStatus.CLOSED, CaseStatus.REJECTED,
                           CaseStatus.REFUSED}
    assert (transfer.status, transfer.void_reason) == (MoneyTransferStatus.VOIDED, reason)
    assert ledger.balances_for(db.session, "fund", fund.id)["available"] == Decimal("10000.00")
    assert ledger.verify_ledger(db.session).ok


def test_withdraw_reverses_an_unverified_help_first_payment(db, officers, approved_case, settings,
                                                            reserve_funded):
    reserve_funded("10000.00")
    officer = officers[0]
    case = approved_case("5000.00", status=CaseStatus.ACCEPTED)
    _fire(db, officer, case, "emergency_aid", settings, amount="2000")
    help_first = db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL)).one()
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("8000.00")
    _fire(db, officer, case, "withdraw", settings, reason="本人撤回申请")
    assert (help_first.status, help_first.verification) == (MoneyTransferStatus.VOIDED,
                                                            Verification.REVERSED)
    assert help_first.void_reason == "个案已撤回，预留自动释放"
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("10000.00")
    assert ledger.verify_ledger(db.session).ok


def test_withdraw_leaves_a_paid_help_first_payment_paid(db, officers, approved_case, settings,
                                                        reserve_funded):
    reserve_funded("10000.00")
    officer, payer = officers[0], officers[1]
    case = approved_case("5000.00", status=CaseStatus.ACCEPTED)
    _fire(db, officer, case, "emergency_aid", settings, amount="2000")
    help_first = _pay(db, payer, db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL)).one(), "GC-CE-1")
    _fire(db, officer, case, "withdraw", settings, reason="本人撤回申请")
    assert (help_first.status, help_first.verification) == (MoneyTransferStatus.POSTED,
                                                            Verification.UNVERIFIED)
    assert ledger.refunded_amount(db.session, help_first) == Decimal(0)
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("8000.00")


def test_reject_reverses_help_first_and_releases_other_reservations(
        db, officers, make_fund, approved_case, settings, reserve_funded):
    reserve_funded("10000.00")
    officer = officers[0]
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.ACCEPTED)
    _fire(db, officer, case, "emergency_aid", settings, amount="2000")
    reservation = _reserve(db, officer, fund, case, "3000.00")
    _fire(db, officer, case, "start_verification", settings)
    _fire(db, officer, case, "verify", settings)
    result = _fire(db, officer, case, "reject", settings, reason="不符合条件")
    help_first = db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL)).one()
    assert [t.id for t in result.released] == [help_first.id, reservation.id]
    assert (help_first.status, help_first.verification) == (MoneyTransferStatus.VOIDED,
                                                            Verification.REVERSED)
    assert reservation.status is MoneyTransferStatus.VOIDED
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("10000.00")
    assert ledger.balances_for(db.session, "fund", fund.id)["available"] == Decimal("10000.00")
    assert ledger.verify_ledger(db.session).ok


def test_refused_transition_releases_nothing(db, officers, make_fund, approved_case, settings):
    approver = officers[0]
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    transfer = _reserve(db, approver, fund, case, "3000.00")
    with pytest.raises(DomainError, match="请填写撤回理由"):
        workflow.fire(db.session, approver, case, "withdraw", settings=settings, reason=" ")
    db.session.rollback()
    db.session.expire_all()
    assert (case.status, transfer.status) == (CaseStatus.VERIFIED, MoneyTransferStatus.PENDING)
    assert ledger.balances_for(db.session, "fund", fund.id)["reserved"] == Decimal("3000.00")


def test_reserve_for_case_rereads_a_stale_case_status(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    db.session.execute(update(Case).where(Case.id == case.id)
                       .values(status=CaseStatus.WITHDRAWN)
                       .execution_options(synchronize_session=False))
    assert case.status is CaseStatus.VERIFIED  # the loaded object has not seen the change
    with pytest.raises(DomainError, match="不能再预留资金"):
        ledger.reserve_for_case(db.session, officers[0], source="fund", source_id=fund.id,
                                case=case, amount="100.00", reference="过期的个案状态")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks (SELECT … FOR UPDATE) exist only on "
                                            "PostgreSQL; SQLite serialises whole transactions")
def test_reservation_waiting_on_a_withdrawal_is_refused_on_postgres(app, db, officers, make_fund,
                                                                   approved_case, settings):
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    ledger.open_all_listing_accounts(db.session, None)
    db.session.commit()
    officer_id, fund_id, case_id = officers[1].id, fund.id, case.id
    loaded = threading.Event()

    def reserve_meanwhile():
        from webapp.extensions import db as _db
        with app.app_context():
            try:
                stale = _db.session.get(Case, case_id)
                assert stale.status is CaseStatus.VERIFIED
                loaded.set()
                ledger.reserve_for_case(_db.session, _db.session.get(User, officer_id),
                                        source="fund", source_id=fund_id, case=stale,
                                        amount="100.00", reference="与撤回并发")
                _db.session.commit()
                return "reserved"
            except DomainError as exc:
                _db.session.rollback()
                return exc.message
            finally:
                _db.session.remove()

    workflow.fire(db.session, officers[0], case, "withdraw", settings=settings,
                  reason="本人撤回申请")  # holds the audit head until it commits
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(reserve_meanwhile)
        assert loaded.wait(5)
        _wait_until_another_session_waits_on_us(db)
        db.session.commit()
        assert "不能再预留资金" in outcome.result(timeout=10)
    db.session.expire_all()
    assert db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.case_id == case_id)).all() == []
    assert ledger.verify_ledger(db.session).ok


def _wait_until_another_session_waits_on_us(db, timeout=10.0):
    """Return once some PostgreSQL backend is blocked by this session's locks (pg_locks is
    read afresh on every query, unlike pg_stat_activity inside a transaction)."""
    deadline = time.monotonic() + timeout
    while db.session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted "
            "AND pg_backend_pid() = ANY(pg_blocking_pids(pid))")) == 0:
        assert time.monotonic() < deadline, "the other session never queued behind our locks"
        time.sleep(0.01)


def test_api_transition_says_which_reservations_it_released(client, api_token, db, officers,
                                                           make_fund, approved_case):
    approver = officers[0]
    fund, case = make_fund("10000.00"), approved_case("8000.00", status=CaseStatus.VERIFIED)
    ids = [_reserve(db, approver, fund, case, amount).id for amount in ("100.00", "250.50")]
    case_id = case.id
    response = client.post(f"/api/v1/cases/{case_id}/transitions",
                           json={"action": "withdraw", "reason": "本人撤回申请"},
                           headers=api_token("officer"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "withdrawn"
    assert body["released_transfers"] == [{"id": ids[0], "amount": "100.00"},
                                          {"id": ids[1], "amount": "250.50"}]
    again = client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "withdraw",
                        "reason": "重复"}, headers=api_token("officer"))
    assert again.status_code == 409

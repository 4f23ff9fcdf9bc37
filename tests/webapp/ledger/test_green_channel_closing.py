"""A confirmed help-first payment is paid on time or reversed with a reason, never voided
silently: ending the case waits for it, and overdue ones show on the supervision board."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.webapp.ledger.conftest import state
from webapp.models import Case, CaseStatus, MoneyTransfer
from webapp.models.ledger import MoneyTransferStatus, Verification
from webapp.services import ConflictError, DomainError, ledger
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings
from webapp.services.ledger import green_channel


@pytest.fixture
def settings(app):
    return CaseSettings.from_config(app.config)


@pytest.fixture
def confirmed_unpaid(db, officers, approved_case, reserve_funded):
    """A case in assistance with a confirmed, unpaid ¥2,000 help-first payment."""
    reserve_funded("10000.00")
    case = approved_case("5000.00", status=CaseStatus.IN_ASSISTANCE)
    payment = green_channel.pay_help_first(db.session, officers[0], case, "2000")
    green_channel.confirm(db.session, officers[0], payment)
    db.session.commit()
    return case.id, payment.id


def _load(db, case_id, payment_id):
    db.session.expire_all()
    return db.session.get(Case, case_id), db.session.get(MoneyTransfer, payment_id)


@pytest.mark.parametrize(("action", "status", "params", "doing"), [
    ("close", CaseStatus.IN_ASSISTANCE, {"outcome": "已救助"}, "办结"),
    ("withdraw", CaseStatus.VERIFIED, {"reason": "本人撤回申请"}, "撤回"),
])
def test_ending_a_case_with_a_confirmed_unpaid_payment_is_refused(
        db, officers, settings, confirmed_unpaid, action, status, params, doing):
    case, payment = _load(db, *confirmed_unpaid)
    case.status = status
    db.session.commit()
    before = state(db)
    case, payment = _load(db, *confirmed_unpaid)
    with pytest.raises(ConflictError) as caught:
        workflow.fire(db.session, officers[0], case, action, settings=settings, **params)
    db.session.rollback()
    message = caught.value.message
    assert f"不能{doing}" in message and "¥2,000.00" in message
    assert "拨付" in message and "冲回" in message and f"#{payment.id}" in message
    assert state(db) == before
    case, payment = _load(db, *confirmed_unpaid)
    assert case.status is status
    assert (payment.status, payment.verification) == (MoneyTransferStatus.PENDING,
                                                      Verification.CONFIRMED)


def test_paid_payment_lets_the_case_close(db, officers, settings, confirmed_unpaid):
    approver, payer, _ = officers
    case, payment = _load(db, *confirmed_unpaid)
    ledger.disburse(db.session, payer, payment, payee="高唐县人民医院", method="bank_transfer",
                    voucher_number="GC-1", paid_on=dt.date(2026, 1, 5),
                    second_officer_above=Decimal(5000))
    db.session.commit()
    case, payment = _load(db, *confirmed_unpaid)
    workflow.fire(db.session, approver, case, "close", settings=settings, outcome="已救助")
    db.session.commit()
    case, payment = _load(db, *confirmed_unpaid)
    assert case.status is CaseStatus.CLOSED
    assert payment.status is MoneyTransferStatus.POSTED
    assert ledger.verify_ledger(db.session).ok


def test_confirmed_payment_is_reversed_only_with_a_reason(db, officers, settings,
                                                          confirmed_unpaid):
    approver = officers[0]
    case, payment = _load(db, *confirmed_unpaid)
    before = state(db)
    for reason in ("", "   "):
        with pytest.raises(DomainError) as caught:
            green_channel.reverse(db.session, approver, payment, reason=reason)
        assert caught.value.field == "reason"
        db.session.rollback()
    assert state(db) == before
    case, payment = _load(db, *confirmed_unpaid)
    green_channel.reverse(db.session, approver, payment, reason="家属已获医保全额报销")
    db.session.commit()
    case, payment = _load(db, *confirmed_unpaid)
    assert (payment.status, payment.verification) == (MoneyTransferStatus.VOIDED,
                                                      Verification.REVERSED)
    assert payment.void_reason == "家属已获医保全额报销"
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("10000.00")
    workflow.fire(db.session, approver, case, "close", settings=settings, outcome="已救助")
    db.session.commit()
    assert db.session.get(Case, case.id).status is CaseStatus.CLOSED


def test_paid_confirmed_payment_is_not_reversed_here(db, officers, confirmed_unpaid):
    approver, payer, _ = officers
    _case, payment = _load(db, *confirmed_unpaid)
    ledger.disburse(db.session, payer, payment, payee="高唐县人民医院", method="cash",
                    voucher_number="GC-2", paid_on=dt.date(2026, 1, 5),
                    second_officer_above=Decimal(5000))
    db.session.commit()
    _case, payment = _load(db, *confirmed_unpaid)
    with pytest.raises(ConflictError, match="退回"):
        green_channel.reverse(db.session, approver, payment, reason="误发")


def test_overdue_payments_follow_the_configured_working_days(db, confirmed_unpaid):
    _, payment = _load(db, *confirmed_unpaid)
    # Confirmed on Monday 2026-01-05 (08:00 local time).
    payment.verified_at = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
    db.session.commit()
    three = CaseSettings(emergency_payment_days=3)
    # due Thursday 01-08: not overdue that day, overdue on Friday
    assert green_channel.overdue_payments(db.session, today=dt.date(2026, 1, 8),
                                          settings=three) == []
    (late,) = green_channel.overdue_payments(db.session, today=dt.date(2026, 1, 9),
                                             settings=three)
    assert (late.transfer.id, late.due_on) == (payment.id, dt.date(2026, 1, 8))
    # five working days run over the weekend: due Monday 01-12
    five = CaseSettings(emergency_payment_days=5)
    assert green_channel.overdue_payments(db.session, today=dt.date(2026, 1, 12),
                                          settings=five) == []
    assert CaseSettings.from_config({"EMERGENCY_PAYMENT_DAYS": "5"}).emergency_payment_days == 5


def test_supervision_board_lists_overdue_payments(client, auth, db, officers, confirmed_unpaid):
    case, payment = _load(db, *confirmed_unpaid)
    number, officer_id = case.number, officers[0].id
    payment.verified_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    db.session.commit()
    auth.login("officer")
    html = client.get("/cases/supervision").get_data(as_text=True)
    assert 'id="overdue-payments"' in html and number in html and "¥2,000.00" in html
    # reversed with a reason: it leaves the board
    _, payment = _load(db, *confirmed_unpaid)
    officer = db.session.get(type(officers[0]), officer_id)
    green_channel.reverse(db.session, officer, payment, reason="家属已获医保全额报销")
    db.session.commit()
    html = client.get("/cases/supervision").get_data(as_text=True)
    assert 'id="no-overdue-payments"' in html

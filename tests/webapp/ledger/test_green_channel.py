"""Help-first payments from the reserve, confirmed on approval, reversed on rejection."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.models import MoneyTransfer
from webapp.models.ledger import MoneyTransferKind, MoneyTransferStatus, Verification
from webapp.services import DomainError, events, ledger


def _aid(db, actor, case, amount="2000"):
    events.publish(db.session, events.EmergencyAidGranted(case, actor, Decimal(amount)))
    db.session.commit()
    return db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL,
        MoneyTransfer.case_id == case.id)).one()


def test_emergency_aid_event_reserves_from_reserve(db, officers, approved_case, reserve_funded):
    reserve_funded("10000")
    transfer = _aid(db, officers[0], approved_case("5000"))
    assert transfer.status is MoneyTransferStatus.PENDING
    assert transfer.verification is Verification.UNVERIFIED
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("8000.00")


def test_emergency_aid_event_twice_pays_once(db, officers, approved_case, reserve_funded):
    reserve_funded("10000")
    case = approved_case("5000")
    _aid(db, officers[0], case)
    _aid(db, officers[0], case)
    assert ledger.balances_for(db.session, "reserve")["reserved"] == Decimal("2000.00")


def test_emergency_aid_event_refused_when_reserve_is_short(db, officers, approved_case,
                                                           reserve_funded):
    reserve_funded("1000")
    with pytest.raises(DomainError, match="可用余额不足"):
        events.publish(db.session, events.EmergencyAidGranted(approved_case("5000"), officers[0],
                                                              Decimal(2000)))


def test_case_approve_confirms_help_first_payment(db, officers, approved_case, reserve_funded):
    reserve_funded()
    case = approved_case()
    transfer = _aid(db, officers[0], case)
    events.publish(db.session, events.CaseApproved(case, officers[0], case.amount_needed))
    db.session.commit()
    assert transfer.verification is Verification.CONFIRMED
    assert transfer.status is MoneyTransferStatus.PENDING


def test_case_reject_voids_pending_help_first_payment(db, officers, approved_case, reserve_funded):
    reserve_funded("10000")
    case = approved_case()
    transfer = _aid(db, officers[0], case)
    events.publish(db.session, events.CaseEnded(case, officers[0], "reject"))
    db.session.commit()
    assert (transfer.status, transfer.verification) == (MoneyTransferStatus.VOIDED,
                                                        Verification.REVERSED)
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("10000.00")


def test_case_reject_refunds_paid_help_first_payment(db, officers, approved_case, reserve_funded):
    reserve_funded("10000")
    case = approved_case()
    transfer = _aid(db, officers[0], case)
    ledger.disburse(db.session, officers[1], transfer, payee="本人", method="cash",
                    voucher_number="GC-1", paid_on=dt.date(2026, 1, 2),
                    second_officer_above=Decimal(5000))
    events.publish(db.session, events.CaseEnded(case, officers[0], "reject"))
    db.session.commit()
    assert transfer.verification is Verification.REVERSED
    assert ledger.refunded_amount(db.session, transfer) == Decimal("2000.00")
    assert ledger.balances_for(db.session, "reserve")["available"] == Decimal("10000.00")
    assert ledger.verify_ledger(db.session).ok

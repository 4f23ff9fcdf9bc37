"""Reserve, disburse, void, second sign-off, refund and top-up through the services."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.webapp.ledger.conftest import state
from webapp.models import AuditEvent, CaseStatus, LedgerAccount, Voucher
from webapp.models.ledger import MoneyTransferStatus
from webapp.services import ConflictError, DomainError, PermissionDeniedError, ledger

THRESHOLD = Decimal(5000)


def _reserve(db, actor, fund, case, amount="1000.00", **kwargs):
    transfer = ledger.reserve_for_case(db.session, actor, source="fund", source_id=fund.id,
                                       case=case, amount=amount, reference="proposal:1",
                                       **kwargs)
    db.session.commit()
    return transfer


def _pay(db, actor, transfer, voucher="PZ-1"):
    import datetime as dt
    ledger.disburse(db.session, actor, transfer, payee="高唐县人民医院", method="bank_transfer",
                    voucher_number=voucher, paid_on=dt.date(2026, 1, 5),
                    second_officer_above=THRESHOLD)
    db.session.commit()
    return transfer


def test_reserve_for_case_reserves_pending_amount(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000"), approved_case("5000")
    transfer = _reserve(db, officers[0], fund, case, "1200.50")
    assert transfer.status is MoneyTransferStatus.PENDING
    assert ledger.balances_for(db.session, "fund", fund.id) == {
        "total": Decimal("10000.00"), "reserved": Decimal("1200.50"),
        "disbursed": Decimal("0.00"), "available": Decimal("8799.50")}
    assert ledger.case_account(db.session, case).approved_total == Decimal("1200.50")


def test_reserve_for_case_writes_one_audit_event_without_personal_data(db, officers, make_fund,
                                                                        approved_case):
    fund, case = make_fund(), approved_case()
    transfer = _reserve(db, officers[0], fund, case)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ledger.reserve")).all()
    assert [e.object_id for e in events] == [str(transfer.id)]
    assert case.number not in events[0].summary


@pytest.mark.parametrize("amount,message", [
    ("0", "金额必须大于零"), ("-5", "金额必须大于零"), ("10.001", "最多保留两位小数"),
    ("abc", "金额格式不正确"), (None, "请填写金额")])
def test_reserve_for_case_refuses_bad_amount_and_changes_nothing(db, officers, make_fund,
                                                                 approved_case, amount, message):
    fund, case = make_fund(), approved_case()
    before = state(db)
    with pytest.raises(DomainError, match=message):
        ledger.reserve_for_case(db.session, officers[0], source="fund", source_id=fund.id,
                                case=case, amount=amount, reference="x")
    db.session.rollback()
    assert state(db) == before


def test_reserve_for_case_refuses_more_than_available(db, officers, make_fund, approved_case):
    fund, case = make_fund("1000"), approved_case("5000")
    before = state(db)
    with pytest.raises(DomainError, match="可用余额不足"):
        _reserve(db, officers[0], fund, case, "1000.01")
    db.session.rollback()
    assert state(db) == before


def test_reserve_for_case_refuses_more_than_gap(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000"), approved_case("3000")
    _reserve(db, officers[0], fund, case, "2000")
    before = state(db)
    with pytest.raises(DomainError, match="尚缺 1,000.00 元"):
        _reserve(db, officers[0], fund, case, "1000.01")
    db.session.rollback()
    assert state(db) == before


def test_reserve_for_case_refuses_closed_case(db, officers, make_fund, approved_case):
    fund, case = make_fund(), approved_case(status=CaseStatus.CLOSED)
    with pytest.raises(DomainError, match="已结案"):
        _reserve(db, officers[0], fund, case)


def test_reserve_for_case_refuses_approval_by_proposer(db, officers, make_fund, approved_case):
    fund, case = make_fund(), approved_case()
    with pytest.raises(PermissionDeniedError, match="自己提出"):
        _reserve(db, officers[0], fund, case, proposed_by_id=officers[0].id)


def test_reserve_for_case_same_idempotency_key_reserves_once(db, officers, make_fund,
                                                             approved_case):
    fund, case = make_fund(), approved_case()
    first = _reserve(db, officers[0], fund, case, "500", idempotency_key="proposal:7")
    again = _reserve(db, officers[0], fund, case, "500", idempotency_key="proposal:7")
    assert again.id == first.id
    assert ledger.balances_for(db.session, "fund", fund.id)["reserved"] == Decimal("500.00")


def test_reserve_for_case_key_reused_for_other_amount_is_conflict(db, officers, make_fund,
                                                                  approved_case):
    fund, case = make_fund(), approved_case()
    _reserve(db, officers[0], fund, case, "500", idempotency_key="proposal:8")
    with pytest.raises(ConflictError):
        _reserve(db, officers[0], fund, case, "600", idempotency_key="proposal:8")


def test_disburse_posts_transfer_and_issues_voucher(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000"), approved_case()
    transfer = _pay(db, officers[1], _reserve(db, officers[0], fund, case, "800"))
    assert transfer.status is MoneyTransferStatus.POSTED
    assert db.session.scalars(select(Voucher)).one().payee == "高唐县人民医院"
    assert ledger.balances_for(db.session, "fund", fund.id)["disbursed"] == Decimal("800.00")
    assert ledger.balances_for(db.session, "fund", fund.id)["reserved"] == Decimal("0.00")


def test_disburse_refuses_payment_approved_by_same_officer(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund(), approved_case())
    with pytest.raises(PermissionDeniedError, match="自己审批"):
        _pay(db, officers[0], transfer)


def test_disburse_refuses_voided_reservation(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund(), approved_case())
    ledger.void(db.session, officers[0], transfer, reason="方案撤回")
    db.session.commit()
    before = state(db)
    with pytest.raises(ConflictError, match="已作废"):
        _pay(db, officers[1], transfer)
    db.session.rollback()
    assert state(db) == before


def test_disburse_refuses_missing_payment_details(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund(), approved_case())
    with pytest.raises(DomainError) as caught:
        ledger.disburse(db.session, officers[1], transfer, payee=" ", method="cheque",
                        voucher_number="", paid_on=None, second_officer_above=THRESHOLD)
    assert set(caught.value.errors) == {"payee", "method", "voucher_number", "paid_on"}


def test_disburse_above_threshold_needs_second_officer(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund("20000"), approved_case("9000"), "6000")
    with pytest.raises(ConflictError, match="复核"):
        _pay(db, officers[1], transfer)
    db.session.rollback()
    ledger.second_approve(db.session, officers[2], transfer)
    db.session.commit()
    assert _pay(db, officers[1], transfer).status is MoneyTransferStatus.POSTED


def test_second_approve_refuses_the_approver(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund("20000"), approved_case("9000"), "6000")
    with pytest.raises(PermissionDeniedError):
        ledger.second_approve(db.session, officers[0], transfer)


def test_disburse_refuses_checker_as_payer(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund("20000"), approved_case("9000"), "6000")
    ledger.second_approve(db.session, officers[2], transfer)
    db.session.commit()
    with pytest.raises(PermissionDeniedError, match="复核人"):
        _pay(db, officers[2], transfer)


def test_void_releases_reserved_money(db, officers, make_fund, approved_case):
    fund = make_fund("1000")
    transfer = _reserve(db, officers[0], fund, approved_case(), "1000")
    ledger.void(db.session, officers[1], transfer, reason="方案撤回")
    db.session.commit()
    assert ledger.balances_for(db.session, "fund", fund.id)["available"] == Decimal("1000.00")


def test_void_twice_is_refused_and_changes_nothing(db, officers, make_fund, approved_case):
    transfer = _reserve(db, officers[0], make_fund(), approved_case())
    ledger.void(db.session, officers[0], transfer, reason="方案撤回")
    db.session.commit()
    before = state(db)
    with pytest.raises(ConflictError, match="重复作废"):
        ledger.void(db.session, officers[0], transfer, reason="再次")
    db.session.rollback()
    assert state(db) == before


def test_void_refuses_posted_transfer(db, officers, make_fund, approved_case):
    transfer = _pay(db, officers[1], _reserve(db, officers[0], make_fund(), approved_case()))
    with pytest.raises(ConflictError, match="退回"):
        ledger.void(db.session, officers[0], transfer, reason="x")


def test_refund_returns_money_to_source(db, officers, make_fund, approved_case):
    fund, case = make_fund("5000"), approved_case("5000")
    transfer = _pay(db, officers[1], _reserve(db, officers[0], fund, case, "3000"))
    ledger.refund(db.session, officers[0], transfer, "1000", reason="住院费用结余退回")
    db.session.commit()
    assert ledger.balances_for(db.session, "fund", fund.id)["available"] == Decimal("3000.00")
    assert ledger.case_account(db.session, case).approved_total == Decimal("2000.00")


def test_refund_refuses_more_than_was_paid(db, officers, make_fund, approved_case):
    transfer = _pay(db, officers[1], _reserve(db, officers[0], make_fund(), approved_case(), "300"))
    with pytest.raises(DomainError, match="可退金额"):
        ledger.refund(db.session, officers[0], transfer, "300.01", reason="x")


def test_top_up_raises_total_and_available(db, officers, make_fund):
    fund = make_fund("1000")
    ledger.top_up(db.session, officers[0], source="fund", source_id=fund.id, amount="250.25",
                  reference="企业追加")
    db.session.commit()
    balances = ledger.balances_for(db.session, "fund", fund.id)
    assert balances["total"] == balances["available"] == Decimal("1250.25")


def test_open_all_listing_accounts_opens_each_fund_once_and_empty(db, demo_base):
    """The capital typed into the form is a promise: the account opens holding nothing."""
    from webapp.models import Fund, ListingStatus, Organisation
    org = db.session.scalars(select(Organisation).where(
        Organisation.name == "鲁西爱心实业有限公司")).one()
    fund = Fund(title="只填了规模的基金", organisation_id=org.id, capital=Decimal(700),
                status=ListingStatus.PENDING_REVIEW)
    db.session.add(fund)
    db.session.commit()
    assert ledger.open_all_listing_accounts(db.session, None) == 1
    assert ledger.open_all_listing_accounts(db.session, None) == 0
    account = db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.kind == "fund")).one()
    assert account.total == Decimal("0.00")
    assert ledger.held_and_promised(db.session, "fund", fund) == {
        "promised": Decimal(700), "held": Decimal(0), "available": Decimal(0),
        "disbursed": Decimal(0)}
    ledger.top_up(db.session, None, source="fund", source_id=fund.id, amount="300",
                  reference="企业转入基金")
    db.session.commit()
    assert ledger.held_and_promised(db.session, "fund", fund)["held"] == Decimal("300.00")

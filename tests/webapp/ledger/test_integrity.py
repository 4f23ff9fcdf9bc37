"""The database itself refuses overdrawing; `flask ledger verify` finds any difference."""
from decimal import Decimal

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from webapp.models import LedgerAccount
from webapp.services import ledger


@pytest.fixture
def funded(db, officers, make_fund, approved_case):
    fund, case = make_fund("1000"), approved_case("800")
    transfer = ledger.reserve_for_case(db.session, officers[0], source="fund",
                                       source_id=fund.id, case=case, amount="800",
                                       reference="p")
    db.session.commit()
    return fund, case, transfer


def test_direct_sql_overdraw_is_rejected_by_database(db, funded):
    fund, _, _ = funded
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE ledger_accounts SET debits_pending = debits_pending + 201"
                                " WHERE id = :id"), {"id": account.id})
    db.session.rollback()


def test_direct_sql_negative_reserved_is_rejected_by_database(db, funded):
    fund, _, _ = funded
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    with pytest.raises(IntegrityError):
        db.session.execute(update(LedgerAccount).where(LedgerAccount.id == account.id)
                           .values(debits_pending=Decimal(-1)))
    db.session.rollback()


def test_direct_sql_case_granted_beyond_need_is_rejected_by_database(db, funded):
    _, case, _ = funded
    account = ledger.case_account(db.session, case)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE ledger_accounts SET credits_pending = credits_pending + 1"
                                " WHERE id = :id"), {"id": account.id})
    db.session.rollback()


def test_verify_ledger_is_clean_after_operations(db, funded):
    assert ledger.verify_ledger(db.session).problems == []


def test_verify_ledger_reports_stored_balance_differing_from_journal(db, funded):
    fund, _, _ = funded
    account = ledger.accounts.find_account(db.session, ledger.accounts.AccountKind.FUND, fund.id)
    db.session.execute(text("UPDATE ledger_accounts SET credits_posted = credits_posted + 5"
                            " WHERE id = :id"), {"id": account.id})
    db.session.commit()
    problems = ledger.verify_ledger(db.session).problems
    assert any(f"account {account.id} (fund) credits_posted: stored 1005.00, journal 1000.00"
               in p for p in problems)


def test_cli_ledger_verify_exits_zero_when_consistent(runner, funded):
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0
    assert "ledger consistent" in result.output


def test_cli_ledger_verify_exits_one_and_prints_differences(db, runner, funded):
    db.session.execute(text("UPDATE ledger_accounts SET credits_posted = credits_posted + 5"
                            " WHERE kind = 'fund'"))
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "credits_posted" in result.output

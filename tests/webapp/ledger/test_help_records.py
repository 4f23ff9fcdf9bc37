"""Disbursed ledger money counts on the public transparency totals."""
from decimal import Decimal

from tests.webapp.ledger.test_transfers import _pay, _reserve
from webapp.services import transparency


def test_help_records_count_disbursed_money_by_source(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000"), approved_case()
    before = transparency.county_totals(db.session)
    _pay(db, officers[1], _reserve(db, officers[0], fund, case, "800"))
    after = transparency.county_totals(db.session)
    assert after.money_by_source["fund"] - before.money_by_source["fund"] == Decimal("800.00")
    assert after.cases_helped == before.cases_helped + 1


def test_help_records_ignore_reserved_but_unpaid_money(db, officers, make_fund, approved_case):
    fund, case = make_fund("10000"), approved_case()
    before = transparency.county_totals(db.session)
    _reserve(db, officers[0], fund, case, "800")
    after = transparency.county_totals(db.session)
    assert after.money_by_source["fund"] == before.money_by_source["fund"]

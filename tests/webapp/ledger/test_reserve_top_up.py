"""The help-first reserve is replenished from a scheme's budget by one recorded, audited
ledger entry: the budget goes down by what the reserve goes up and the ledger verifies."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.webapp.ledger.conftest import state
from webapp.models import AuditEvent
from webapp.services import DomainError, PermissionDeniedError, ledger
from webapp.services.ledger.reserve import replenish_reserve


def test_replenish_moves_budget_into_the_reserve(db, officers, budgeted_scheme):
    before = ledger.balances_for(db.session, "reserve")["available"]
    replenish_reserve(db.session, officers[0], scheme_id=budgeted_scheme.id, amount="20000",
                      reference="高财社〔2026〕12号")
    db.session.commit()
    assert ledger.balances_for(db.session, "reserve")["available"] == before + 20000
    assert ledger.balances_for(db.session, "scheme", budgeted_scheme.id)["available"] == Decimal(80000)
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ledger.reserve_top_up")).one()
    assert ledger.verify_ledger(db.session).ok


@pytest.mark.parametrize(("amount", "reference", "field"), [
    ("100000.01", "高财社〔2026〕12号", "amount"),   # more than the budget holds
    ("-5", "高财社〔2026〕12号", "amount"), ("abc", "高财社〔2026〕12号", "amount"),
    ("1000", "", "reference"),
])
def test_replenish_bad_input_changes_nothing(db, officers, budgeted_scheme, amount,
                                             reference, field):
    before = state(db)
    with pytest.raises(DomainError) as caught:
        replenish_reserve(db.session, officers[0], scheme_id=budgeted_scheme.id, amount=amount,
                          reference=reference)
    db.session.rollback()
    assert caught.value.field == field
    assert state(db) == before


def test_replenish_is_for_officers_and_runs_from_page_and_cli(db, client, auth, runner,
                                                              officers, budgeted_scheme,
                                                              user_named):
    with pytest.raises(PermissionDeniedError):
        replenish_reserve(db.session, user_named("auditor"), scheme_id=budgeted_scheme.id,
                          amount="100", reference="高财社〔2026〕12号")
    db.session.rollback()
    scheme_id, code = budgeted_scheme.id, budgeted_scheme.code
    auth.login("officer")
    refused = auth.post("/ledger/reserve", data={"scheme_id": str(scheme_id),
                                                 "amount": "999999", "reference": "高财社12号"})
    assert refused.status_code == 400
    assert 'value="999999"' in refused.get_data(as_text=True)
    done = auth.post("/ledger/reserve", data={"scheme_id": str(scheme_id), "amount": "3000",
                                              "reference": "高财社〔2026〕12号"})
    assert done.status_code == 302
    result = runner.invoke(args=["ledger", "replenish-reserve", "--scheme", code,
                                 "--amount", "2000", "--reference", "高财社〔2026〕13号"])
    assert result.exit_code == 0, result.output
    assert ledger.balances_for(db.session, "scheme", scheme_id)["available"] == Decimal(95000)
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0

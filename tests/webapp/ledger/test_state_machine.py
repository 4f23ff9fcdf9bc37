"""A Hypothesis state machine over reserve, post, void, refund and top-up sequences.

After every step: the fund's balances equal a plain Python model of them, available is never
negative, no case is granted beyond its need, and every balance recomputed from the journal
equals the stored one. Refused steps change nothing.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.webapp.ledger.conftest import state
from webapp.models import MoneyTransfer
from webapp.services import DomainError, ledger

_vouchers = itertools.count(1)
AMOUNTS = st.one_of(
    st.decimals(min_value=Decimal(-5), max_value=Decimal(1500), places=2,
                allow_nan=False, allow_infinity=False),
    st.sampled_from(["0", "0.001", "12.345", "-0.01", "1e3"]))


def make_machine(db, officers, make_fund, approved_case):
    approver, payer, _ = officers

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.fund_id = make_fund("1000.00").id
            self.cases = [approved_case("600.00"), approved_case("900.00")]
            self.model = {"total": Decimal("1000.00"), "reserved": Decimal(0),
                          "disbursed": Decimal(0)}
            self.pending: list[int] = []
            self.posted: list[int] = []

        def _attempt(self, action) -> bool:
            before = state(db)
            try:
                action()
            except DomainError:
                db.session.rollback()
                assert state(db) == before, "a refused step changed the ledger"
                return False
            db.session.commit()
            return True

        def _transfer(self, ids: list[int], pick: int) -> MoneyTransfer | None:
            return db.session.get(MoneyTransfer, ids[pick % len(ids)]) if ids else None

        @rule(which=st.integers(0, 1), amount=AMOUNTS)
        def reserve(self, which, amount):
            case = self.cases[which]
            result = {}

            def act():
                result["t"] = ledger.reserve_for_case(
                    db.session, approver, source="fund", source_id=self.fund_id, case=case,
                    amount=amount, reference="sm")
            if self._attempt(act):
                self.pending.append(result["t"].id)
                self.model["reserved"] += result["t"].amount

        @rule(pick=st.integers(0, 99))
        def post(self, pick):
            transfer = self._transfer(self.pending, pick)
            if transfer is None:
                return
            if self._attempt(lambda: ledger.disburse(
                    db.session, payer, transfer, payee="医院", method="bank_transfer",
                    voucher_number=f"SM-{next(_vouchers)}", paid_on=dt.date(2026, 1, 1),
                    second_officer_above=Decimal(5000))):
                self.pending.remove(transfer.id)
                self.posted.append(transfer.id)
                self.model["reserved"] -= transfer.amount
                self.model["disbursed"] += transfer.amount

        @rule(pick=st.integers(0, 99), from_posted=st.booleans())
        def void(self, pick, from_posted):
            transfer = self._transfer(self.posted if from_posted else self.pending, pick)
            if transfer is None:
                return
            voided = self._attempt(lambda: ledger.void(db.session, approver, transfer,
                                                       reason="sm"))
            assert voided is (not from_posted)
            if voided:
                self.pending.remove(transfer.id)
                self.model["reserved"] -= transfer.amount

        @rule(pick=st.integers(0, 99), amount=AMOUNTS)
        def refund(self, pick, amount):
            transfer = self._transfer(self.posted, pick)
            if transfer is None:
                return
            result = {}

            def act():
                result["t"] = ledger.refund(db.session, approver, transfer, amount, reason="sm")
            if self._attempt(act):
                # Returned money comes back into the fund's total.
                self.model["total"] += result["t"].amount

        @rule(amount=AMOUNTS)
        def top_up(self, amount):
            result = {}

            def act():
                result["t"] = ledger.top_up(db.session, approver, source="fund",
                                            source_id=self.fund_id, amount=amount,
                                            reference="sm")
            if self._attempt(act):
                self.model["total"] += result["t"].amount

        @invariant()
        def balances_match_the_model(self):
            db.session.expire_all()
            balances = ledger.balances_for(db.session, "fund", self.fund_id)
            model = self.model
            assert balances["total"] == model["total"]
            assert balances["reserved"] == model["reserved"]
            assert balances["disbursed"] == model["disbursed"]
            assert balances["available"] == (model["total"] - model["reserved"]
                                             - model["disbursed"]) >= 0

        @invariant()
        def cases_are_never_granted_beyond_need(self):
            for case in self.cases:
                account = ledger.case_account(db.session, case)
                assert 0 <= account.approved_total <= case.amount_needed
            db.session.commit()

        @invariant()
        def recomputed_balances_equal_stored(self):
            assert ledger.verify_ledger(db.session).problems == []
            db.session.rollback()

    return LedgerMachine


def test_ledger_state_machine_holds_every_invariant(db, officers, make_fund, approved_case):
    machine = make_machine(db, officers, make_fund, approved_case)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

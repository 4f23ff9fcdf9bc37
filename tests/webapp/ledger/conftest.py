"""Fixtures of the ledger tests: three officers, a fund, a snapshot of the ledger (cases and
the reserve come from tests/factories.py)."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

_numbers = itertools.count(1)


@pytest.fixture
def officers(demo_base, make_user, db):
    """Three distinct officers: approver, payer and checker."""
    from webapp.models import Organisation, Role, User
    bureau = db.session.scalars(select(Organisation).where(
        Organisation.name == demo_base.BUREAU)).one()
    approver = db.session.scalars(select(User).where(User.username == "officer")).one()
    payer = make_user(Role.OFFICER, organisation=bureau, username="officer2",
                      password="jiujinan-demo")
    checker = make_user(Role.OFFICER, organisation=bureau, username="officer3",
                        password="jiujinan-demo")
    return approver, payer, checker


@pytest.fixture
def make_fund(db, demo_base):
    """Create a listed fund of the demo enterprise holding ``capital`` (a recorded top-up)."""
    from webapp.models import Fund, ListingStatus, Organisation
    from webapp.services import ledger

    def make(capital="10000.00", title=None):
        org = db.session.scalars(select(Organisation).where(
            Organisation.name == "鲁西爱心实业有限公司")).one()
        fund = Fund(title=title or f"测试基金{next(_numbers)}", organisation_id=org.id,
                    capital=Decimal(capital), status=ListingStatus.LISTED)
        db.session.add(fund)
        db.session.flush()
        # The capital is a promise: the company's transfer into the fund is what it holds.
        ledger.top_up(db.session, None, source="fund", source_id=fund.id, amount=capital,
                      reference="企业转入基金")
        db.session.commit()
        return fund

    return make


def state(db):
    """A snapshot of everything the ledger stores, to prove that nothing changed."""
    from webapp.models import JournalLine, LedgerAccount, MoneyTransfer, Voucher
    db.session.expire_all()
    accounts = [(a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
                for a in db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.id))]
    transfers = [(t.id, t.status, t.verification)
                 for t in db.session.scalars(select(MoneyTransfer).order_by(MoneyTransfer.id))]
    lines = db.session.scalar(select(JournalLine.id).order_by(JournalLine.id.desc()).limit(1))
    vouchers = db.session.scalar(select(Voucher.id).order_by(Voucher.id.desc()).limit(1))
    return accounts, transfers, lines, vouchers

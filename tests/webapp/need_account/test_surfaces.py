"""Every surface shows the need's one account of help, after each step that moves a figure.

A case reported at ¥30,000 and approved at ¥10,000 gets a help-first payment (paid), a fund
reservation, a confirmed donor pledge; the public page, the API, the search index, the
matcher's gap, the ledger's reservation cap, the pledge form's cap and the transparency page
all show the same needed / covered / gap after every step.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.services import DomainError

from .conftest import State


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def assert_surfaces_agree(state: State, *, needed: str, covered: str, gap: str) -> None:
    """The one account and every surface reading it show these figures."""
    from webapp.services import need_account, transparency
    from webapp.services.matching import records

    db, client = state.db, state.client
    db.session.expire_all()
    card = state.card
    account = need_account.need_account(db.session, card)
    assert (account.needed, account.covered, account.gap) == (
        Decimal(needed), Decimal(covered), Decimal(gap))
    # public page
    html = client.get(f"/needs/{card.id}").get_data(as_text=True)
    assert re.search(r"尚缺</dt><dd[^>]*>" + re.escape(_money(account.gap)), html)
    assert _money(account.needed) in html
    # API
    body = client.get(f"/api/v1/needs/{card.id}").get_json()
    assert (body["amount_needed"], body["covered"], body["gap"]) == (needed, covered, gap)
    listed = {n["id"]: n for n in client.get("/api/v1/needs").get_json()["items"]}
    assert listed[card.id]["gap"] == gap
    # search index, through the outbox
    state.drain()
    hits = client.get("/api/v1/search", query_string={"q": card.title, "kind": "need"}
                      ).get_json()["hits"]
    hit = next(h for h in hits if h["id"] == str(card.id))
    assert Decimal(str(hit["amount_remaining"])) == Decimal(gap)
    assert Decimal(str(hit["amount_needed"])) == Decimal(needed)
    # matcher
    (need,) = records.need_records(db.session, [state.card])
    assert Decimal(str(need.gap)) == Decimal(gap)
    # transparency (the only published need)
    assert transparency.county_totals(db.session).open_gap == Decimal(gap)
    db.session.rollback()


def assert_caps_hold(state: State, gap: str) -> None:
    """The ledger and the pledge form refuse one cent above the gap and change nothing."""
    from webapp.models import MoneyTransfer, Pledge
    from webapp.services import ledger, pledges

    db = state.db
    over = Decimal(gap) + Decimal("0.01")
    before = (db.session.scalar(select(func.count()).select_from(MoneyTransfer)),
              db.session.scalar(select(func.count()).select_from(Pledge)))
    with pytest.raises(DomainError) as caught:
        ledger.reserve_for_case(db.session, state.officer, source="fund",
                                source_id=state.fund.id, case=state.case, amount=over,
                                reference="超额预留")
    assert f"尚缺 {Decimal(gap):,.2f} 元" in caught.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as caught:
        pledges.make_pledge(db.session, state.donor, need=state.card, amount=over)
    assert "缺口" in caught.value.errors["amount"][0]
    db.session.rollback()
    after = (db.session.scalar(select(func.count()).select_from(MoneyTransfer)),
             db.session.scalar(select(func.count()).select_from(Pledge)))
    assert after == before


def test_every_surface_agrees_after_each_step(state):
    from webapp.models import PaymentMethod
    from webapp.services import ledger, pledges
    from webapp.services.ledger import green_channel

    db = state.db
    assert_surfaces_agree(state, needed="10000.00", covered="0.00", gap="10000.00")

    # help-first payment of ¥2,000, confirmed and paid
    payment = green_channel.pay_help_first(db.session, state.officer, state.case, "2000")
    green_channel.confirm(db.session, state.officer, payment)
    db.session.commit()
    payment_id = payment.id
    assert_surfaces_agree(state, needed="10000.00", covered="2000.00", gap="8000.00")
    ledger.disburse(db.session, state.payer, ledger.get_transfer(db.session, payment_id), payee="某医院", method=PaymentMethod.CASH,
                    voucher_number="V-1", paid_on=dt.date.today(),
                    second_officer_above=Decimal(5000))
    db.session.commit()
    assert_surfaces_agree(state, needed="10000.00", covered="2000.00", gap="8000.00")

    # a fund reserves ¥3,000
    reservation = ledger.reserve_for_case(db.session, state.officer, source="fund",
                                          source_id=state.fund.id, case=state.case,
                                          amount="3000", reference="基金资助")
    db.session.commit()
    reservation_id = reservation.id
    assert_surfaces_agree(state, needed="10000.00", covered="5000.00", gap="5000.00")

    # a donor pledges ¥2,000: counted once the bureau confirms it
    pledge = pledges.make_pledge(db.session, state.donor, need=state.card, amount="2000")
    db.session.commit()
    pledge_id, pledge_model = pledge.id, type(pledge)
    assert_surfaces_agree(state, needed="10000.00", covered="5000.00", gap="5000.00")
    pledges.confirm_pledge(db.session, state.officer, db.session.get(pledge_model, pledge_id))
    db.session.commit()
    assert_surfaces_agree(state, needed="10000.00", covered="7000.00", gap="3000.00")
    assert_caps_hold(state, "3000.00")

    # the fund's reservation is voided: the gap opens again, everywhere
    ledger.void(db.session, state.officer, ledger.get_transfer(db.session, reservation_id),
                reason="基金撤回")
    db.session.commit()
    assert_surfaces_agree(state, needed="10000.00", covered="4000.00", gap="6000.00")

    # the whole remaining gap is reserved: gap 0, nothing more can be granted or pledged
    ledger.reserve_for_case(db.session, state.officer, source="fund", source_id=state.fund.id,
                            case=state.case, amount="6000", reference="基金资助")
    db.session.commit()
    assert_surfaces_agree(state, needed="10000.00", covered="10000.00", gap="0.00")
    assert_caps_hold(state, "0.00")


def test_reservation_is_capped_by_the_approved_amount_not_the_reported_one(state):
    """Reported ¥30,000, approved ¥10,000: ¥10,000.01 is refused, ¥10,000 is granted."""
    from webapp.services import ledger

    db = state.db
    with pytest.raises(DomainError):
        ledger.reserve_for_case(db.session, state.officer, source="fund",
                                source_id=state.fund.id, case=state.case,
                                amount="10000.01", reference="超额")
    db.session.rollback()
    transfer = ledger.reserve_for_case(db.session, state.officer, source="fund",
                                       source_id=state.fund.id, case=state.case,
                                       amount="10000", reference="全额")
    db.session.commit()
    assert transfer.credit_account.needed == Decimal("10000.00")


def test_confirming_a_pledge_above_the_gap_is_refused(state):
    """Two donors pledge; money reserved meanwhile leaves room for one: the second waits."""
    from webapp.models import PledgeStatus
    from webapp.services import ConflictError, ledger, pledges

    db = state.db
    first = pledges.make_pledge(db.session, state.donor, need=state.card, amount="4000")
    db.session.commit()
    ledger.reserve_for_case(db.session, state.officer, source="fund", source_id=state.fund.id,
                            case=state.case, amount="8000", reference="基金资助")
    db.session.commit()
    with pytest.raises(ConflictError) as caught:
        pledges.confirm_pledge(db.session, state.officer, first)
    assert "尚缺 ¥2,000.00" in caught.value.message
    db.session.rollback()
    db.session.expire_all()
    assert first.status is PledgeStatus.PLEDGED

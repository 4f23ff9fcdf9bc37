"""Approving assistance under a scheme reserves it from the scheme's account, within the
scheme's own standard unless the joint conference decided otherwise (recorded)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.webapp.ledger.conftest import state
from webapp.models import (
    AgendaItem,
    Applicant,
    AuditEvent,
    Case,
    CaseStatus,
    Conference,
    Decision,
    utcnow,
)
from webapp.services import DomainError, ledger, need_account
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings


@pytest.fixture
def settings(app):
    return CaseSettings.from_config(app.config)


@pytest.fixture
def scheme(budgeted_scheme):
    return budgeted_scheme


@pytest.fixture
def person_case(db, approved_case):
    """A verified case of a given person (by keyed hash), needing ¥8,000."""
    def make(person_key="person-1"):
        case = approved_case("8000.00", status=CaseStatus.VERIFIED)
        applicant = Applicant(name="测试对象", id_number="370000199001010000",
                              person_key=person_key)
        db.session.add(applicant)
        db.session.flush()
        case.applicant_id = applicant.id
        db.session.commit()
        return case
    return make


def _approve(db, officer, case, settings, scheme, assistance, **extra):
    workflow.fire(db.session, officer, case, "approve", settings=settings, amount="8000",
                  scheme_id=scheme.id, assistance_amount=assistance, **extra)
    db.session.commit()


def test_approval_under_a_scheme_reserves_from_its_account(db, officers, settings, scheme,
                                                           person_case):
    officer, payer, _ = officers
    case = person_case()
    _approve(db, officer, case, settings, scheme, "3000")
    assert ledger.balances_for(db.session, "scheme", scheme.id)["reserved"] == Decimal("3000.00")
    account = need_account.help_account(db.session, case)
    assert account.government == Decimal("3000.00")
    assert (account.needed, account.gap) == (Decimal("8000.00"), Decimal("5000.00"))
    # paid with payee, method and voucher, as for funds
    (transfer,) = [t for t in ledger.pending_transfers(db.session, case)]
    ledger.disburse(db.session, payer, transfer, payee="高唐县人民医院", method="bank_transfer",
                    voucher_number="LSJZ-1", paid_on=dt.date(2026, 1, 5),
                    second_officer_above=Decimal(5000))
    db.session.commit()
    balances = ledger.balances_for(db.session, "scheme", scheme.id)
    assert (balances["reserved"], balances["disbursed"]) == (Decimal(0), Decimal("3000.00"))
    assert need_account.help_account(db.session, case).channel("scheme").disbursed == 3000
    assert ledger.verify_ledger(db.session).ok


@pytest.mark.parametrize(("assistance", "words"), [
    ("3500", "超过「临时救助（测试）」的救助标准上限 3,000.00 元"),
    ("200", "低于「临时救助（测试）」的救助标准下限 500.00 元"),
])
def test_amount_outside_the_scheme_standard_is_refused(db, officers, settings, scheme,
                                                       person_case, assistance, words):
    case = person_case()
    before = state(db)
    with pytest.raises(DomainError) as caught:
        _approve(db, officers[0], case, settings, scheme, assistance)
    db.session.rollback()
    assert words in caught.value.message
    assert state(db) == before
    assert db.session.get(Case, case.id).status is CaseStatus.VERIFIED


def test_times_per_year_is_enforced_unless_the_conference_decided(db, officers, settings,
                                                                  scheme, person_case):
    officer = officers[0]
    _approve(db, officer, person_case("same-person"), settings, scheme, "2000")
    second = person_case("same-person")
    with pytest.raises(DomainError) as caught:
        _approve(db, officer, second, settings, scheme, "2000",
                 exception_reason="因病情恶化再次申请救助")
    db.session.rollback()
    assert "已获「临时救助（测试）」救助 1 次" in caught.value.message
    assert "联席会议" in caught.value.message
    # another person is not affected
    _approve(db, officer, person_case("someone-else"), settings, scheme, "2000")

    conference = Conference(title="第一次联席会议", scheduled_at=utcnow())
    db.session.add(conference)
    db.session.flush()
    item = AgendaItem(conference_id=conference.id, case_id=second.id, decision=Decision.APPROVE,
                      amount=Decimal(2500), decided_by_id=officer.id, decided_at=utcnow())
    db.session.add(item)
    db.session.commit()
    second = db.session.get(Case, second.id)
    with pytest.raises(DomainError, match="联席会议决定的救助金额 2,500.00"):
        _approve(db, officer, second, settings, scheme, "2600",
                 exception_reason="因病情恶化再次申请救助")
    db.session.rollback()
    second = db.session.get(Case, second.id)
    _approve(db, officer, second, settings, scheme, "2500",
             exception_reason="因病情恶化再次申请救助")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.reserve")
                               .order_by(AuditEvent.id.desc())).first()
    assert json.loads(event.summary)["conference_item_id"] == item.id


def test_unknown_scheme_is_a_clear_error(db, officers, settings, person_case):
    case = person_case()
    with pytest.raises(DomainError) as caught:
        workflow.fire(db.session, officers[0], case, "approve", settings=settings,
                      amount="8000", scheme_id="999999", assistance_amount="1000")
    db.session.rollback()
    assert caught.value.field == "scheme_id"


def test_case_page_form_approves_under_a_scheme_and_keeps_typed_values(db, client, auth,
                                                                       officers, scheme,
                                                                       person_case):
    """The approve action on the case page: pick the scheme and its amount; a refusal keeps
    what was typed, changes nothing, and a second try within the standard reserves it."""
    case = person_case()
    case_id, scheme_id = case.id, scheme.id
    case.owner_id = officers[0].id
    db.session.commit()
    auth.login(officers[0].username)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="scheme-id"' in page and "临时救助（测试）（标准 500–3,000 元" in page
    before = state(db)
    refused = auth.post(f"/cases/{case_id}/actions/approve", data={
        "amount": "8000", "scheme_id": str(scheme_id), "assistance_amount": "3500"},
        form_page=f"/cases/{case_id}")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "超过「临时救助（测试）」的救助标准上限 3,000.00 元" in text
    assert 'value="3500"' in text and f'value="{scheme_id}" selected' in text
    assert state(db) == before
    done = auth.post(f"/cases/{case_id}/actions/approve", data={
        "amount": "8000", "scheme_id": str(scheme_id), "assistance_amount": "3000"},
        form_page=f"/cases/{case_id}")
    assert done.status_code == 302
    assert need_account.help_account(db.session, case_id).channel("scheme").reserved == 3000

"""The transparency page adds up: money by source, by town and by category come from the same
records and sum to the same total, which equals the ledger's disbursements (net of refunds)
plus the money donors' receivers confirmed; each breakdown downloads as CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from sqlalchemy import func, select


def _pay(state, transfer_id, voucher):
    from webapp.services import ledger
    ledger.disburse(state.db.session, state.payer, ledger.get_transfer(state.db.session,
                                                                       transfer_id),
                    payee="某医院", method="cash", voucher_number=voucher,
                    paid_on=dt.date.today(), second_officer_above=Decimal(5000))
    state.db.session.commit()


def test_breakdowns_sum_to_the_same_total_as_the_ledger(state, make_project_pledge):
    from webapp.models import MoneyTransfer
    from webapp.models.ledger import MoneyTransferKind, MoneyTransferStatus
    from webapp.services import ledger, pledges, transparency
    from webapp.services.ledger import green_channel

    db = state.db
    first = green_channel.pay_help_first(db.session, state.officer, state.case, "2000")
    fund = ledger.reserve_for_case(db.session, state.officer, source="fund",
                                   source_id=state.fund.id, case=state.case, amount="3000",
                                   reference="基金资助")
    db.session.commit()
    first_id, fund_id = first.id, fund.id
    _pay(state, first_id, "T-1")
    _pay(state, fund_id, "T-2")
    ledger.refund(db.session, state.officer, ledger.get_transfer(db.session, fund_id), "500",
                  reason="多付退回")
    pledge = pledges.make_pledge(db.session, state.donor, need=state.card, amount="700")
    pledges.confirm_pledge(db.session, state.officer, pledge)
    pledges.fulfil_pledge(db.session, state.officer, pledge)
    db.session.commit()
    make_project_pledge("400")  # a project's money belongs to no town or category

    totals = transparency.county_totals(db.session)
    assert totals.money_total == Decimal("5600.00")  # 2000 + 3000 - 500 + 700 + 400
    for breakdown in (totals.money_by_source, totals.money_by_town, totals.money_by_category):
        assert sum(breakdown.values()) == totals.money_total
    assert totals.money_by_source["scheme"] == Decimal("2000.00")
    assert totals.money_by_source["fund"] == Decimal("2500.00")
    assert totals.money_by_category["serious_illness"] == Decimal("5200.00")
    assert totals.money_by_town[transparency.UNASSIGNED] == Decimal("400.00")
    # the ledger's own figure for the money paid out to cases, net of refunds
    paid = db.session.scalar(select(func.sum(MoneyTransfer.amount)).where(
        MoneyTransfer.status == MoneyTransferStatus.POSTED,
        MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                MoneyTransferKind.GREEN_CHANNEL])))
    refunded = db.session.scalar(select(func.sum(MoneyTransfer.amount)).where(
        MoneyTransfer.kind == MoneyTransferKind.REFUND))
    assert paid - refunded + Decimal("1100.00") == totals.money_total
    assert totals.period_start == dt.date.today()

    html = state.client.get("/transparency").get_data(as_text=True)
    assert 'id="money-total">¥5,600.00' in html
    for name in ("sources", "towns", "categories"):
        assert f'id="table-{name}"' in html
        response = state.client.get(f"/transparency/{name}.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[-1] == ["合计", "5600.00"]
        assert sum(Decimal(r[1]) for r in rows[2:-1]) == Decimal("5600.00")
    assert state.client.get("/transparency/people.csv").status_code == 404


def test_many_cases_are_read_a_bounded_number_of_ids_at_a_time(state, monkeypatch):
    """A county's ten years help more cases than PostgreSQL binds parameters in one statement
    (65,535): the totals and the accounts read ids in slices, and the slices add up to the
    same figures as one read."""
    from webapp.models import Case
    from webapp.services import need_account, transparency
    from webapp.services.ledger import green_channel

    db = state.db
    first = green_channel.pay_help_first(db.session, state.officer, state.case, "2000")
    db.session.commit()
    _pay(state, first.id, "T-9")
    ids = [*db.session.scalars(select(Case.id)), 10**6]  # an absent id is left out
    whole, accounts = transparency.county_totals(db.session), need_account.help_accounts(
        db.session, ids)
    statements: list[str] = []
    monkeypatch.setattr(need_account, "IDS_PER_QUERY", 1)
    from sqlalchemy import event
    engine = db.session.get_bind()
    listen = lambda *args: statements.append(args[2])
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert transparency.county_totals(db.session) == whole
        assert need_account.help_accounts(db.session, ids) == accounts
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert whole.cases_helped == 1 and len(accounts) == len(ids) - 1
    assert [s for s in statements if "cases.reported_at" in s]  # the sliced read ran
    assert len([s for s in statements if "FROM cases" in s]) >= len(ids)  # one id a time


def test_hours_delivered_not_promised_on_transparency_and_organisation_pages(
        state, accepted_service_pairing, user_named, client):
    from webapp.models import Case
    from webapp.services import delivery, transparency

    db = state.db
    pairing = accepted_service_pairing(state.card, hours="8")
    delivery.log_session(db.session, user_named("volunteer"), pairing,
                         delivered_on=dt.date.today(), hours="3")
    db.session.commit()
    town = db.session.get(Case, state.ids["case"]).town.name
    org_id = user_named("volunteer").organisation_id

    totals = transparency.county_totals(db.session)
    assert (totals.hours_delivered, totals.hours_promised) == (Decimal("3.00"), Decimal("8.00"))
    assert totals.hours_by_town[town] == Decimal("3.00")
    assert sum(totals.hours_by_town.values()) == totals.hours_delivered
    page = client.get("/transparency").get_data(as_text=True)
    assert 'id="table-hours"' in page and "3.00" in page
    rows = list(csv.reader(io.StringIO(
        client.get("/transparency/hours.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [town, "3.00"] in rows and rows[-1] == ["合计", "3.00"]
    assert "已完成服务 3.00 小时" in client.get(f"/organisations/{org_id}").get_data(as_text=True)

"""Capital is money held, not promised: a listing's account is funded only by recorded
top-ups, never by the capital or budget typed into its form; pages show both."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from webapp.models import MoneyTransfer
from webapp.services import ledger, listings


def test_budget_in_the_form_moves_no_money(db, make_project, user_named):
    project = make_project(budget="200000")
    charity = user_named("charity")
    assert ledger.balances_for(db.session, "project", project.id)["total"] == Decimal(0)
    before = db.session.scalar(select(func.count()).select_from(MoneyTransfer))
    listings.update_listing(db.session, charity, project, {"budget": "300000"})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MoneyTransfer)) == before
    assert ledger.balances_for(db.session, "project", project.id)["total"] == Decimal(0)


def test_project_page_shows_budget_beside_money_received(client, db, make_project):
    project = make_project(budget="200000")
    ledger.top_up(db.session, None, source="project", source_id=project.id, amount="50000",
                  reference="慈善组织拨付项目资金")
    db.session.commit()
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "¥200,000.00" in html
    assert 'id="project-held">¥50,000.00' in html

"""Fixtures of the need-account tests: one published need with money sources around it."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

_numbers = itertools.count(1)


@dataclass
class State:
    """Ids of the scene; each attribute reloads its row (page requests end the session)."""

    db: object
    client: object
    drain: object
    ids: dict

    def _get(self, model_name: str, key: str):
        from webapp import models
        return self.db.session.get(getattr(models, model_name), self.ids[key])

    case = property(lambda self: self._get("Case", "case"))
    card = property(lambda self: self._get("NeedCard", "card"))
    fund = property(lambda self: self._get("Fund", "fund"))
    officer = property(lambda self: self._get("User", "officer"))
    payer = property(lambda self: self._get("User", "payer"))
    donor = property(lambda self: self._get("User", "donor"))


def make_published_case(db, *, reported="30000", approved="10000"):
    """An approved case (reported ``reported``, approved ``approved`` yuan) and its card."""
    from webapp.models import Case, CaseStatus, Category, Organisation, OrgKind, User
    from webapp.services import needs

    officer = db.session.scalars(select(User).where(User.username == "officer")).one()
    town = db.session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.TOWN)).first()
    case = Case(number=f"GT-2026-{900000 + next(_numbers):06d}", town_id=town.id,
                category=Category.SERIOUS_ILLNESS, amount_needed=Decimal(reported),
                approved_amount=Decimal(approved), status=CaseStatus.PUBLISHED,
                description="家中主要劳动力突发重病住院，急需医疗费用。")
    db.session.add(case)
    db.session.flush()
    card = needs.publish_need(db.session, officer, case, title="重病家庭急需医疗救助")
    db.session.commit()
    return case, card


@pytest.fixture
def state(db, client, drain, demo_base, make_user):
    """A published need approved at ¥10,000 (reported ¥30,000), a funded reserve and fund."""
    from webapp.models import Fund, ListingStatus, Organisation, Role, User
    from webapp.services import ledger

    bureau = db.session.scalars(select(Organisation).where(
        Organisation.name == demo_base.BUREAU)).one()
    payer = make_user(Role.OFFICER, organisation=bureau, username="officer2",
                      password="jiujinan-demo")
    company = db.session.scalars(select(Organisation).where(
        Organisation.name == "鲁西爱心实业有限公司")).one()
    fund = Fund(title="测试救急难基金", organisation_id=company.id, capital=Decimal(100000),
                status=ListingStatus.LISTED)
    db.session.add(fund)
    db.session.flush()
    ledger.top_up(db.session, None, source="fund", source_id=fund.id, amount="100000",
                  reference="企业转入基金")
    ledger.top_up(db.session, None, source="reserve", source_id=None, amount="50000",
                  reference="测试拨款")
    db.session.commit()
    case, card = make_published_case(db)
    officer, donor = (db.session.scalars(select(User).where(User.username == name)).one()
                      for name in ("officer", "donor"))
    return State(db=db, client=client, drain=drain, ids={
        "case": case.id, "card": card.id, "fund": fund.id, "officer": officer.id,
        "payer": payer.id, "donor": donor.id})


@pytest.fixture
def make_project_pledge(db, state):
    """A donor's money pledge to a listed project, confirmed and received."""
    from webapp.models import ListingStatus, Project, User
    from webapp.services import pledges

    def make(amount: str):
        officer = db.session.get(User, state.ids["officer"])
        project = Project(title="测试慈善项目", organisation_id=officer.organisation_id,
                          budget=Decimal(100000), status=ListingStatus.LISTED)
        db.session.add(project)
        db.session.flush()
        pledge = pledges.make_pledge(db.session, db.session.get(User, state.ids["donor"]),
                                     project=project, amount=amount)
        pledges.confirm_pledge(db.session, officer, pledge)
        pledges.fulfil_pledge(db.session, officer, pledge)
        db.session.commit()

    return make

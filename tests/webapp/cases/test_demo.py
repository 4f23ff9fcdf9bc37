"""The case demo data: all towns, all states, overdue and transferred cases, a conference."""
import random

import pytest
from sqlalchemy import func, select

from webapp.models import Case, CaseStatus, Conference, Organisation, OrgKind, Transfer
from webapp.privacy.detection.identifiers import valid_resident_id
from webapp.services.cases import deadlines

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db, demo_base, monkeypatch):
    """The case loader at 100 cases: the plan scaled down keeps every state (and 4 escalated cases, one more than the conference decides) (300 take minutes
    on each database; ``make run`` loads the full demo, whose plan is checked below)."""
    from webapp.demo import cases
    monkeypatch.setattr(cases, "CASES", 100)
    cases.load(db.session, random.Random("7:webapp.demo.cases"), lambda s: None)
    db.session.commit()
    return cases


def test_demo_cases_cover_every_town_and_state_and_load_once(db, demo, runner):
    assert db.session.scalar(select(func.count()).select_from(Case)) == demo.CASES == 100
    towns = db.session.scalar(select(func.count(func.distinct(Case.town_id))))
    assert towns == db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrgKind.TOWN)) == 13
    states = set(db.session.scalars(select(Case.status).distinct()))
    assert states == set(CaseStatus)
    assert db.session.scalars(select(Transfer)).first() is not None
    assert db.session.scalars(select(Conference)).one().items
    overdue = db.session.scalars(deadlines.overdue_stmt(
        deadlines.local_date(deadlines.utcnow()))).first()
    assert overdue is not None
    assert all(valid_resident_id(c.applicant.id_number) for c in
               db.session.scalars(select(Case).limit(20)))
    assert "intact" in runner.invoke(args=["audit", "verify"]).output
    # A second run adds nothing (checked on the same load: loading cases is the slow part).
    counter = demo.load(db.session, random.Random("7:webapp.demo.cases"), lambda s: None)
    assert counter == {"users": 0, "cases": 0, "conferences": 0}


def test_demo_plan_is_the_county_plan_at_300_and_keeps_every_state_when_smaller():
    from webapp.demo.cases import PLAN, plan_for
    assert plan_for(300) == [status for status, n in PLAN for _ in range(n)]
    for total in (24, 40, 60, 137):
        plan = plan_for(total)
        assert len(plan) == total
        assert set(plan) == set(CaseStatus)

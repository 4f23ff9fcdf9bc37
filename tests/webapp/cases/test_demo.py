"""The case demo data: all towns, all states, overdue and transferred cases, a conference."""
import random

import pytest
from sqlalchemy import func, select

from webapp.models import Case, CaseStatus, Conference, Organisation, OrgKind, Transfer
from webapp.privacy.detection.identifiers import valid_resident_id
from webapp.services.cases import deadlines

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db, demo_base):
    from webapp.demo import cases
    cases.load(db.session, random.Random("7:webapp.demo.cases"), lambda s: None)
    db.session.commit()
    return cases


def test_demo_cases_cover_every_town_and_state_and_load_once(db, demo, runner):
    assert db.session.scalar(select(func.count()).select_from(Case)) == 300
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
    # A second run adds nothing (checked on the same load: loading 300 cases is the slow part).
    counter = demo.load(db.session, random.Random("7:webapp.demo.cases"), lambda s: None)
    assert counter == {"users": 0, "cases": 0, "conferences": 0}

"""The rules demo loader: rules seeded, calendar loaded, orders at several levels, one
high-impact case; a second run adds nothing."""
import datetime as dt
import random

from sqlalchemy import func, select

from webapp.models import CalendarDay, Case, CountyRule, OrderLevel, SupervisionOrder, utcnow
from webapp.services import county_rules


def test_demo_rules_orders_and_high_impact_case(db, staff, reported_case):
    from webapp.demo import rules
    for _ in range(5):
        reported_case(actions=["accept"], now=utcnow() - dt.timedelta(days=40))
    summary = rules.load(db.session, random.Random(1), lambda s: None)
    db.session.commit()
    assert summary == {"rules": len(county_rules.RULES), "orders": 4}
    assert db.session.scalar(select(func.count()).select_from(CountyRule)) == len(
        county_rules.RULES)
    assert db.session.scalars(select(CalendarDay)).first() is not None
    levels = set(db.session.scalars(select(SupervisionOrder.level)))
    assert {OrderLevel.REPORT, OrderLevel.REMIND} <= levels
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.high_impact.is_(True))) == 1
    again = rules.load(db.session, random.Random(1), lambda s: None)
    assert again == {"rules": 0, "orders": 0}

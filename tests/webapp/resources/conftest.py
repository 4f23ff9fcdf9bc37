"""Factories of the resource-area tests: users by name, published needs, listings."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

_numbers = itertools.count(1)


@pytest.fixture
def user_named(db, demo_base):
    """The demo user with this username."""
    from webapp.models import User

    def get(username: str):
        return db.session.scalars(select(User).where(User.username == username)).one()

    return get


@pytest.fixture
def town(db, demo_base):
    """A town organisation by name (default 梁村镇)."""
    from webapp.models import Organisation

    def get(name: str = "梁村镇"):
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()

    return get


@pytest.fixture
def make_need(db, town):
    """Create a need card (published by default) behind a minimal case."""
    from webapp.models import Case, Category, NeedCard, NeedStatus, utcnow

    def make(*, status=NeedStatus.PUBLISHED, urgency=2, needed="10000", covered="0",
             category=Category.SERIOUS_ILLNESS, town_name="梁村镇", days_waiting=0,
             reported_days_ago=None, title=None):
        n = next(_numbers)
        place = town(town_name)
        published = utcnow() - dt.timedelta(days=days_waiting)
        case = Case(number=f"GT-T-{n:06d}", town_id=place.id, category=category,
                    urgency=urgency, amount_needed=Decimal(needed), description="张三，身份证 370000199001011234，电话 13800000000",
                    reported_at=published - dt.timedelta(days=reported_days_ago or 1))
        db.session.add(case)
        db.session.flush()
        card = NeedCard(case_id=case.id, status=status, title=title or f"重病家庭急需医疗费用{n}",
                        story="家中主要劳动力突发重病住院，急需医疗费用。", category=category,
                        area=place.name, town_id=place.id, urgency=urgency,
                        amount_needed=Decimal(needed),
                        published_at=published if status == NeedStatus.PUBLISHED else None)
        db.session.add(card)
        db.session.flush()
        if Decimal(covered) > 0:  # money already granted: a reservation from the reserve
            from webapp.services import ledger
            ledger.top_up(db.session, None, source="reserve", source_id=None, amount=covered,
                          reference="测试拨款")
            ledger.reserve_for_case(db.session, None, source="reserve", source_id=None,
                                    case=case, amount=covered, reference="测试预留")
        db.session.commit()
        return card

    return make


def project_data(**overrides) -> dict:
    data = {"title": "梁村镇大病救助计划", "description": "对大病困难家庭给予补充资助。",
            "categories": ["serious_illness"], "towns": [], "budget": "100000",
            "per_case_cap": "5000", "starts_on": dt.date(2026, 1, 1),
            "ends_on": dt.date(2026, 12, 31)}
    data.update(overrides)
    return data


@pytest.fixture
def make_project(db, user_named):
    """Create a project through the service, by default listed (submitted and approved)."""
    from webapp.models import ListingStatus
    from webapp.models.resources import ListingKind
    from webapp.services import listings

    def make(owner: str = "charity", *, status=ListingStatus.LISTED, **overrides):
        actor = user_named(owner)
        project = listings.create_listing(db.session, actor, ListingKind.PROJECT,
                                          project_data(**overrides))
        if status in (ListingStatus.PENDING_REVIEW, ListingStatus.LISTED):
            review = listings.submit_listing(db.session, actor, project)
            if status == ListingStatus.LISTED:
                listings.decide_review(db.session, user_named("officer"), review, approve=True)
        db.session.commit()
        return project

    return make


@pytest.fixture
def other_charity_user(db, make_user):
    """A charity staff member of a second charity."""
    from webapp.models import Organisation, OrgKind, OrgStatus, Role
    org = Organisation(name="另一家慈善组织", kind=OrgKind.CHARITY, status=OrgStatus.APPROVED)
    db.session.add(org)
    db.session.commit()
    return make_user(Role.CHARITY_STAFF, organisation=org, username="othercharity")

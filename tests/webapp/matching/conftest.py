"""Fixtures of the matching tests: two officers, published needs and listed resources."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

_numbers = itertools.count(1)


def ident(obj) -> int:
    """The primary key of a model instance, even once it is expired and detached."""
    from sqlalchemy import inspect
    return inspect(obj).identity[0]


@pytest.fixture
def user_named(db, demo_base):
    from webapp.models import User

    def get(username: str):
        return db.session.scalars(select(User).where(User.username == username)).one()

    return get


@pytest.fixture
def org_named(db, demo_base):
    from webapp.models import Organisation

    def get(name: str):
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()

    return get


@pytest.fixture
def officer2(db, demo_base, make_user, org_named):
    """A second officer, so that whoever started a run is not the one approving."""
    from webapp.models import Role
    return make_user(Role.OFFICER, organisation=org_named(demo_base.BUREAU), username="officer2",
                     password="jiujinan-demo")


@pytest.fixture
def make_need(db, org_named):
    """A published need card behind an approved case (no applicant: nothing personal)."""
    from webapp.models import Case, CaseStatus, Category, NeedCard, NeedStatus, utcnow

    def make(town="梁村镇", *, category=Category.SERIOUS_ILLNESS, needed="8000", urgency=3,
             title="重病家庭急需住院医疗费用", story="家中主要劳动力突发重病住院手术，医疗费用缺口较大。",
             services="", days_ago=3):
        n = next(_numbers)
        place = org_named(town)
        case = Case(number=f"GT-M-{n:06d}", town_id=place.id, category=category,
                    urgency=urgency, amount_needed=Decimal(needed), status=CaseStatus.PUBLISHED,
                    reported_at=utcnow() - dt.timedelta(days=days_ago), approved_at=utcnow())
        db.session.add(case)
        db.session.flush()
        card = NeedCard(case_id=case.id, status=NeedStatus.PUBLISHED, title=f"{title}{n}",
                        story=story, category=category, area=place.name, town_id=place.id,
                        urgency=urgency, amount_needed=Decimal(needed), services=services,
                        published_at=utcnow())
        db.session.add(card)
        db.session.commit()
        db.session.refresh(card)  # loaded, so it stays readable after a request ends
        return card

    return make


@pytest.fixture
def make_listing(db, org_named):
    """A listed project, fund or offer, inserted directly; a project or fund receives
    ``amount`` by a recorded top-up."""
    from webapp.models import Fund, ListingStatus, Offer, Project

    def make(kind="project", *, title, description="", categories=("serious_illness",),
             towns=(), amount="50000", per_case_cap="5000", services="", org=None):
        town_ids = ",".join(str(org_named(t).id) for t in towns)
        cats = ",".join(categories)
        if kind == "project":
            listing = Project(organisation_id=org_named(org or "高唐县慈善总会").id, title=title,
                              description=description, categories=cats, towns=town_ids,
                              budget=Decimal(amount),
                              per_case_cap=Decimal(per_case_cap) if per_case_cap else None,
                              status=ListingStatus.LISTED)
        elif kind == "fund":
            listing = Fund(organisation_id=org_named(org or "鲁西爱心实业有限公司").id, title=title,
                           description=description, categories=cats, towns=town_ids,
                           capital=Decimal(amount),
                           per_case_cap=Decimal(per_case_cap) if per_case_cap else None,
                           status=ListingStatus.LISTED)
        else:
            listing = Offer(organisation_id=org_named(org or "高唐县志愿者协会").id, title=title,
                            description=description, categories=cats, towns=town_ids,
                            services=services, hours_per_week=4, status=ListingStatus.LISTED)
        db.session.add(listing)
        db.session.flush()
        if kind in ("project", "fund") and Decimal(amount) > 0:  # the money it holds: a recorded transfer in
            from webapp.services import ledger
            ledger.top_up(db.session, None, source=kind, source_id=listing.id, amount=amount,
                          reference="测试资金到账")
        db.session.commit()
        db.session.refresh(listing)
        return listing

    return make


@pytest.fixture
def run_batch_via_api(client, api_token, db):
    """Start a batch through the API as ``username`` and run the queued job like a worker."""
    from webapp.models import MatchRun
    from webapp.services import jobs

    def run(username="officer"):
        response = client.post("/api/v1/matching/runs", headers=api_token(username))
        assert response.status_code == 202, response.get_json()
        jobs.run_pending(db.session)
        db.session.expire_all()
        found = db.session.get(MatchRun, response.get_json()["id"])
        db.session.refresh(found)
        return found

    return run


@pytest.fixture
def proposals_for(db):
    from webapp.models import Proposal, ProposalStatus

    def get(need, status=ProposalStatus.PROPOSED):
        db.session.expire_all()
        return db.session.scalars(select(Proposal).where(
            Proposal.need_card_id == ident(need), Proposal.status == status)
            .order_by(Proposal.score.desc(), Proposal.id)).all()

    return get

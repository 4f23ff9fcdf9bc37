"""Fixtures for the search integration: a private index per test and record factories."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from search.documents import SearchQuery

_numbers = itertools.count(1)


@pytest.fixture
def indexed():
    """Return a callable listing every document in an index, as payload dicts."""

    def read(backend) -> list[dict]:
        result = backend.search(SearchQuery(per_page=100))
        assert result.total <= 100
        return [hit.document.to_payload() for hit in result.hits]

    return read


@pytest.fixture
def make_town(db):
    from webapp.models import Organisation, OrgKind, OrgStatus

    def make(name: str = "梁村镇") -> Organisation:
        from sqlalchemy import select
        town = db.session.scalars(select(Organisation).where(Organisation.name == name)).first()
        if town is None:
            town = Organisation(name=name, kind=OrgKind.TOWN, status=OrgStatus.APPROVED)
            db.session.add(town)
            db.session.flush()
        return town

    return make


@pytest.fixture
def officer(make_user):
    from webapp.models import Role
    return make_user(Role.OFFICER)


@pytest.fixture
def make_case(db, make_town):
    """A case with a synthetic applicant whose personal data must never be indexed."""
    from webapp.models import Applicant, Case, Category

    def make(*, town: str = "梁村镇", category=Category.SERIOUS_ILLNESS, urgency: int = 3,
             description: str = "患者确诊白血病，需要化疗，家庭无力承担。",
             amount: str = "30000", applicant: dict | None = None) -> Case:
        n = next(_numbers)
        person = Applicant(person_key=f"key-{n}", **(applicant or {
            "name": "测试人", "id_number": "371526198001010011", "phone": "13800000000"}))
        db.session.add(person)
        db.session.flush()
        case = Case(number=f"GT-TEST-{n:06d}", town_id=make_town(town).id, category=category,
                    urgency=urgency, description=description, amount_needed=Decimal(amount),
                    applicant_id=person.id)
        db.session.add(case)
        db.session.flush()
        return case

    return make


@pytest.fixture
def publish(db, officer):
    """Publish a case's need card through the real service (commits)."""
    from webapp.services import needs

    def run(case, **kwargs):
        card = needs.publish_need(db.session, officer, case, **kwargs)
        db.session.commit()
        return card

    return run


@pytest.fixture
def make_listing(db, make_town):
    """A listing row in the given status, announced as the listings service does (commits)."""
    from webapp.models import Organisation, OrgKind, OrgStatus
    from webapp.models.resources import LISTING_MODELS, ListingKind, ListingStatus
    from webapp.services import events

    def make(kind: str = "project", *, title: str = "助学圆梦项目", description: str = "",
             categories: str = "", towns: tuple[str, ...] = (),
             status: ListingStatus = ListingStatus.LISTED, **extra):
        n = next(_numbers)
        org = Organisation(name=f"高唐县测试慈善会{n}", kind=OrgKind.CHARITY,
                           status=OrgStatus.APPROVED)
        db.session.add(org)
        db.session.flush()
        model = LISTING_MODELS[ListingKind(kind)]
        if kind == "scheme":
            extra.setdefault("code", f"SCHEME-{n}")
        listing = model(title=title, description=description, categories=categories,
                        towns=",".join(str(make_town(t).id) for t in towns), status=status,
                        organisation_id=org.id, **extra)
        db.session.add(listing)
        db.session.flush()
        events.publish(db.session, events.ListingChanged(kind, listing.id))
        db.session.commit()
        return listing

    return make


@pytest.fixture
def demo_like(db, drain, make_case, publish, make_listing):
    """A few records like the Gaotang demo data, indexed: name → (kind, id), plus case_ids."""
    from webapp.models import Category
    leukemia = publish(make_case(town="梁村镇", urgency=4,
                                 description="孩子确诊急性白血病，需要化疗和骨髓移植，家庭无力承担。"))
    uremia = publish(make_case(town="尹集镇", urgency=3,
                               description="家中老人患尿毒症，每周透析三次，费用缺口较大。"))
    fire = publish(make_case(town="梁村镇", category=Category.FIRE, urgency=2,
                             description="房屋失火，生活用品全部烧毁，急需过渡安置。"))
    study = make_listing("project", title="贫困大学新生助学项目",
                         description="为家庭遭遇急难的大学新生提供一次性助学金。",
                         categories="other", towns=("梁村镇",))
    counsel = make_listing("offer", title="社工心理疏导服务",
                           description="为受灾和患病家庭提供心理疏导、情绪支持。",
                           services="心理疏导", categories="disaster,fire")
    relief = make_listing("scheme", title="临时救助",
                          description="对遭遇突发事件、意外伤害的家庭给予临时救助。",
                          categories="accident,emergency")
    drain()
    records = {"leukemia": leukemia, "uremia": uremia, "fire": fire, "study": study,
               "counsel": counsel, "relief": relief}
    keys = {name: (getattr(r, "kind", None) and r.kind.value or "need", str(r.id))
            for name, r in records.items()}
    keys["case_ids"] = {name: records[name].case_id for name in ("leukemia", "uremia", "fire")}
    db.session.rollback()  # end the read transaction: on SQLite it holds the write lock
    return keys


@pytest.fixture
def no_worker(app, monkeypatch):
    """Detach the in-process outbox worker, so only the test drains the outbox."""
    monkeypatch.delitem(app.extensions["background_workers"], "search")

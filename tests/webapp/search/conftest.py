"""Fixtures for the search integration: a private index per test, publishing, demo-like
records (the record factories are in tests/factories.py)."""
from __future__ import annotations

import pytest

from search.documents import SearchQuery


@pytest.fixture
def indexed():
    """Return a callable listing every document in an index, as payload dicts."""

    def read(backend) -> list[dict]:
        result = backend.search(SearchQuery(per_page=100))
        assert result.total <= 100
        return [hit.document.to_payload() for hit in result.hits]

    return read


@pytest.fixture
def officer(make_user):
    from webapp.models import Role
    return make_user(Role.OFFICER)


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
def demo_like(db, drain, case_with_applicant, publish, announced_listing):
    """A few records like the Gaotang demo data, indexed: name → (kind, id), plus case_ids."""
    from webapp.models import Category
    leukemia = publish(case_with_applicant(town="梁村镇", urgency=4,
                                           description="孩子确诊急性白血病，需要化疗和骨髓移植，家庭无力承担。"))
    uremia = publish(case_with_applicant(town="尹集镇", urgency=3,
                                         description="家中老人患尿毒症，每周透析三次，费用缺口较大。"))
    fire = publish(case_with_applicant(town="梁村镇", category=Category.FIRE, urgency=2,
                                       description="房屋失火，生活用品全部烧毁，急需过渡安置。"))
    study = announced_listing("project", title="贫困大学新生助学项目",
                              description="为家庭遭遇急难的大学新生提供一次性助学金。",
                              categories="other", towns=("梁村镇",))
    counsel = announced_listing("offer", title="社工心理疏导服务",
                                description="为受灾和患病家庭提供心理疏导、情绪支持。",
                                services="心理疏导", categories="disaster,fire")
    relief = announced_listing("scheme", title="临时救助",
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
    """Detach the in-process outbox worker, so only the test drains the outbox: a drain that
    an earlier test's commit started is waited for first."""
    app.extensions["background_workers"]["search"].pause()
    monkeypatch.delitem(app.extensions["background_workers"], "search")

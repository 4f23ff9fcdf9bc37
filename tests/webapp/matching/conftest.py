"""Fixtures of the matching tests: a second officer, batch runs and their proposals (needs
and resources come from tests/factories.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import ident


@pytest.fixture
def officer2(db, demo_base, make_user, org_named):
    """A second officer, so that whoever started a run is not the one approving."""
    from webapp.models import Role
    return make_user(Role.OFFICER, organisation=org_named(demo_base.BUREAU), username="officer2",
                     password="jiujinan-demo")


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

"""The matching demo loader: decisions by a second officer, deterministic and idempotent."""
import random

from sqlalchemy import func, select

from webapp.models import MatchRun, Proposal, ProposalStatus


def _load(db):
    from webapp.demo import matching
    summary = matching.load(db.session, random.Random(3), lambda s: None)
    db.session.commit()
    return summary


def test_demo_matching_records_decisions_by_another_officer(db, published_need, listed_resource):
    for town in ("梁村镇", "清平镇", "尹集镇"):
        published_need(town)
    listed_resource("project", title="大病医疗救助项目", description="重病住院手术医疗费用补助。")
    listed_resource("fund", title="急难救助基金", description="突发困难家庭救助。", categories=())
    summary = _load(db)
    assert summary["match_decisions"] > 0
    deciders = set(db.session.scalars(select(Proposal.decided_by_id).where(
        Proposal.decided_by_id.is_not(None))))
    starters = set(db.session.scalars(select(MatchRun.created_by_id)))
    assert deciders and not deciders & starters
    assert db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.status == ProposalStatus.APPROVED)) > 0


def test_demo_matching_second_load_adds_nothing(db, published_need, listed_resource):
    published_need("梁村镇")
    listed_resource("project", title="大病医疗救助项目", description="重病住院手术医疗费用补助。")
    _load(db)
    count = db.session.scalar(select(func.count(Proposal.id)))
    assert _load(db) == {}
    assert db.session.scalar(select(func.count(Proposal.id))) == count

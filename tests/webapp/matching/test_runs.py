"""Batches through the app: hand-built scenarios, scarce money, the report, suggestions."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from tests.factories import ident
from webapp.models import Category, MatchRun, Proposal, ProposalStatus, RunStatus


def _medical_scenario(published_need, listed_resource):
    need = published_need("梁村镇")
    right = listed_resource("project", title="梁村镇大病医疗救助项目",
                         description="为梁村镇重病住院家庭补助手术和住院医疗费用。",
                         towns=("梁村镇",))
    listed_resource("project", title="清平镇大病医疗救助项目",
                 description="为清平镇重病住院家庭补助手术和住院医疗费用。", towns=("清平镇",))
    listed_resource("project", title="梁村镇火灾受灾家庭援助", description="火灾后房屋修缮和生活物资。",
                 categories=("fire",), towns=("梁村镇",))
    listed_resource("fund", title="爱心助学基金", description="资助困难家庭学生学费和生活费。",
                 categories=(), per_case_cap="2000")
    listed_resource("offer", title="梁村镇心理疏导服务", description="心理疏导和陪伴。",
                 categories=(), towns=("梁村镇",), services="心理疏导")
    return need, right


def test_run_batch_proposes_the_medical_project_first(published_need, listed_resource, officer2,
                                                      run_batch_via_api, proposals_for):
    need, right = _medical_scenario(published_need, listed_resource)
    run = run_batch_via_api()
    assert run.status is RunStatus.DONE
    top = proposals_for(need)[0]
    assert (top.resource_kind.value, top.resource_id) == ("project", ident(right))
    assert top.run_id == run.id and top.amount == Decimal(5000)


def test_run_batch_explains_each_proposal_by_feature(published_need, listed_resource, officer2,
                                                     run_batch_via_api, proposals_for):
    need, _right = _medical_scenario(published_need, listed_resource)
    run_batch_via_api()
    top = proposals_for(need)[0]
    assert top.explanation["same_town"] > 0 and top.explanation["category_exact"] > 0
    assert round(sum(top.explanation.values()), 6) == top.score
    assert set(top.explanation) == set(top.features) | {"baseline"}


def test_start_run_only_queues_a_job(client, api_token, published_need, listed_resource, db):
    _medical_scenario(published_need, listed_resource)
    response = client.post("/api/v1/matching/runs", headers=api_token())
    assert response.status_code == 202
    assert response.get_json()["status"] == "queued"
    assert db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.run_id.is_not(None))) == 0


def test_scarce_fund_is_never_over_allocated(published_need, listed_resource, run_batch_via_api,
                                             db):
    towns = ["梁村镇", "清平镇", "尹集镇", "固河镇", "杨屯镇", "姜店镇", "人和街道", "汇鑫街道"]
    needs = [published_need(t, category=Category.FIRE, needed="4000", urgency=1 + i % 4,
                       title="火灾家庭急需生活物资", story="住房火灾，衣物口粮被烧毁。")
             for i, t in enumerate(towns)]
    fund = listed_resource("fund", title="火灾救急基金", description="火灾受灾家庭生活救助。",
                        categories=("fire",), amount="10000", per_case_cap="3000")
    run = run_batch_via_api()
    rows = db.session.scalars(select(Proposal).where(Proposal.run_id == run.id)).all()
    assert rows and all(p.resource_id == ident(fund) for p in rows)
    assert sum(p.amount for p in rows) <= Decimal(10000)
    assert all(p.amount <= Decimal(3000) for p in rows)
    assert len({p.need_card_id for p in rows}) == len(rows) < len(needs)
    assert run.objective >= run.greedy_objective - 1e-6


def test_run_report_lists_skipped_items_with_reasons(published_need, listed_resource,
                                                     run_batch_via_api):
    published_need("梁村镇", needed="0", title="已无缺口的需求")
    empty = listed_resource("fund", title="已用完的基金", description="医疗救助。", amount="0")
    run = run_batch_via_api()
    reasons = {(item["kind"], item["id"]): item["reason"] for item in run.skipped}
    assert reasons[("resource", ident(empty))] == "no remaining capacity"
    assert any(kind == "need" and reason == "no remaining gap"
               for (kind, _id), reason in reasons.items())
    assert run.timings["total"] > 0 and run.scorer == "default"


def test_new_run_supersedes_undecided_proposals(published_need, listed_resource, run_batch_via_api,
                                                proposals_for, db):
    need, _right = _medical_scenario(published_need, listed_resource)
    first_count = run_batch_via_api().n_proposals
    second = run_batch_via_api()
    assert second.n_superseded == first_count > 0
    assert {p.run_id for p in proposals_for(need)} == {second.id}


def test_publishing_a_need_stores_suggestions_at_once(db, listed_resource, org_named, user_named):
    from webapp.models import Case, CaseStatus, utcnow
    from webapp.services.needs import publish_need
    listed_resource("project", title="梁村镇大病医疗救助项目",
                 description="为梁村镇重病住院家庭补助手术和住院医疗费用。", towns=("梁村镇",))
    case = Case(number="GT-2026-990001", town_id=org_named("梁村镇").id,
                category=Category.SERIOUS_ILLNESS, urgency=3, amount_needed=Decimal(6000),
                status=CaseStatus.APPROVED, description="突发重病住院，医疗费用缺口较大。",
                reported_at=utcnow())
    db.session.add(case)
    db.session.flush()
    need = publish_need(db.session, user_named("officer"), case)
    db.session.commit()
    rows = db.session.scalars(select(Proposal).where(Proposal.need_card_id == ident(need))).all()
    assert [(p.resource_kind.value, p.run_id, p.status) for p in rows] == [
        ("project", None, ProposalStatus.PROPOSED)]


def test_flask_matching_run_prints_the_report(runner, published_need, listed_resource, db):
    _medical_scenario(published_need, listed_resource)
    result = runner.invoke(args=["matching", "run"])
    assert result.exit_code == 0, result.output
    assert "objective:" in result.output and "greedy baseline:" in result.output
    assert db.session.scalars(select(MatchRun)).one().n_proposals > 0


def test_flask_matching_evaluate_says_when_decisions_are_too_few(runner, demo_base):
    result = runner.invoke(args=["matching", "evaluate"])
    assert result.exit_code == 0
    assert "too few decisions" in result.output


def test_run_batch_matches_county_level_card_by_its_case_town(published_need, listed_resource,
                                                              officer2,
                                                              run_batch_via_api, proposals_for,
                                                              db):
    need, right = _medical_scenario(published_need, listed_resource)
    need.town_id, need.area = None, "高唐县"  # generalised for k-anonymity when published
    db.session.commit()
    run_batch_via_api()
    top = proposals_for(need)[0]
    assert (top.resource_kind.value, top.resource_id) == ("project", ident(right))


def test_stored_features_are_those_the_matcher_scored_on(published_need, listed_resource, officer2,
                                                         run_batch_via_api, proposals_for):
    """Two listings can serve the need (the 梁村镇 project and the county-wide fund): the
    stored scarcity is 1/2, and its term in the explanation is weight × that value."""
    from matching.scoring import DEFAULT_WEIGHTS
    need, _right = _medical_scenario(published_need, listed_resource)
    run_batch_via_api()
    for proposal in proposals_for(need):
        assert proposal.features["scarcity"] == 0.5
        assert proposal.explanation["scarcity"] == round(DEFAULT_WEIGHTS["scarcity"] * 0.5, 6)
        assert proposal.features["specificity"] >= 0

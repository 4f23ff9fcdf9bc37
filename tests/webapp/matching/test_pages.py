"""Officers' and resource owners' pages."""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import ident
from webapp.models import MatchRun, Proposal, ProposalStatus


def _scenario(published_need, listed_resource):
    need = published_need("梁村镇", needed="8000")
    project = listed_resource("project", title="梁村镇大病医疗救助项目",
                           description="为梁村镇重病住院家庭补助手术和住院医疗费用。",
                           towns=("梁村镇",))
    return need, project


def test_proposals_page_groups_by_need_with_reasons(client, auth, published_need, listed_resource,
                                                    officer2, run_batch_via_api):
    need, _project = _scenario(published_need, listed_resource)
    run_batch_via_api("officer")
    auth.login("officer2")
    html = client.get("/matching/").get_data(as_text=True)
    assert f'id="need-{ident(need)}"' in html
    assert "梁村镇大病医疗救助项目" in html and "本镇资源" in html and "专项对口" in html


def test_proposals_page_shows_empty_state(client, auth, demo_base):
    auth.login("officer")
    assert "暂无待审批的匹配建议" in client.get("/matching/").get_data(as_text=True)


def test_run_button_queues_a_batch_and_run_page_reports_it(client, auth, published_need,
                                                           listed_resource, db):
    from webapp.services import jobs
    _scenario(published_need, listed_resource)
    auth.login("officer")
    response = auth.post("/matching/runs", {}, form_page="/matching/")
    assert response.status_code == 302
    run_id = db.session.scalars(select(MatchRun.id)).one()
    assert 'data-status="queued"' in client.get(f"/matching/runs/{run_id}").get_data(as_text=True)
    jobs.run_pending(db.session)
    html = client.get(f"/matching/runs/{run_id}").get_data(as_text=True)
    assert 'id="run-report"' in html and 'id="greedy-objective"' in html
    assert client.get(f"/matching/runs/{run_id}/status").get_json()["status"] == "done"


def test_approve_form_approves_and_flashes(client, auth, published_need, listed_resource, officer2,
                                           run_batch_via_api, db):
    _scenario(published_need, listed_resource)
    run_batch_via_api("officer")
    pid = db.session.scalars(select(Proposal.id)).first()
    auth.login("officer2")
    response = auth.post(f"/matching/proposals/{pid}/approve", {"amount": "3000"},
                         form_page="/matching/", follow_redirects=True)
    assert "已批准匹配建议" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status is ProposalStatus.APPROVED


def test_approve_form_with_bad_amount_shows_message_and_changes_nothing(
        client, auth, published_need, listed_resource, officer2, run_batch_via_api, db):
    _scenario(published_need, listed_resource)
    run_batch_via_api("officer")
    pid = db.session.scalars(select(Proposal.id)).first()
    auth.login("officer2")
    response = auth.post(f"/matching/proposals/{pid}/approve", {"amount": "abc"},
                         form_page="/matching/", follow_redirects=True)
    assert "金额" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status is ProposalStatus.PROPOSED


def test_charity_accepts_approved_pairing_on_assignments_page(
        client, auth, published_need, listed_resource, officer2, run_batch_via_api, db, user_named):
    from webapp.services import matching
    _scenario(published_need, listed_resource)
    run_batch_via_api("officer")
    proposal = db.session.scalars(select(Proposal)).first()
    matching.approve(db.session, user_named("officer2"), proposal)
    db.session.commit()
    pid = proposal.id
    auth.login("charity")
    html = client.get("/matching/assignments").get_data(as_text=True)
    assert f'id="respond-{pid}"' in html and "GT-M-" not in html
    auth.post(f"/matching/proposals/{pid}/respond", {"decision": "accept"},
              form_page="/matching/assignments")
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status is ProposalStatus.ACCEPTED

"""Officers' decisions through the API and the resource owner's answer."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import ident
from webapp.models import (
    CaseStatus,
    MoneyTransfer,
    MoneyTransferStatus,
    NeedCard,
    Proposal,
    ProposalStatus,
)


@pytest.fixture
def proposed(published_need, listed_resource, officer2, run_batch_via_api, proposals_for):
    """The ids of a need and of the batch's top proposal (the medical project)."""
    need = published_need("梁村镇", needed="8000")
    listed_resource("project", title="梁村镇大病医疗救助项目",
                 description="为梁村镇重病住院家庭补助手术和住院医疗费用。", towns=("梁村镇",))
    run_batch_via_api("officer")
    return ident(need), proposals_for(need)[0].id


def _approve(client, api_token, proposal_id, body=None, *, user="officer2", key=None):
    headers = api_token(user)
    if key:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/proposals/{proposal_id}/approve", json=body or {},
                       headers=headers)


def test_approve_reserves_money_in_the_ledger(client, api_token, proposed, db, runner):
    _need_id, pid = proposed
    response = _approve(client, api_token, pid, {"amount": "4000.00"}, key="k-1")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved" and body["approved_amount"] == "4000.00"
    transfer = db.session.get(MoneyTransfer, body["money_transfer_id"])
    assert (transfer.amount, transfer.status) == (Decimal("4000.00"), MoneyTransferStatus.PENDING)
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_approve_with_same_idempotency_key_takes_effect_once(client, api_token, proposed, db):
    _need_id, pid = proposed
    first = _approve(client, api_token, pid, key="k-2")
    again = _approve(client, api_token, pid, key="k-2")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.reference.like("匹配建议%"))).all()) == 1


def test_approve_twice_is_a_conflict(client, api_token, proposed):
    _need_id, pid = proposed
    assert _approve(client, api_token, pid).status_code == 200
    response = _approve(client, api_token, pid)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_approve_after_need_closed_is_a_conflict(client, api_token, proposed, db):
    need_id, pid = proposed
    db.session.get(NeedCard, need_id).case.status = CaseStatus.CLOSED
    db.session.commit()
    assert _approve(client, api_token, pid).status_code == 409
    assert db.session.scalars(select(MoneyTransfer).where(
        MoneyTransfer.reference.like("匹配建议%"))).first() is None


def test_approve_above_the_limit_is_refused_and_changes_nothing(client, api_token, proposed, db):
    _need_id, pid = proposed
    response = _approve(client, api_token, pid, {"amount": "5000.01"})
    assert response.status_code == 400 and "上限" in response.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status is ProposalStatus.PROPOSED


def test_approve_with_three_decimals_is_refused(client, api_token, proposed):
    _need_id, pid = proposed
    assert _approve(client, api_token, pid, {"amount": "100.123"}).status_code == 400


def test_approve_own_run_proposal_is_forbidden(client, api_token, proposed):
    _need_id, pid = proposed
    assert _approve(client, api_token, pid, user="officer").status_code == 403


def test_reject_records_the_coded_reason(client, api_token, proposed, db):
    _need_id, pid = proposed
    response = client.post(f"/api/v1/proposals/{pid}/reject",
                           json={"reason_code": "already_helped", "note": "已获医保报销"},
                           headers=api_token("officer2"))
    assert response.status_code == 200
    db.session.expire_all()
    row = db.session.get(Proposal, pid)
    assert (row.status, row.reason_code.value, row.note) == (
        ProposalStatus.REJECTED, "already_helped", "已获医保报销")


def test_reject_other_without_note_is_refused(client, api_token, proposed):
    _need_id, pid = proposed
    response = client.post(f"/api/v1/proposals/{pid}/reject",
                           json={"reason_code": "other"}, headers=api_token("officer2"))
    assert response.status_code == 400


def test_reject_unknown_reason_is_refused(client, api_token, proposed):
    _need_id, pid = proposed
    response = client.post(f"/api/v1/proposals/{pid}/reject",
                           json={"reason_code": "because"}, headers=api_token("officer2"))
    assert response.status_code == 422


def test_rejected_pair_is_not_proposed_again(client, api_token, proposed, run_batch_via_api,
                                             proposals_for, db):
    need_id, pid = proposed
    client.post(f"/api/v1/proposals/{pid}/reject",
                json={"reason_code": "not_eligible"}, headers=api_token("officer2"))
    run_batch_via_api("officer")
    assert proposals_for(db.session.get(NeedCard, need_id)) == []


def test_approval_notifies_the_resource_organisation(client, api_token, proposed, db,
                                                     user_named):
    from webapp.models import Notification
    _need_id, pid = proposed
    _approve(client, api_token, pid)
    charity = user_named("charity")
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == charity.id, Notification.kind == "match_approved")).one()


def test_decline_releases_the_reservation(client, api_token, proposed, db, user_named):
    from webapp.services import matching
    _need_id, pid = proposed
    _approve(client, api_token, pid)
    db.session.expire_all()
    row = db.session.get(Proposal, pid)
    matching.respond(db.session, user_named("charity"), row, accept=False, note="预算已满")
    db.session.commit()
    assert row.status is ProposalStatus.DECLINED
    assert db.session.get(MoneyTransfer, row.money_transfer_id).status is \
        MoneyTransferStatus.VOIDED


def test_respond_by_another_organisation_is_forbidden(client, api_token, proposed, db,
                                                      user_named):
    from webapp.services import PermissionDeniedError, matching
    _need_id, pid = proposed
    _approve(client, api_token, pid)
    db.session.expire_all()
    with pytest.raises(PermissionDeniedError):
        matching.respond(db.session, user_named("fundmgr"), db.session.get(Proposal, pid),
                         accept=True)

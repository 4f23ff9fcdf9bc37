"""A case that ends is taken out of matching: undecided proposals are superseded, pairings not
carried out are cancelled with their money released, and help already paid stays."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import ident
from webapp.models import (
    AuditEvent,
    MoneyTransfer,
    MoneyTransferStatus,
    NeedCard,
    Notification,
    Proposal,
    ProposalStatus,
)
from webapp.services import ConflictError, ledger, matching
from webapp.services.cases import workflow
from webapp.services.cases.settings import CaseSettings


@pytest.fixture
def pairings(published_need, listed_resource, officer2, run_batch_via_api, proposals_for):
    """A need with two undecided money proposals: the charity project's and the company fund's."""
    need = published_need("梁村镇", needed="8000")
    listed_resource("project", title="梁村镇大病医疗救助项目", towns=("梁村镇",),
                 description="为梁村镇重病住院家庭补助手术和住院医疗费用。")
    listed_resource("fund", title="鲁西爱心重病医疗救助基金", towns=("梁村镇",),
                 description="资助重病住院家庭的手术和住院医疗费用。")
    run_batch_via_api("officer")
    found = proposals_for(need)
    assert len(found) == 2, [(p.resource_kind, p.amount) for p in found]
    return ident(need), [p.id for p in found]


def _close(db, app, user_named, need_id):
    settings = CaseSettings.from_config(app.config)
    case = db.session.get(NeedCard, need_id).case
    officer = user_named("officer")
    workflow.fire(db.session, officer, case, "start_assistance", settings=settings)
    result = workflow.fire(db.session, officer, case, "close", settings=settings,
                           outcome="已救助")
    db.session.commit()
    db.session.expire_all()
    return result


def test_case_close_cancels_approved_pairing_and_releases_its_money(app, db, pairings,
                                                                   user_named):
    need_id, (approved_id, undecided_id) = pairings
    approved = matching.approve(db.session, user_named("officer2"),
                                db.session.get(Proposal, approved_id), amount="3000")
    db.session.commit()
    transfer_id = approved.money_transfer_id

    result = _close(db, app, user_named, need_id)

    approved, undecided = (db.session.get(Proposal, i) for i in (approved_id, undecided_id))
    assert [p.id for p in result.cancelled] == [approved_id]
    assert [t.id for t in result.released] == [transfer_id]
    assert approved.status is ProposalStatus.CANCELLED
    assert approved.response_note == "个案已办结，匹配自动取消"
    assert undecided.status is ProposalStatus.SUPERSEDED
    transfer = db.session.get(MoneyTransfer, transfer_id)
    assert (transfer.status, transfer.void_reason) == (MoneyTransferStatus.VOIDED,
                                                       "个案已办结，预留自动释放")
    assert ledger.verify_ledger(db.session).ok


def test_case_close_tells_the_resource_owner_and_audits(app, db, pairings, user_named):
    need_id, (approved_id, undecided_id) = pairings
    matching.approve(db.session, user_named("officer2"), db.session.get(Proposal, approved_id))
    db.session.commit()
    owner = db.session.get(Proposal, approved_id).resource_kind.value
    responder = user_named("charity" if owner == "project" else "fundmgr")

    _close(db, app, user_named, need_id)

    assert db.session.scalars(select(Notification).where(
        Notification.user_id == responder.id, Notification.kind == "match_cancelled")).one()
    cancel = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "matching.cancel")).one()
    assert cancel.object_id == str(approved_id) and '"from": "approved"' in cancel.summary
    supersede = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "matching.supersede")).one()
    assert f"[{undecided_id}]" in supersede.summary


def test_cancelled_pairing_can_no_longer_be_answered(app, db, pairings, user_named):
    need_id, (approved_id, _undecided_id) = pairings
    proposal = matching.approve(db.session, user_named("officer2"),
                                db.session.get(Proposal, approved_id))
    db.session.commit()
    responder = user_named("charity" if proposal.resource_kind.value == "project"
                           else "fundmgr")
    _close(db, app, user_named, need_id)
    with pytest.raises(ConflictError, match="个案已终止，已取消"):
        matching.respond(db.session, responder, db.session.get(Proposal, approved_id),
                         accept=True)


def test_case_close_keeps_a_paid_pairing(app, db, pairings, user_named, make_user,
                                         org_named, demo_base):
    from webapp.models import Role
    need_id, (approved_id, _undecided_id) = pairings
    proposal = matching.approve(db.session, user_named("officer2"),
                                db.session.get(Proposal, approved_id), amount="2000")
    db.session.commit()
    responder = user_named("charity" if proposal.resource_kind.value == "project"
                           else "fundmgr")
    matching.respond(db.session, responder, proposal, accept=True)
    payer = make_user(Role.OFFICER, organisation=org_named(demo_base.BUREAU))
    ledger.disburse(db.session, payer, db.session.get(MoneyTransfer, proposal.money_transfer_id),
                    payee="高唐县人民医院", method="bank_transfer", voucher_number="PZ-M-1",
                    paid_on=dt.date(2026, 1, 5), second_officer_above=Decimal(5000))
    db.session.commit()

    _close(db, app, user_named, need_id)

    kept = db.session.get(Proposal, approved_id)
    assert kept.status is ProposalStatus.ACCEPTED
    assert db.session.get(MoneyTransfer, kept.money_transfer_id).status is \
        MoneyTransferStatus.POSTED
    assert ledger.verify_ledger(db.session).ok


def test_cancelled_pairing_stays_an_approval_in_the_training_data(app, db, pairings,
                                                                  user_named):
    need_id, (approved_id, _undecided_id) = pairings
    matching.approve(db.session, user_named("officer2"), db.session.get(Proposal, approved_id))
    db.session.commit()
    _close(db, app, user_named, need_id)
    _X, y, groups = matching.decisions(db.session)
    assert list(y) == [1] and list(groups) == [need_id]


def test_case_close_frees_volunteer_hours_not_yet_taken_on(app, db, published_need, listed_resource,
                                                            officer2, run_batch_via_api,
                                                            proposals_for, user_named):
    from webapp.services.matching import records
    need = published_need("梁村镇", services="心理疏导")
    offer = listed_resource("offer", title="梁村镇心理疏导服务", description="心理疏导和陪伴。",
                         categories=(), towns=("梁村镇",), services="心理疏导")
    run_batch_via_api("officer")
    hours = [p for p in proposals_for(need) if p.unit == "hours"]
    assert len(hours) == 1
    matching.approve(db.session, user_named("officer2"), hours[0], amount="4")
    db.session.commit()
    key = (hours[0].resource_kind, ident(offer))
    assert records.active_amounts(db.session, by="resource", unit="hours")[key] == 4

    _close(db, app, user_named, ident(need))

    assert db.session.get(Proposal, hours[0].id).status is ProposalStatus.CANCELLED
    assert key not in records.active_amounts(db.session, by="resource", unit="hours")


def test_case_close_takes_its_need_off_the_lists_but_keeps_its_page(app, db, client, pairings,
                                                                     user_named):
    """A closed need leaves the lists (and the search index, by unpublishing); its own page
    stays up as a closed need, with no pledge button."""
    from webapp.models import NeedStatus

    need_id, _ = pairings
    assert client.get(f"/needs/{need_id}").status_code == 200
    _close(db, app, user_named, need_id)
    assert db.session.get(NeedCard, need_id).status is NeedStatus.UNPUBLISHED
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "need.unpublish", AuditEvent.object_id == str(need_id))).one()
    page = client.get(f"/needs/{need_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "已办结" in text and "pledge-button" not in text
    assert f"/needs/{need_id}\"" not in client.get("/needs").get_data(as_text=True)
    assert client.get(f"/api/v1/needs/{need_id}").status_code == 404

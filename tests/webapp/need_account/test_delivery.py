"""The loop closes: service sessions logged against a pairing count as hours delivered,
someone else's pairing is refused, a closed case gets one outcome through the redaction gate,
and a closed need's public page shows how it ended and where the help came from."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.models import AuditEvent, Case, NeedCard, Role
from webapp.models.delivery import CaseOutcome, OutcomeResult, ServiceSession
from webapp.services import ConflictError, DomainError, PermissionDeniedError, delivery, ledger
from webapp.services.need_account import help_account


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_log_session_counts_hours_delivered_in_the_account(db, state, accepted_service_pairing,
                                                          user_named, client):
    pairing = accepted_service_pairing(state.card, hours="10")
    today = dt.date.today()
    delivery.log_session(db.session, user_named("volunteer"), pairing,
                         delivered_on=today.isoformat(), hours="2.5", note="陪同复诊")
    delivery.log_session(db.session, user_named("volunteer"), pairing,
                         delivered_on=today - dt.timedelta(days=2), hours="3", note="")
    db.session.commit()

    account = help_account(db.session, state.ids["case"])
    assert (account.hours_promised, account.hours_delivered) == (Decimal("10.00"),
                                                                 Decimal("5.50"))
    assert account.gap == Decimal("10000.00")  # hours never move the money figures
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "delivery.session")).all()
    page = client.get(f"/needs/{state.ids['card']}").get_data(as_text=True)
    assert "已服务 5.50 / 10.00 小时" in page


def test_log_session_against_someone_elses_pairing_is_refused(db, state, make_user, org_named,
                                                             accepted_service_pairing,
                                                             client, api_token):
    pairing = accepted_service_pairing(state.card)
    other = make_user(Role.VOLUNTEER, organisation=org_named("高唐县志愿者协会"),
                      username="volunteer9", password="jiujinan-demo")
    with pytest.raises(PermissionDeniedError):
        delivery.log_session(db.session, other, pairing, delivered_on=dt.date.today(),
                             hours="1")
    db.session.rollback()
    response = client.post(f"/api/v1/proposals/{pairing.id}/sessions",
                           json={"delivered_on": dt.date.today().isoformat(), "hours": "1"},
                           headers=api_token("volunteer9"))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert _count(db, ServiceSession) == 0


@pytest.mark.parametrize("day, hours, field", [
    (1, "2", "delivered_on"),      # tomorrow
    (0, "0", "hours"), (0, "25", "hours"), (0, "abc", "hours"), (0, "1.234", "hours"),
    (0, "10.5", "hours"),          # more than the 10 approved hours
])
def test_log_session_bad_input_changes_nothing(db, state, accepted_service_pairing, user_named,
                                              day, hours, field):
    pairing = accepted_service_pairing(state.card, hours="10")
    with pytest.raises(DomainError) as caught:
        delivery.log_session(db.session, user_named("volunteer"), pairing,
                             delivered_on=dt.date.today() + dt.timedelta(days=day), hours=hours)
    db.session.rollback()
    assert field in caught.value.errors
    assert _count(db, ServiceSession) == 0


def test_api_logs_and_lists_sessions(db, state, accepted_service_pairing, client, api_token):
    pid = accepted_service_pairing(state.card, hours="4").id
    headers = api_token("volunteer")
    created = client.post(f"/api/v1/proposals/{pid}/sessions", headers=headers,
                          json={"delivered_on": dt.date.today().isoformat(), "hours": "1.5",
                                "note": "送药上门"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["hours"] == "1.50"
    over = client.post(f"/api/v1/proposals/{pid}/sessions", headers=headers,
                       json={"delivered_on": dt.date.today().isoformat(), "hours": "3"})
    assert over.status_code == 400 and over.content_type == "application/problem+json"
    listed = client.get(f"/api/v1/proposals/{pid}/sessions", headers=headers).get_json()
    assert (listed["hours_approved"], listed["hours_delivered"]) == ("4.00", "1.50")
    assert [item["note"] for item in listed["items"]] == ["送药上门"]


def test_record_outcome_once_on_a_closed_case(db, state, closed_by_officer, user_named):
    case = db.session.get(Case, state.ids["case"])
    with pytest.raises(ConflictError):  # not closed yet
        delivery.record_outcome(db.session, user_named("officer"), case,
                                result="resolved", story="手术顺利，家庭生活逐步恢复正常。")
    db.session.rollback()
    closed_by_officer(db.session.get(Case, state.ids["case"]))
    case = db.session.get(Case, state.ids["case"])
    delivery.record_outcome(db.session, user_named("officer"), case, result="partly_resolved",
                            story="医疗费用已解决，后续康复仍在进行中。")
    db.session.commit()
    with pytest.raises(ConflictError, match="该个案已记录救助成效，不能重复记录"):
        delivery.record_outcome(db.session, user_named("officer"), case, result="resolved",
                                story="再次记录的成效说明应被拒绝。")
    db.session.rollback()
    (outcome,) = db.session.scalars(select(CaseOutcome)).all()
    assert outcome.result is OutcomeResult.PARTLY
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.outcome")).one()


def test_record_outcome_refuses_personal_data_and_the_known_names(db, state, closed_by_officer,
                                                                  user_named, monkeypatch):
    closed_by_officer(db.session.get(Case, state.ids["case"]))
    case = db.session.get(Case, state.ids["case"])
    for story in ("联系电话13812345678，欢迎回访了解情况。", "已转介至县医院继续治疗跟进。"):
        if "转介" in story:
            # The name comes from the case's known names: the function the card uses.
            monkeypatch.setattr("webapp.services.delivery.known_names",
                                lambda c: ("县医院",))
        with pytest.raises(DomainError) as caught:
            delivery.record_outcome(db.session, user_named("officer"), case,
                                    result="referred_on", story=story)
        assert caught.value.field == "story"
        db.session.rollback()
    assert _count(db, CaseOutcome) == 0


def test_closed_need_page_shows_outcome_and_sources(db, state, closed_by_officer, user_named,
                                                    accepted_service_pairing, client):
    case = db.session.get(Case, state.ids["case"])
    transfer = ledger.reserve_for_case(db.session, user_named("officer"), source="fund",
                                       source_id=state.ids["fund"], case=case, amount="3000",
                                       reference="测试")
    ledger.disburse(db.session, user_named("officer2"), transfer, payee="县人民医院",
                    method="bank_transfer", voucher_number="DL-1", paid_on=dt.date.today(),
                    second_officer_above=Decimal(100000))
    pairing = accepted_service_pairing(state.card, hours="6")
    delivery.log_session(db.session, user_named("volunteer"), pairing,
                         delivered_on=dt.date.today(), hours="4")
    db.session.commit()
    closed_by_officer(db.session.get(Case, state.ids["case"]))
    delivery.record_outcome(db.session, user_named("officer"),
                            db.session.get(Case, state.ids["case"]), result="resolved",
                            story="手术顺利，医疗费用已全部解决。")
    db.session.commit()

    response = client.get(f"/needs/{state.ids['card']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已办结" in page and "已解决" in page and "手术顺利，医疗费用已全部解决。" in page
    assert "企业基金 · 测试救急难基金" in page and "¥3,000.00" in page
    assert "志愿服务" in page and "4.00 小时" in page
    assert "陪诊和心理疏导服务" not in page  # an individual volunteer's offer is not named
    sources = delivery.help_sources(db.session, state.ids["case"])
    assert {(s.kind, s.amount) for s in sources} == {("fund", Decimal("3000.00")),
                                                    ("offer", Decimal("4.00"))}
    assert db.session.get(NeedCard, state.ids["card"]).status.value == "unpublished"
    assert client.get("/needs").get_data(as_text=True).count(f"/needs/{state.ids['card']}\"") == 0


def test_delivered_hours_free_the_offers_capacity_for_the_matcher(db, state, user_named,
                                                                   accepted_service_pairing):
    """An offer of 4 h/week for 2 cases (16 h over the horizon, 8 h a place) promised all 16
    hours to one case has no free place; once 8 of them are delivered, one place is free."""
    from webapp.models import ListingKind, Offer
    from webapp.services.matching import records

    pairing = accepted_service_pairing(state.card, hours="16")
    offer = db.session.get(Offer, pairing.resource_id)
    offer.max_cases = 2
    db.session.commit()

    def places():
        resources, refs = records.resource_records(db.session)
        (rid,) = [rid for rid, ref in refs.items()
                  if ref.kind is ListingKind.OFFER and ref.id == offer.id]
        return resources[rid - 1].capacity

    before = records.listings_version(db.session)
    assert places() == 0
    delivery.log_session(db.session, user_named("volunteer"), pairing,
                         delivered_on=dt.date.today(), hours="8")
    db.session.commit()
    assert records.listings_version(db.session) != before  # the cached index is rebuilt
    assert places() == 1
    assert records.outstanding_hours(db.session)[(ListingKind.OFFER, offer.id)] == 8

"""Volunteer offers by both capacities: hours per week and cases at once."""
from __future__ import annotations

from tests.factories import ident
from webapp.models import Offer


def _escort_needs(published_need):
    story = "老人术后住院，子女在外地，需要有人陪护就医。"
    return [published_need("梁村镇", needed="0", services="陪护就医", title="独居老人住院需要陪护",
                      story=story, urgency=u) for u in (4, 2)]


def test_offer_with_one_place_serves_one_case_and_names_it_for_the_other(
        client, api_token, published_need, listed_resource, officer2, run_batch_via_api, proposals_for,
        db):
    urgent, other = _escort_needs(published_need)
    offer = listed_resource("offer", title="梁村镇志愿者陪护就医", description="陪同住院患者就医和护理。",
                         categories=(), towns=("梁村镇",), services="陪护就医")
    listing = db.session.get(Offer, ident(offer))
    listing.hours_per_week, listing.max_cases = 10, 1
    db.session.commit()

    run = run_batch_via_api()
    [given] = proposals_for(urgent)
    assert (given.resource_id, given.unit) == (ident(offer), "hours")
    assert float(given.amount) == 8  # the default service hours, within the 40-hour place
    assert proposals_for(other) == []  # one case at a time, although hours are left
    item = next(i for i in run.skipped if i["kind"] == "need" and i["id"] == ident(other))
    assert item["reasons"] == {"capacity_used": 1}

    response = client.post(f"/api/v1/proposals/{given.id}/approve", json={},
                           headers=api_token("officer2"))
    assert response.status_code == 200, response.get_json()
    run = run_batch_via_api()
    assert proposals_for(other) == []
    item = next(i for i in run.skipped if i["kind"] == "need" and i["id"] == ident(other))
    assert item["reasons"] == {"capacity_used": 1}
    body = client.get(f"/api/v1/needs/{ident(other)}/why-not?resource=offer:{ident(offer)}",
                      headers=api_token()).get_json()
    assert body["rule"] == "capacity_used"


def test_offer_with_two_places_serves_both_nearby_cases(published_need, listed_resource, db,
                                                         run_batch_via_api, proposals_for):
    urgent, other = _escort_needs(published_need)
    offer = listed_resource("offer", title="梁村镇志愿者陪护就医", description="陪同住院患者就医和护理。",
                         categories=(), towns=("梁村镇",), services="陪护就医")
    listing = db.session.get(Offer, ident(offer))
    listing.hours_per_week, listing.max_cases = 4, 2
    db.session.commit()
    run_batch_via_api()
    assert [float(p.amount) for p in proposals_for(urgent)] == [8]
    assert [float(p.amount) for p in proposals_for(other)] == [8]


def _busy_escort(db, published_need, accepted_service_pairing):
    """An escort offer (4 h/week, one case at once) taken on for 8 hours by one need, and a
    second need nearby asking for the same service."""
    from webapp.models import Offer

    taken, waiting = _escort_needs(published_need)
    pairing = accepted_service_pairing(taken, hours="8")
    offer = db.session.get(Offer, pairing.resource_id)
    offer.services, offer.max_cases = "陪护就医", 1
    db.session.commit()
    return pairing.id, (pairing.resource_kind, offer.id), waiting


def _log(db, user_named, pairing_id, hours):
    import datetime as dt

    from webapp.models import Proposal
    from webapp.services import delivery

    delivery.log_session(db.session, user_named("volunteer"), db.session.get(Proposal, pairing_id),
                         delivered_on=dt.date.today(), hours=hours)
    db.session.commit()


def test_a_completed_pairing_frees_its_place_for_the_next_need(
        db, published_need, accepted_service_pairing, user_named, run_batch_via_api,
        proposals_for):
    from webapp.services.matching import records

    pairing, offer, waiting = _busy_escort(db, published_need, accepted_service_pairing)
    run_batch_via_api()
    assert [p.resource_id for p in proposals_for(waiting)] == []  # its one place is held
    _log(db, user_named, pairing, "5")
    run_batch_via_api()
    assert proposals_for(waiting) == []  # 3 of its 8 hours still to give
    assert records.outstanding_hours(db.session)[offer] == 3
    _log(db, user_named, pairing, "3")
    run_batch_via_api()
    assert [p.resource_id for p in proposals_for(waiting)] == [offer[1]]
    assert offer not in records.outstanding_hours(db.session)


def test_a_pairing_whose_case_ended_frees_its_place_and_hours(
        db, published_need, accepted_service_pairing, user_named, closed_by_officer,
        run_batch_via_api, proposals_for):
    from webapp.models import Case, Proposal, ProposalStatus
    from webapp.services.matching import records

    pairing, offer, waiting = _busy_escort(db, published_need, accepted_service_pairing)
    _log(db, user_named, pairing, "2")
    assert records.open_offer_cases(db.session) == {offer[1]: 1}
    assert records.outstanding_hours(db.session) == {offer: 6}
    closed_by_officer(db.session.get(Case, db.session.get(Proposal, pairing).case_id))
    assert db.session.get(Proposal, pairing).status is ProposalStatus.ACCEPTED  # help given
    assert records.open_offer_cases(db.session) == {}
    assert records.outstanding_hours(db.session) == {}
    run_batch_via_api()
    assert [p.resource_id for p in proposals_for(waiting)] == [offer[1]]


def test_a_need_asking_for_two_services_gets_one_offer_for_each(
        client, api_token, db, published_need, listed_resource, officer2, run_batch_via_api,
        proposals_for):
    from webapp.models import Offer

    need = published_need("梁村镇", needed="0", services="陪护就医,生活帮扶",
                          title="独居老人术后需要陪护和生活照料",
                          story="老人术后出院，子女在外地，需要有人陪同复查并上门帮做家务。")
    offers = {}
    for key, title, service in (("escort", "梁村镇志愿者陪护就医", "陪护就医"),
                                ("escort2", "梁村镇医护志愿陪诊", "陪护就医"),
                                ("home", "梁村镇上门生活帮扶", "生活帮扶")):
        made = listed_resource("offer", title=title, description=f"为老人提供{service}。",
                               categories=(), towns=("梁村镇",), services=service)
        listing = db.session.get(Offer, ident(made))
        listing.hours_per_week, listing.max_cases = 4, 2
        offers[key] = listing.id
    db.session.commit()

    run_batch_via_api()
    given = {p.resource_id: p for p in proposals_for(need)}
    assert offers["home"] in given and len(given) == 2  # one escort, never both
    escort = next(p for rid, p in given.items() if rid != offers["home"])
    other_escort = offers["escort"] if escort.resource_id == offers["escort2"] else offers["escort2"]
    response = client.post(f"/api/v1/proposals/{escort.id}/approve", json={},
                           headers=api_token("officer2"))
    assert response.status_code == 200, response.get_json()
    run_batch_via_api()  # the escort is taken on: only home help is still asked for
    assert [p.resource_id for p in proposals_for(need)] == [offers["home"]]
    body = client.get(f"/api/v1/needs/{ident(need)}/why-not?resource=offer:{other_escort}",
                      headers=api_token()).get_json()
    assert body["rule"] == "service_taken", body

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

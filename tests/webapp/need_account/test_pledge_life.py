"""Donors see where their help went: a pledge's life (pledged → confirmed → received → used
for a need or project, with the need's anonymized outcome) and a printable certificate."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from webapp.models import Case, NeedCard, Pledge
from webapp.services import DomainError, delivery, pledges


def _received_pledge(db, state, user_named, amount="2000"):
    pledge = pledges.make_pledge(db.session, user_named("donor"),
                                 need=db.session.get(NeedCard, state.ids["card"]), amount=amount)
    pledges.confirm_pledge(db.session, user_named("officer"), pledge)
    pledges.fulfil_pledge(db.session, user_named("officer"), pledge)
    db.session.commit()
    return pledge.id


def test_pledge_life_follows_the_pledge_to_its_need_and_outcome(db, state, user_named,
                                                               closed_by_officer):
    pledge_id = _received_pledge(db, state, user_named)
    closed_by_officer(db.session.get(Case, state.ids["case"]))
    delivery.record_outcome(db.session, user_named("officer"),
                            db.session.get(Case, state.ids["case"]), result="resolved",
                            story="手术顺利，医疗费用已全部解决。")
    db.session.commit()

    life = pledges.pledge_life(db.session, db.session.get(Pledge, pledge_id))
    assert [(s.key, s.done) for s in life.steps] == [
        ("pledged", True), ("confirmed", True), ("received", True), ("used", True)]
    assert life.used_need.id == state.ids["card"] and life.outcome.story.startswith("手术顺利")
    assert life.certifiable


def test_pledge_life_of_an_unconfirmed_pledge_stops_at_pledged(db, state, user_named):
    pledge = pledges.make_pledge(db.session, user_named("donor"),
                                 need=db.session.get(NeedCard, state.ids["card"]), amount="500")
    life = pledges.pledge_life(db.session, pledge)
    assert [s.done for s in life.steps] == [True, False, False, False]
    assert life.used_need is None and not life.certifiable


def test_project_pledge_is_used_only_for_a_need_the_project_took_on(db, state, user_named,
                                                                   make_project_pledge):
    make_project_pledge("800")
    pledge = db.session.scalars(pledges.donor_pledges(user_named("donor"))).first()
    assert pledge.used_need_id is None  # used by the project itself
    life = pledges.pledge_life(db.session, pledge)
    assert life.used_project is not None and life.used_need is None
    other = pledges.make_pledge(db.session, user_named("donor"), project=pledge.project,
                                amount="100")
    pledges.confirm_pledge(db.session, user_named("officer"), other)
    with pytest.raises(DomainError):  # the project never took this need on
        pledges.fulfil_pledge(db.session, user_named("officer"), other,
                              used_need_id=state.ids["card"])


def test_pledge_page_and_certificate_pdf_in_chinese(db, state, user_named, client, auth,
                                                   make_user):
    pledge_id = _received_pledge(db, state, user_named, amount="2000")
    unconfirmed = pledges.make_pledge(db.session, user_named("donor"),
                                      need=db.session.get(NeedCard, state.ids["card"]),
                                      amount="100").id
    db.session.commit()
    auth.login("donor")
    page = client.get(f"/my/pledges/{pledge_id}").get_data(as_text=True)
    assert "这笔爱心的去向" in page and "用于需求" in page and "下载捐赠证明" in page
    response = client.get(f"/my/pledges/{pledge_id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "捐赠证明" in text and "2,000.00" in text
    assert "财政部门" in text and "不是税务凭证" in text
    assert client.get(f"/my/pledges/{unconfirmed}/certificate.pdf").status_code == 404
    from webapp.models import Role
    make_user(Role.DONOR, username="donor2", password="jiujinan-demo")
    auth.logout()
    auth.login("donor2")
    assert client.get(f"/my/pledges/{pledge_id}/certificate.pdf").status_code in (403, 404)

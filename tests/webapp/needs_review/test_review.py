"""The 发布审核 page and the publication gate: highlighting, re-check, refusal of bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.webapp.needs_review.conftest import PATH, PEOPLE


@pytest.fixture
def approved(report, advance):
    case_id = report(PEOPLE[0])
    for action in PATH:
        assert advance(case_id, action).status_code == 200
    return case_id


def _card(db, case_id):
    from webapp.models import NeedCard
    return db.session.scalars(select(NeedCard).where(NeedCard.case_id == case_id)).first()


def test_review_page_highlights_every_redaction(client, auth, approved):
    auth.login("officer")
    html = client.get(f"/review/needs/{approved}").get_data(as_text=True)
    assert html.count('<mark class="redaction" data-type="name">') == 2
    assert '<mark class="redaction" data-type="id_number">' in html
    assert "欧阳雪梅" not in html and "13812345678" not in html


def test_review_page_denied_to_intake_worker(client, auth, approved):
    auth.login("intake")
    assert client.get(f"/review/needs/{approved}").status_code == 403


def test_review_check_shows_pii_typed_into_story(client, auth, approved):
    auth.login("officer")
    response = auth.post(f"/review/needs/{approved}/check",
                         {"title": "梁村镇一户家庭急需救助", "story": "请联系欧阳雪梅 13812345678"},
                         form_page=f"/review/needs/{approved}")
    html = response.get_data(as_text=True)
    assert '<mark class="pii" data-type="phone">13812345678</mark>' in html
    assert 'id="publish-button" disabled' in html


def test_review_check_json_reports_findings(client, auth, approved):
    auth.login("officer")
    response = auth.post(f"/review/needs/{approved}/check.json",
                         {"title": "欧阳雪梅家急需救助", "story": "白血病化疗费用"},
                         form_page=f"/review/needs/{approved}")
    body = response.get_json()
    assert (body["publishable"], body["findings"]) == (False, ["姓名"])


def test_review_publish_with_pii_refused_and_nothing_published(db, client, auth, approved):
    auth.login("officer")
    response = auth.post(f"/review/needs/{approved}/publish",
                         {"title": "为欧阳雪梅筹集医疗费", "story": "白血病化疗费用缺口较大"},
                         form_page=f"/review/needs/{approved}")
    assert response.status_code == 400
    assert "仍含有个人信息" in response.get_data(as_text=True)
    assert _card(db, approved) is None


def test_review_publish_edited_card_fires_transition(db, client, auth, approved):
    from webapp.models import Case, CaseStatus
    auth.login("officer")
    response = auth.post(f"/review/needs/{approved}/publish",
                         {"title": "一户家庭因白血病急需救助", "story": "患者白血病化疗，家庭无力承担。"},
                         form_page=f"/review/needs/{approved}")
    assert response.status_code == 302
    card = _card(db, approved)
    assert (card.title, db.session.get(Case, approved).status) == (
        "一户家庭因白血病急需救助", CaseStatus.PUBLISHED)


def test_review_publish_generalises_town_to_county_when_few_cards(db, advance, approved):
    assert advance(approved, "publish").status_code == 200
    card = _card(db, approved)
    assert (card.area, card.town_id) == ("高唐县", None)
    assert "梁村镇" not in card.title + card.story


@pytest.mark.parametrize("title, story", [
    ("13812345678", ""),                                  # a title that is only PII
    ("", "371526198503071233 13812345678 欧阳雪梅"),         # a story that is only PII
    ("救助" * 100, ""),                                    # too long a title
    ("", "很" * 100_000),                                  # 100k characters
    ("", "\x00\x01\x02binary\ufffd\x7f"),                 # binary-looking text
])
def test_publish_bad_text_refused_with_message(db, client, api_token, approved, title, story):
    body = {"action": "publish", "title": title, "story": story}
    response = client.post(f"/api/v1/cases/{approved}/transitions", json=body,
                           headers=api_token("officer"))
    assert 400 <= response.status_code < 500
    assert response.get_json()["detail"]
    assert _card(db, approved) is None


def test_review_long_story_form_refused_with_message(db, client, auth, approved):
    auth.login("officer")
    response = auth.post(f"/review/needs/{approved}/publish",
                         {"title": "一户家庭急需救助", "story": "很" * 100_000},
                         form_page=f"/review/needs/{approved}")
    assert response.status_code == 400
    assert "不能超过 4000 个字" in response.get_data(as_text=True)
    assert _card(db, approved) is None


def test_approve_amount_typed_as_phone_refused(db, client, api_token, report, advance):
    case_id = report(PEOPLE[1])
    advance(case_id, *PATH[:-1])
    response = advance(case_id, "approve", amount="13812345678")
    assert response.status_code in (400, 422)
    assert "13812345678" not in response.get_data(as_text=True)


def test_publish_through_api_lists_card_without_name(client, published_case):
    published_case(PEOPLE[0])
    html = client.get("/needs").get_data(as_text=True)
    assert "欧阳雪梅" not in html and "高唐县" in html


def test_case_detail_links_officer_to_card_review(client, auth, db, demo_base):
    from sqlalchemy import select

    from webapp.models import Case, CaseStatus, Category, Organisation
    town = db.session.scalars(select(Organisation).where(Organisation.name == "梁村镇")).one()
    case = Case(number="GT-2026-990001", town_id=town.id, category=Category.FIRE,
                status=CaseStatus.APPROVED)
    db.session.add(case)
    db.session.commit()
    case_id = case.id
    auth.login("officer")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/review/needs/{case_id}" in html

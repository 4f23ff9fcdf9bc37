"""The published need cards as a set: k-anonymous after every publish and unpublish, towns kept
when k cards share one, public need numbers, titles that differ by story, the town filter."""
import re
from collections import Counter

import pytest
from sqlalchemy import select

from tests.factories import ORDINARY
from webapp.models import AuditEvent, NeedCard, NeedStatus
from webapp.privacy.publishing.card import LEVEL_COUNTY
from webapp.services import needs

PUBLISH = (*ORDINARY, "approve", "publish")
K = needs.K_ANONYMITY


def _published(db):
    return db.session.scalars(select(NeedCard).where(
        NeedCard.status == NeedStatus.PUBLISHED).order_by(NeedCard.id)).all()


def _assert_k_anonymous(db):
    cards = _published(db)
    classes = Counter((c.area, c.age_band, c.household) for c in cards)
    assert len(cards) < K or min(classes.values()) >= K, classes


@pytest.fixture
def publish(reported_case):
    def go(town="梁村镇", **kwargs):
        return reported_case(town, PUBLISH, **kwargs)
    return go


def test_published_set_stays_k_anonymous_while_cards_come_and_go(db, publish, settings,
                                                                  staff):
    from webapp.services.cases import workflow
    cases = []
    for i in range(K + 1):
        cases.append(publish(category="serious_illness" if i % 2 else "fire"))
        _assert_k_anonymous(db)
    cases.append(publish("清平镇"))
    _assert_k_anonymous(db)
    for _ in range(K - 1):
        cases.append(publish())
    _assert_k_anonymous(db)
    by_town = Counter(c.area for c in _published(db))
    assert by_town == {"梁村镇": 2 * K - 4, "高唐县": K}  # 梁村镇 lends 4 to the county
    for case in cases[:K]:
        workflow.fire(db.session, staff["officer"], case, "unpublish", settings=settings)
        db.session.commit()
        _assert_k_anonymous(db)
    assert {c.area for c in _published(db)} == {"高唐县"}
    assert all(c.town_id is None and c.level == LEVEL_COUNTY for c in _published(db))


def test_fifth_card_lets_the_earlier_cards_show_their_town(db, publish, staff):
    for _ in range(K - 1):
        publish()
    assert {c.area for c in _published(db)} == {"高唐县"}
    publish()
    cards = _published(db)
    town = staff["org"]("梁村镇")
    assert {(c.area, c.town_id) for c in cards} == {("梁村镇", town.id)}
    assert all(c.category.value == "serious_illness" for c in cards)  # category never widened
    moved = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "need.generalise")).all()
    assert len(moved) >= K - 1


def test_town_filter_and_search_find_needs_of_a_town(client, db, publish, staff):
    for _ in range(K):
        publish()
    town = staff["org"]("梁村镇")
    html = client.get("/needs", query_string={"town": town.id}).get_data(as_text=True)
    assert html.count('class="card h-100 card-need"') == K
    assert "没有符合条件的需求" not in html


def test_need_numbers_follow_publication_not_the_case_number(db, reported_case, staff,
                                                                settings):
    from webapp.services.cases import workflow
    first, second = (reported_case(t, (*ORDINARY, "approve")) for t in ("梁村镇", "清平镇"))
    for case in (second, first):
        workflow.fire(db.session, staff["officer"], case, "publish", settings=settings)
    db.session.commit()
    by_case = {c.case_id: c.number for c in _published(db)}
    year = _published(db)[0].published_at.year
    assert by_case == {second.id: f"XQ-{year}-0001", first.id: f"XQ-{year}-0002"}
    assert needs.next_need_number(db.session, _published(db)[0].published_at) == \
        f"XQ-{year}-0003"


def test_republishing_keeps_the_need_number(db, publish, settings, staff):
    from webapp.services.cases import workflow
    case = publish()
    number = _published(db)[0].number
    workflow.fire(db.session, staff["officer"], case, "unpublish", settings=settings)
    workflow.fire(db.session, staff["officer"], case, "publish", settings=settings)
    db.session.commit()
    assert _published(db)[0].number == number


def test_titles_differ_by_story_and_pass_the_redaction_gate(db, publish):
    publish(category="fire")
    publish(category="serious_illness")
    titles = [c.title for c in _published(db)]
    assert len(set(titles)) == 2
    assert titles[0].startswith("火灾") and "急需基本生活物资" in titles[0]
    for card in _published(db):
        assert not re.search(r"\d{6,}", card.title) and "王秀英" not in card.title


def test_officer_title_is_kept_when_the_set_changes(db, reported_case, staff, settings):
    from webapp.services.cases import workflow
    case = reported_case("梁村镇", (*ORDINARY, "approve"))
    workflow.fire(db.session, staff["officer"], case, "publish", settings=settings,
                  title="梁村镇重病家庭医疗费用求助")
    db.session.commit()
    card = _published(db)[0]
    assert card.title_edited and card.title == "高唐县重病家庭医疗费用求助"
    for _ in range(K - 1):
        reported_case("梁村镇", PUBLISH)
    assert db.session.get(NeedCard, card.id).title == "高唐县重病家庭医疗费用求助"


def test_anonymity_report_measures_the_published_set(db, publish):
    for _ in range(2 * K - 1):
        publish()
    publish("清平镇")
    report = needs.anonymity_report(db.session)
    assert (report.published, report.showing_town) == (2 * K, K)  # K - 1 lent to the county
    assert report.town_share == pytest.approx(0.5) and report.smallest_class == K


def test_privacy_cards_command_prints_the_town_share(db, publish, runner):
    for _ in range(K):
        publish()
    output = runner.invoke(args=["privacy", "cards"]).output
    assert f"showing their town: {K} (100.0%) at k = {K}" in output

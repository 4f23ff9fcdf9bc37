"""Publishing the anonymized need card of an approved case (and taking it down).

The card is built by :mod:`webapp.privacy.card` from plain case facts: the story is the
redacted description, never the raw one, and a card that still contains personal data is
refused. The reviewed publication (redaction review before publishing) builds on these two
functions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Case, Category, NeedCard, NeedStatus, utcnow
from webapp.privacy.card import CaseFacts, build_card, card_pii
from webapp.services import DomainError, audit, events

# Case category → the card vocabulary of webapp.privacy.card
CARD_CATEGORY = {
    Category.SERIOUS_ILLNESS: "medical", Category.ACCIDENT: "accident",
    Category.TRAFFIC: "accident", Category.FIRE: "fire", Category.DISASTER: "disaster",
    Category.EMERGENCY: "other", Category.OTHER: "other",
}


def case_facts(case: Case, *, today: dt.date | None = None) -> CaseFacts:
    """The plain facts of a case that a card may be built from."""
    today = today or dt.date.today()
    applicant, household = case.applicant, case.household
    age = None
    known: tuple[str, ...] = ()
    if applicant is not None:
        known = (applicant.name,)
        if applicant.birth_date:
            born = dt.date.fromisoformat(applicant.birth_date)
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    waited = (today - case.reported_at.date()).days if case.reported_at else 0
    return CaseFacts(category=CARD_CATEGORY.get(case.category, "other"), town=case.town.name,
                     age=age, household_size=household.size if household else None,
                     flags=household.flags if household else frozenset(),
                     amount_needed=case.approved_amount or case.amount_needed,
                     urgency=case.urgency, days_waiting=waited,
                     description=case.description, known_names=known)


def publish_need(session: Session, actor, case: Case, *, title: str | None = None,
                 story: str | None = None, now: dt.datetime | None = None) -> NeedCard:
    """Create or update the case's card from its redacted facts and publish it."""
    now = now or utcnow()
    facts = case_facts(case)
    card = build_card(facts)
    title = (title or card.title).strip()
    story = (story or card.story).strip()
    if not 4 <= len(title) <= 120:
        raise DomainError("标题应为 4–120 个字", field="title")
    if not story:
        raise DomainError("请填写需求说明", field="story")
    if card_pii(replace(card, title=title, story=story), facts.known_names):
        raise DomainError("标题或说明中仍含有个人信息，请删除后再发布", field="story")
    need = session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).first()
    if need is None:
        need = NeedCard(case_id=case.id)
        session.add(need)
    need.title, need.story, need.category = title, story, case.category
    need.area, need.town_id = card.area, case.town_id
    need.age_band, need.household = card.age_band, card.household
    need.urgency, need.amount_needed = case.urgency, facts.amount_needed
    need.services = case.services
    need.status, need.reviewed_by_id, need.published_at = NeedStatus.PUBLISHED, actor.id, now
    session.flush()
    audit.record(session, actor, "need.publish", need,
                 summary={"case_id": case.id, "amount_needed": str(need.amount_needed)})
    events.publish(session, "need.published", need=need, case=case, actor=actor)
    return need


def unpublish_need(session: Session, actor, case: Case) -> NeedCard | None:
    """Take the case's card off the public pages."""
    need = session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).first()
    if need is None or need.status != NeedStatus.PUBLISHED:
        return need
    need.status = NeedStatus.UNPUBLISHED
    session.flush()
    audit.record(session, actor, "need.unpublish", need, summary={"case_id": case.id})
    events.publish(session, "need.unpublished", need=need, case=case, actor=actor)
    return need

"""Publishing the anonymized need card of an approved case (and taking it down).

The card is built by :mod:`webapp.privacy.publishing.card` from plain case facts: the story is the
redacted description, never the raw one. ``draft_card`` is what an officer reviews: the
generated card, generalised for k-anonymity over the cards already published, with the
officer's edits applied and re-checked for personal data. ``publish_need`` refuses any card
in which personal data is still detected, and any text too long or not readable as text.

Every publish and unpublish re-generalises the whole published set (``reanonymise``), so the
k-anonymity guarantee holds over what is public now, not only at the moment each card was
reviewed: a fifth card in a town lets the four before it show the town; a card leaving takes
the others back to the county when fewer than k remain. Each published card has a public
number (XQ-2026-0041) of its own sequence, never derived from the case number.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Case, Category, NeedCard, NeedStatus, User, utcnow
from webapp.privacy.detection.spans import Span
from webapp.privacy.publishing.card import (
    LEVEL_COUNTY,
    AnonymizedCard,
    CaseFacts,
    build_card,
    card_pii,
    card_words,
    enforce_k_anonymity,
    generalize,
)
from webapp.privacy.publishing.redact import contains_pii
from webapp.services import DomainError, Msg, audit, events, need_account
from webapp.services.cases.deadlines import local_date
from webapp.services.cases.household import known_names

# Case category → the card vocabulary of webapp.privacy.publishing.card
CARD_CATEGORY = {
    Category.SERIOUS_ILLNESS: "medical", Category.ACCIDENT: "accident",
    Category.TRAFFIC: "accident", Category.FIRE: "fire", Category.DISASTER: "disaster",
    Category.EMERGENCY: "other", Category.OTHER: "other",
}
K_ANONYMITY = 5
TITLE_LIMITS = (4, 120)
STORY_LIMIT = 4000
# What each kind of personal data is called (the placeholder's words), written out so that
# the catalogue extracts them; tests/webapp/test_generated_words.py keeps them in step.
PII_LABELS = {"id_number": "身份证号", "phone": "手机号", "landline": "电话",
              "bank_card": "银行卡号", "email": "邮箱", "qq": "QQ", "wechat": "微信",
              "plate": "车牌", "medical_record": "病案号", "birth_date": "出生日期",
              "address": "地址", "name": "姓名"}


def case_facts(case: Case, *, today: dt.date | None = None) -> CaseFacts:
    """The plain facts of a case that a card may be built from."""
    today = today or dt.date.today()
    applicant, household = case.applicant, case.household
    age = None
    if applicant is not None and applicant.birth_date:
        born = dt.date.fromisoformat(applicant.birth_date)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    waited = (today - case.reported_at.date()).days if case.reported_at else 0
    return CaseFacts(category=CARD_CATEGORY.get(case.category, "other"), town=case.town.name,
                     age=age, household_size=household.size if household else None,
                     flags=household.flags if household else frozenset(),
                     amount_needed=case.approved_amount or case.amount_needed,
                     urgency=case.urgency, days_waiting=waited,
                     description=case.description, known_names=known_names(case))


@dataclass(frozen=True)
class CardDraft:
    """A card under review: what would be published, and the personal data still found."""

    card: AnonymizedCard
    title: str
    story: str
    title_findings: tuple[Span, ...]
    story_findings: tuple[Span, ...]
    edited: bool
    title_edited: bool = False
    # What the generated words are made of (card.card_words), without the title's form when
    # the officer typed the title.
    words: dict[str, object] | None = None

    @property
    def findings(self) -> tuple[Span, ...]:
        return self.title_findings + self.story_findings

    @property
    def publishable(self) -> bool:
        return not self.findings

    @property
    def generalised(self) -> bool:
        return self.card.level >= LEVEL_COUNTY


def _quasi_card(need: NeedCard) -> AnonymizedCard:
    """The ungeneralised card of a published need, for comparing quasi-identifiers and
    retitling: built from its case's facts, with the story as published."""
    facts = replace(case_facts(need.case), description="", known_names=())
    return replace(build_card(facts, check_title=False), story=need.story)


def anonymity_level(session: Session, case: Case, card: AnonymizedCard, *,
                    k: int = K_ANONYMITY) -> int:
    """The generalisation level that keeps ``card`` in a class of at least k published cards."""
    others = session.scalars(select(NeedCard).where(
        NeedCard.status == NeedStatus.PUBLISHED, NeedCard.case_id != case.id)).all()
    population = [_quasi_card(n) for n in others]
    return enforce_k_anonymity([*population, card], k=k)[-1]


def clean_text(value: str | None, *, label: str, field: str, limit: int,
               minimum: int = 1) -> str:
    """Stripped text, or a DomainError for text too short, too long or not readable as text."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError("%(label)s不能超过 %(limit)s 个字", field=field, label=label, limit=limit)
    if len(text) < minimum:
        raise DomainError("%(label)s至少需要 %(minimum)s 个字", field=field, label=label,
                          minimum=minimum)
    if any(ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co")
                              and ch not in "\n\r\t") for ch in text):
        raise DomainError("%(label)s包含无法识别的字符，请只填写文字", field=field, label=label)
    return text


def _describe(findings: Iterable[Span]) -> list[Msg]:
    """The kinds of personal data found, each translated when the message is shown."""
    return [Msg(label) for label in dict.fromkeys(PII_LABELS.get(s.type, s.type)
                                                  for s in findings)]


def draft_card(session: Session, case: Case, *, title: str | None = None,
               story: str | None = None, k: int | None = K_ANONYMITY) -> CardDraft:
    """The card an officer reviews: generated, generalised, edited, and re-checked.

    ``title``/``story`` are the officer's edits (None keeps the generated text). Raises
    DomainError for edits that are too long or not text; personal data is reported in the
    draft's findings, not raised, so the review page can show where it is.
    """
    title_in = None if title is None else clean_text(
        title, label="标题", field="title", limit=TITLE_LIMITS[1])
    story_in = None if story is None else clean_text(
        story, label="需求说明", field="story", limit=STORY_LIMIT)
    facts = case_facts(case)
    if case.id is not None:  # what it still needs is the gap of its one account of help
        facts = replace(facts, amount_covered=need_account.help_account(session, case).covered)
    card = build_card(facts)
    if k is not None:
        card = generalize(card, anonymity_level(session, case, card, k=k))
    new_title, new_story = title_in or card.title, story_in or card.story
    if card.area != facts.town and facts.town:
        # A town named in the text would undo the generalisation to the county.
        new_title = new_title.replace(facts.town, card.area)
        new_story = new_story.replace(facts.town, card.area)
    names = facts.known_names
    words = card_words(card)
    if new_title != card.title:
        words.pop("title", None)
    checked = replace(card, title=new_title, story=new_story)
    extra = tuple(card_pii(replace(checked, title="", story=""), names))
    return CardDraft(card=checked, title=new_title, story=new_story,
                     title_findings=tuple(contains_pii(new_title, names)) + extra,
                     story_findings=tuple(contains_pii(new_story, names)),
                     edited=title_in is not None or story_in is not None,
                     title_edited=title_in is not None and title_in != card.title,
                     words=words)


def publish_need(session: Session, actor: User, case: Case, *, title: str | None = None,
                 story: str | None = None, now: dt.datetime | None = None,
                 k: int | None = None) -> NeedCard:
    """Create or update the case's card from its redacted facts and publish it.

    ``k`` applies k-anonymity over the published cards (the publish transition passes
    :data:`K_ANONYMITY`); a card in which personal data is still detected is refused.
    """
    now = now or utcnow()
    draft = draft_card(session, case, title=title or None, story=story or None, k=k)
    if len(draft.title) < TITLE_LIMITS[0]:
        raise DomainError("标题应为 4–120 个字", field="title")
    if draft.findings:
        raise DomainError("标题或说明中仍含有个人信息（%(kinds)s），请删除后再发布",
                          field="story", kinds=_describe(draft.findings))
    card = draft.card
    need = session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).first()
    if need is None:
        need = NeedCard(case_id=case.id)
        session.add(need)
    need.title, need.story, need.category = draft.title, draft.story, case.category
    need.title_edited = draft.title_edited
    _show_level(need, card, case)
    need.words = draft.words
    need.urgency, need.amount_needed = case.urgency, case.approved_amount or case.amount_needed
    need.services = case.services
    need.status, need.reviewed_by_id, need.published_at = NeedStatus.PUBLISHED, actor.id, now
    session.flush()
    audit.record(session, actor, "need.publish", need,
                 summary={"case_id": case.id, "amount_needed": str(need.amount_needed),
                          "level": card.level, "edited": draft.edited})
    if need.number is None:
        # After the audit record: its chain-head lock orders concurrent publications.
        need.number = next_need_number(session, now)
        session.flush()
    events.publish(session, events.NeedPublished(need, case, actor))
    if k is not None:
        reanonymise(session, actor, k=k)
    return need


NUMBER_PREFIX = "XQ"


def next_need_number(session: Session, now: dt.datetime) -> str:
    """The next public need number of the year, XQ-2026-0041 (its own sequence)."""
    prefix = f"{NUMBER_PREFIX}-{local_date(now).year}-"
    last = session.scalar(select(func.max(NeedCard.number))
                          .where(NeedCard.number.startswith(prefix)))
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


def _show_level(need: NeedCard, card: AnonymizedCard, case: Case) -> None:
    """Copy the generalised quasi-identifiers of ``card`` onto the stored card."""
    need.area, need.level = card.area, card.level
    need.town_id = None if card.level >= LEVEL_COUNTY else case.town_id
    need.age_band, need.household = card.age_band, card.household


def reanonymise(session: Session, actor: User | None, *, k: int = K_ANONYMITY) -> list[NeedCard]:
    """Re-generalise every published card so that the published set is k-anonymous.

    Generated titles follow their card's level; an officer's own title keeps its words, with
    the town replaced by the county when the town is no longer shown. Each card whose level
    changes gets one audit event ``need.generalise`` and is re-indexed.
    """
    needs = session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)
                            .order_by(NeedCard.id)).all()
    cards = [_quasi_card(n) for n in needs]
    changed = []
    for need, card, level in zip(needs, cards, enforce_k_anonymity(cards, k=k)):
        wide = generalize(card, level)
        shown = (wide.area, wide.age_band, wide.household)
        retitle = not need.title_edited and need.title != wide.title
        words = card_words(wide)
        if need.title_edited or (need.title != wide.title and not retitle):
            words.pop("title", None)
        if need.words != words:  # the same words, kept as codes (no change a reader sees)
            need.words = words
        if (need.level, need.area, need.age_band, need.household) == (level, *shown) \
                and not retitle:
            continue
        previous, town = need.level, need.case.town.name
        _show_level(need, wide, need.case)
        if retitle:
            need.title = wide.title
        if level >= LEVEL_COUNTY and town:
            need.title = need.title.replace(town, wide.area)
            need.story = need.story.replace(town, wide.area)
        session.flush()
        audit.record(session, actor, "need.generalise", need,
                     summary={"case_id": need.case_id, "level": level, "previous": previous,
                              "retitled": retitle})
        events.publish(session, events.NeedChanged(need))
        changed.append(need)
    return changed


@dataclass(frozen=True)
class AnonymityReport:
    """How the published set is generalised: cards per level and those showing their town."""

    k: int
    published: int
    showing_town: int
    by_level: dict[int, int]
    smallest_class: int

    @property
    def town_share(self) -> float:
        return self.showing_town / self.published if self.published else 1.0


def anonymity_report(session: Session, *, k: int = K_ANONYMITY) -> AnonymityReport:
    """Measure the published cards as stored: levels, towns shown, smallest published class."""
    needs = session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)).all()
    by_level: dict[int, int] = {}
    classes: dict[tuple[Any, ...], int] = {}
    for n in needs:
        by_level[n.level] = by_level.get(n.level, 0) + 1
        key = (n.area, n.age_band, n.household)
        classes[key] = classes.get(key, 0) + 1
    return AnonymityReport(k=k, published=len(needs),
                           showing_town=sum(n.town_id is not None for n in needs),
                           by_level=dict(sorted(by_level.items())),
                           smallest_class=min(classes.values(), default=0))


def unpublish_need(session: Session, actor: User | None, case: Case) -> NeedCard | None:
    """Take the case's card off the public pages (the search index follows after commit)."""
    need = session.scalars(select(NeedCard).where(NeedCard.case_id == case.id)).first()
    if need is None or need.status != NeedStatus.PUBLISHED:
        return need
    need.status = NeedStatus.UNPUBLISHED
    session.flush()
    audit.record(session, actor, "need.unpublish", need, summary={"case_id": case.id})
    events.publish(session, events.NeedUnpublished(need, case, actor))
    reanonymise(session, actor)
    return need


def on_case_ended(session: Session, event: events.CaseEnded) -> None:
    """A closed case asks for no more help: its card leaves the public pages and the index."""
    if event.reason == "close":
        unpublish_need(session, event.actor, event.case)


def published_card(session: Session, case: Case) -> NeedCard | None:
    """The case's card if it is published now."""
    return session.scalars(select(NeedCard).where(
        NeedCard.case_id == case.id, NeedCard.status == NeedStatus.PUBLISHED)).first()

"""Anonymized need cards built from plain case facts, and k-anonymity over a set of cards.

A card carries only general words: the category, the town (or the county), an age band, the
household situation in general terms, amounts, urgency and waiting time, a generated title and
the redacted story. ``enforce_k_anonymity`` then generalises the quasi-identifiers of the cards
published together so that no combination of them points at fewer than k households.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from webapp.privacy.redact import RedactedSpan, contains_pii, redact

FLAGS = ("serious_illness", "disability", "minor", "elderly", "dibao", "tekun")

# category code → (label shown on the card, cause used in the title)
CATEGORIES = {
    "medical": ("医疗救助", "重大疾病"),
    "accident": ("意外事故", "意外事故"),
    "disaster": ("自然灾害", "自然灾害"),
    "fire": ("火灾", "火灾"),
    "education": ("教育救助", "子女就学困难"),
    "living": ("基本生活", "基本生活困难"),
    "housing": ("住房救助", "住房困难"),
    "other": ("其他", "突发困难"),
}
GENERAL_CATEGORY = "综合救助"

_MEMBERS = {
    "serious_illness": "重病患者",
    "disability": "残疾人",
    "minor": "未成年子女",
    "elderly": "老年人",
}
_STATUS = {"dibao": "低保家庭", "tekun": "特困供养人员"}

MINOR_BAND = "未成年"
ELDERLY_BAND = "60岁以上"
_WIDE_BANDS = {"18-29岁": "18-39岁", "30-39岁": "18-39岁", "40-49岁": "40-59岁",
               "50-59岁": "40-59岁"}

# Generalisation levels, each including the previous ones.
LEVEL_EXACT = 0          # town, age band, category, household-size band
LEVEL_WIDE_AGE = 1       # age band widened to twenty years
LEVEL_COUNTY = 2         # town replaced by the county
LEVEL_NO_HOUSEHOLD = 3   # household-size band dropped
LEVEL_GENERAL = 4        # fully general: county, category and nothing else
MAX_LEVEL = LEVEL_GENERAL


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The plain facts of a case the card is built from (never published as such)."""

    category: str
    town: str | None
    county_name: str = "高唐县"
    age: int | None = None
    household_size: int | None = None
    flags: frozenset[str] = frozenset()
    amount_needed: Decimal = Decimal(0)
    amount_covered: Decimal = Decimal(0)
    urgency: int = 1
    days_waiting: int = 0
    description: str = ""
    known_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.flags) - set(FLAGS)
        if unknown:
            raise ValueError(f"unknown flags: {sorted(unknown)}")
        if not 1 <= self.urgency <= 4:
            raise ValueError("urgency must be 1-4")


@dataclass(frozen=True, slots=True)
class AnonymizedCard:
    """What donors and charities see about a need."""

    category: str
    category_label: str
    area: str
    county_name: str
    age_band: str | None
    household: str
    household_size_band: str | None
    amount_still_needed: Decimal
    urgency: int
    days_waiting: int
    title: str
    story: str
    spans: tuple[RedactedSpan, ...] = field(default=(), compare=False)
    level: int = LEVEL_EXACT


def age_band(age: int | None) -> str | None:
    """'未成年', '18-29岁' … '50-59岁', '60岁以上', or None when unknown."""
    if age is None or age < 0:
        return None
    if age < 18:
        return MINOR_BAND
    if age >= 60:
        return ELDERLY_BAND
    if age < 30:
        return "18-29岁"
    low = age // 10 * 10
    return f"{low}-{low + 9}岁"


def household_size_band(size: int | None) -> str | None:
    """'1人', '2-3人', '4-5人', '6人及以上', or None when unknown."""
    if size is None or size < 1:
        return None
    if size == 1:
        return "1人"
    if size <= 3:
        return "2-3人"
    if size <= 5:
        return "4-5人"
    return "6人及以上"


def household_situation(flags: Iterable[str]) -> str:
    """The household in general words, e.g. '家中有重病患者、未成年子女'."""
    flags = set(flags)
    members = [word for flag, word in _MEMBERS.items() if flag in flags]
    status = [word for flag, word in _STATUS.items() if flag in flags]
    parts = []
    if members:
        parts.append("家中有" + "、".join(members))
    parts += status
    return "；".join(parts) if parts else "家庭遭遇突发困难"


def _category(code: str) -> tuple[str, str]:
    if code in CATEGORIES:
        return CATEGORIES[code]
    label = (code or "").strip()
    if not label or len(label) > 12 or contains_pii(label):
        return CATEGORIES["other"]
    return label, label


def build_card(facts: CaseFacts) -> AnonymizedCard:
    """Build the anonymized card for a case; the story is the redacted description."""
    label, cause = _category(facts.category)
    area = facts.town or facts.county_name
    title = f"{area}一户家庭因{cause}急需救助"
    if contains_pii(title, facts.known_names):
        title = f"{facts.county_name}一户家庭急需救助"
    redaction = redact(facts.description, known_names=facts.known_names)
    still = max(Decimal(facts.amount_needed) - Decimal(facts.amount_covered), Decimal(0))
    return AnonymizedCard(
        category=facts.category,
        category_label=label,
        area=area,
        county_name=facts.county_name,
        age_band=age_band(facts.age),
        household=household_situation(facts.flags),
        household_size_band=household_size_band(facts.household_size),
        amount_still_needed=still,
        urgency=facts.urgency,
        days_waiting=max(facts.days_waiting, 0),
        title=title,
        story=redaction.text,
        spans=redaction.spans,
    )


def card_pii(card: AnonymizedCard, known_names: Iterable[str] = ()) -> list:
    """PII left anywhere in a card's published text; publish only when this is empty."""
    names = tuple(known_names)
    found = []
    for text in (card.title, card.story, card.household, card.category_label, card.area):
        found += contains_pii(text, names)
    return found


def widen_age_band(band: str | None) -> str | None:
    """'40-49岁' → '40-59岁'; minors, the elderly and unknown ages stay as they are."""
    return _WIDE_BANDS.get(band, band) if band else band


def quasi_identifiers(card: AnonymizedCard, level: int) -> tuple:
    """The published (area, age band, category, household-size band) at a given level."""
    area = card.area if level < LEVEL_COUNTY else card.county_name
    band = card.age_band if level < LEVEL_WIDE_AGE else widen_age_band(card.age_band)
    size = card.household_size_band if level < LEVEL_NO_HOUSEHOLD else None
    category = card.category_label
    if level >= LEVEL_GENERAL:
        band, category = None, GENERAL_CATEGORY
    return area, band, category, size


def generalize(card: AnonymizedCard, level: int) -> AnonymizedCard:
    """The card as published at a generalisation level."""
    area, band, category, size = quasi_identifiers(card, level)
    title = card.title
    if area != card.area:
        title = title.replace(card.area, area, 1)
    return replace(card, area=area, age_band=band, category_label=category,
                   household_size_band=size, title=title, level=level)


def enforce_k_anonymity(records: Sequence[AnonymizedCard], k: int = 5) -> list[int]:
    """Generalisation level per record so that every published class has at least k members.

    Records are grouped on their quasi-identifiers at level 0; every group of k or more is
    published at that level, the rest move up one level (age band widened, then town to
    county, then household size dropped) and are grouped again. Whatever is left at the end
    goes to the fully general class, which is the only one that may hold fewer than k records
    (when fewer than k records in all are left). Deterministic: depends only on the records.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    levels = [MAX_LEVEL] * len(records)
    pending = list(range(len(records)))
    for level in range(LEVEL_EXACT, MAX_LEVEL):
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i in pending:
            groups[quasi_identifiers(records[i], level)].append(i)
        pending = []
        for members in groups.values():
            if len(members) >= k:
                for i in members:
                    levels[i] = level
            else:
                pending.extend(members)
    return levels

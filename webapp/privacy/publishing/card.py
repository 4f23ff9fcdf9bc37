"""Anonymized need cards built from plain case facts, and k-anonymity over a set of cards.

A card carries only general words: the category, the town (or the county), an age band, the
household situation in general terms, amounts, urgency and waiting time, a generated title and
the redacted story. ``enforce_k_anonymity`` then generalises the quasi-identifiers of the cards
published together so that no combination of them points at fewer than k households: household
detail and age give way first, the town last, the category never.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from webapp.privacy.detection.spans import Span
from webapp.privacy.publishing.redact import RedactedSpan, contains_pii, redact

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

_MEMBERS = {
    "serious_illness": "重病患者",
    "disability": "残疾人",
    "minor": "未成年子女",
    "elderly": "老年人",
}
_STATUS = {"dibao": "低保家庭", "tekun": "特困供养人员"}

MINOR_BAND = "未成年"
ELDERLY_BAND = "60岁以上"
_WIDE_RANGES = {"18-29": "18-39", "30-39": "18-39", "40-49": "40-59", "50-59": "40-59"}
_WIDE_BANDS = {f"{narrow}岁": f"{wide}岁" for narrow, wide in _WIDE_RANGES.items()}

# Generalisation levels, each including the previous ones. The category is the sensitive
# attribute (the story names the illness or the fire anyway) and is never generalised; the
# quasi-identifiers give way in this order, household detail first and the town last, because
# donors look for help near them.
LEVEL_EXACT = 0          # town, age band, household size band, household situation
LEVEL_NO_SITUATION = 1   # household situation (disability, dibao …) dropped
LEVEL_NO_SIZE = 2        # household-size band dropped
LEVEL_WIDE_AGE = 3       # age band widened to twenty years
LEVEL_NO_AGE = 4         # age band dropped
LEVEL_COUNTY = 5         # town replaced by the county: nothing but the county is left
LEVEL_GENERAL = MAX_LEVEL = LEVEL_COUNTY

# Words of a redacted story that say what happened without saying who: the title's headline,
# each under the code a card's ``words`` keep (webapp.generated_words shows them).
EVENTS = {"aplastic_anaemia": "再生障碍性贫血", "congenital_heart": "先天性心脏病",
          "leukaemia": "白血病", "uraemia": "尿毒症", "cancer": "恶性肿瘤",
          "cerebral_haemorrhage": "脑出血", "lung_cancer": "肺癌", "breast_cancer": "乳腺癌",
          "cerebral_infarction": "脑梗死", "cirrhosis": "肝硬化", "traffic_accident": "交通事故",
          "fire": "火灾", "rainstorm": "暴雨", "flood": "洪水", "earthquake": "地震",
          "hail": "冰雹", "injury": "意外受伤", "work_injury": "工伤", "dropout": "辍学"}
EVENT_WORDS = tuple(EVENTS.values())
_EVENT_CODES = {word: code for code, word in EVENTS.items()}
_NEEDS = {"medical": "急需医疗费用", "accident": "急需治疗和生活费用", "disaster": "急需生活救助",
          "fire": "急需基本生活物资", "education": "急需助学帮扶", "living": "急需基本生活救助",
          "housing": "急需住房救助", "other": "急需临时救助"}
NO_SITUATION = "家庭遭遇突发困难"


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
    household: str | None
    household_size_band: str | None
    amount_still_needed: Decimal
    urgency: int
    days_waiting: int
    title: str
    story: str
    spans: tuple[RedactedSpan, ...] = field(default=(), compare=False)
    level: int = LEVEL_EXACT
    # The same published words as codes, for showing them in the reader's language:
    # the age range ('40-49', 'minor', '60+'), the household flags (None: not shown) and the
    # household-size range ('2-3', '6+').
    age_range: str | None = field(default=None, compare=False)
    flags: tuple[str, ...] | None = field(default=None, compare=False)
    size_range: str | None = field(default=None, compare=False)


MINOR_RANGE, ELDERLY_RANGE = "minor", "60+"


def age_range(age: int | None) -> str | None:
    """'minor', '18-29' … '50-59', '60+', or None when unknown (the code of :func:`age_band`)."""
    if age is None or age < 0:
        return None
    if age < 18:
        return MINOR_RANGE
    if age >= 60:
        return ELDERLY_RANGE
    if age < 30:
        return "18-29"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def band_of_range(code: str | None) -> str | None:
    """The Chinese age band of an age range code: '40-49' → '40-49岁', 'minor' → '未成年'."""
    if code is None:
        return None
    return {MINOR_RANGE: MINOR_BAND, ELDERLY_RANGE: ELDERLY_BAND}.get(code, f"{code}岁")


def size_range(size: int | None) -> str | None:
    """'1', '2-3', '4-5', '6+', or None when unknown (the code of :func:`household_size_band`)."""
    if size is None or size < 1:
        return None
    return "1" if size == 1 else "2-3" if size <= 3 else "4-5" if size <= 5 else "6+"


def size_band_of_range(code: str | None) -> str | None:
    """'2-3' → '2-3人', '6+' → '6人及以上'."""
    if code is None:
        return None
    return "6人及以上" if code == "6+" else f"{code}人"


def card_words(card: AnonymizedCard) -> dict[str, object]:
    """What a card's generated words are made of, as codes (stored as ``NeedCard.words``):
    its category, the story's event, the age and household-size ranges and the household
    flags, and which title was generated ('full', or 'short' when the full one was refused
    for personal data). The Chinese words are :func:`title_of_words` and the functions above;
    webapp.generated_words shows them in the reader's language."""
    event = story_event(card.story)
    words: dict[str, object] = {
        "category": card.category if card.category in CATEGORIES else "other",
        "event": _EVENT_CODES[event] if event else None, "age": card.age_range,
        "flags": list(card.flags) if card.flags is not None else None, "size": card.size_range}
    for form in ("full", "short"):
        if title_of_words({**words, "title": form}) == card.title:
            words["title"] = form
            break
    return words


def title_of_words(words: dict[str, Any]) -> str | None:
    """The Chinese title generated from ``words`` (None when the title was not generated)."""
    form = words.get("title")
    if form not in ("full", "short"):
        return None
    category = words.get("category") or "other"
    cause = CATEGORIES.get(category, CATEGORIES["other"])[1]
    need = _NEEDS.get(category, _NEEDS["other"])
    if form == "short":
        return f"{cause}，{need}"
    parts = [EVENTS.get(words.get("event") or "", cause)]
    band = band_of_range(words.get("age"))
    if band:
        parts.append(f"申请人{band}")
    flags = words.get("flags")
    if flags is not None and set(flags) & set(FLAGS):
        parts.append(household_situation(flags).replace("；", "，"))
    if words.get("amount"):  # a title published before titles named no amount
        need = f"{need}{words['amount']}元"
    return "，".join([*parts, need])


def age_band(age: int | None) -> str | None:
    """'未成年', '18-29岁' … '50-59岁', '60岁以上', or None when unknown."""
    return band_of_range(age_range(age))


def household_size_band(size: int | None) -> str | None:
    """'1人', '2-3人', '4-5人', '6人及以上', or None when unknown."""
    return size_band_of_range(size_range(size))


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


def story_event(story: str) -> str | None:
    """The first word of :data:`EVENT_WORDS` in a (redacted) story, e.g. '白血病'."""
    found = [(story.find(word), word) for word in EVENT_WORDS if word in story]
    return min(found)[1] if found else None


def card_title(card: AnonymizedCard, known_names: Iterable[str] = (), *,
               check: bool = True) -> str:
    """The title of a card as published: what happened, to whom in general words, what for.

    Built only from the card's own published fields (the headline is a word of the redacted
    story, the age band and household are those left by generalisation), so a title says no
    more than the card, e.g. '白血病，申请人40-49岁，家中有未成年子女，急需医疗费用'. It names
    no amount: a title is stored once, while what the need still lacks changes with every
    payment and pledge, and every page shows that figure beside the title from the need's one
    account of help.
    """
    _label, cause = _category(card.category)
    need = _NEEDS.get(card.category, _NEEDS["other"])
    parts = [story_event(card.story) or cause]
    if card.age_band:
        parts.append(f"申请人{card.age_band}")
    if card.household and card.household != NO_SITUATION:
        parts.append(card.household.replace("；", "，"))
    title = "，".join([*parts, need])
    if check and contains_pii(title, tuple(known_names)):
        title = f"{cause}，{need}"
    return title


def build_card(facts: CaseFacts, *, check_title: bool = True) -> AnonymizedCard:
    """Build the anonymized card for a case; the story is the redacted description.

    ``check_title=False`` skips the title's personal-data check, for cards built only to
    compare their quasi-identifiers (the check runs again on any title that is published)."""
    label, _cause = _category(facts.category)
    area = facts.town or facts.county_name
    redaction = redact(facts.description, known_names=facts.known_names)
    still = max(Decimal(facts.amount_needed) - Decimal(facts.amount_covered), Decimal(0))
    card = AnonymizedCard(
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
        title="",
        story=redaction.text,
        spans=redaction.spans,
        age_range=age_range(facts.age),
        flags=tuple(f for f in FLAGS if f in facts.flags),
        size_range=size_range(facts.household_size),
    )
    return replace(card, title=card_title(card, facts.known_names, check=check_title))


def card_pii(card: AnonymizedCard, known_names: Iterable[str] = ()) -> list[Span]:
    """PII left anywhere in a card's published text; publish only when this is empty."""
    names = tuple(known_names)
    found: list[Span] = []
    for text in (card.title, card.story, card.household, card.category_label, card.area):
        found += contains_pii(text or "", names)
    return found


def widen_age_band(band: str | None) -> str | None:
    """'40-49岁' → '40-59岁'; minors, the elderly and unknown ages stay as they are."""
    return _WIDE_BANDS.get(band, band) if band else band


QuasiIdentifiers = tuple[str, str | None, str | None, str | None]


def quasi_identifiers(card: AnonymizedCard, level: int) -> QuasiIdentifiers:
    """The published (area, age band, household-size band, household situation) at a level."""
    area = card.area if level < LEVEL_COUNTY else card.county_name
    situation = card.household if level < LEVEL_NO_SITUATION else None
    size = card.household_size_band if level < LEVEL_NO_SIZE else None
    band = card.age_band if level < LEVEL_WIDE_AGE else widen_age_band(card.age_band)
    if level >= LEVEL_NO_AGE:
        band = None
    return area, band, size, situation


def generalize(card: AnonymizedCard, level: int) -> AnonymizedCard:
    """The card as published at a generalisation level (its title rebuilt from what is left)."""
    area, band, size, situation = quasi_identifiers(card, level)
    ages = (card.age_range if level < LEVEL_WIDE_AGE else _WIDE_RANGES.get(
        card.age_range or "", card.age_range)) if level < LEVEL_NO_AGE else None
    wide = replace(card, area=area, age_band=band, household_size_band=size,
                   household=situation, level=level, age_range=ages,
                   flags=card.flags if situation is not None else None,
                   size_range=card.size_range if size is not None else None)
    return replace(wide, title=card_title(wide, check=False))  # fewer words than build_card's


def _by_size(groups: Iterable[list[int]], records: Sequence[AnonymizedCard], level: int
             ) -> list[list[int]]:
    """Groups smallest first, ties broken by their published key (never by record order)."""
    return sorted(groups, key=lambda g: (len(g), repr(quasi_identifiers(records[g[0]], level))))


def _content(card: AnonymizedCard) -> tuple[object, ...]:
    """A sort key from everything a card holds, so that choices never follow record order."""
    return (repr(quasi_identifiers(card, LEVEL_EXACT)), card.category, card.title, card.story,
            str(card.amount_still_needed), card.urgency, card.days_waiting)


def enforce_k_anonymity(records: Sequence[AnonymizedCard], k: int = 5) -> list[int]:
    """Generalisation level per record so that every published class has at least k members.

    Top-down: the records are grouped by town (age and household dropped); a town with fewer
    than k records goes to the county. Each town class is then split by the next detail in
    turn (age band widened, exact age band, household size, household situation); a split part
    of k or more records is refined further, the parts below k stay at the coarser level
    together, joined by the smallest large parts until they too number k. When the county
    class would hold fewer than k records, the largest town that can spare the missing cards
    and still keep k lends them (else whole town classes, smallest first, join it); only when
    fewer than k records are published in all may it stay below k. So household detail and
    age give way first and the town last; the category is the sensitive attribute, never
    generalised. Deterministic: depends only on the records (as a multiset), not their order.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    levels = [MAX_LEVEL] * len(records)

    def refine(members: list[int], level: int) -> None:
        if level == LEVEL_EXACT:
            for i in members:
                levels[i] = level
            return
        parts: dict[QuasiIdentifiers, list[int]] = defaultdict(list)
        for i in members:
            parts[quasi_identifiers(records[i], level - 1)].append(i)
        large = _by_size([g for g in parts.values() if len(g) >= k], records, level - 1)
        rest = [i for g in parts.values() if len(g) < k for i in g]
        while rest and len(rest) < k:
            rest += large.pop(0)
        for i in rest:
            levels[i] = level
        for group in large:
            refine(group, level - 1)

    towns: dict[QuasiIdentifiers, list[int]] = defaultdict(list)
    for i in range(len(records)):
        towns[quasi_identifiers(records[i], LEVEL_NO_AGE)].append(i)
    county = {quasi_identifiers(r, MAX_LEVEL) for r in records}
    shown = _by_size([g for key, g in towns.items() if len(g) >= k and key not in county],
                     records, LEVEL_NO_AGE)
    general = [i for key, g in towns.items() if len(g) < k or key in county for i in g]
    general_classes = {quasi_identifiers(records[i], MAX_LEVEL) for i in general}
    if len(general_classes) == 1 and len(general) < k:
        missing = k - len(general)
        spare = [g for g in shown if len(g) - missing >= k]
        if spare:  # the largest town lends a few cards and keeps k or more
            donor = sorted(spare[-1], key=lambda i: _content(records[i]))
            general += donor[:missing]
            spare[-1][:] = donor[missing:]
        while shown and len(general) < k:
            general += shown.pop(0)
    for group in shown:
        refine(group, LEVEL_NO_AGE)
    return levels

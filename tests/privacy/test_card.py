"""Anonymized cards and k-anonymity over published quasi-identifiers."""
import itertools
import random
from collections import Counter
from decimal import Decimal

import pytest

from webapp.privacy.publishing.card import (
    LEVEL_COUNTY,
    LEVEL_EXACT,
    LEVEL_GENERAL,
    LEVEL_NO_AGE,
    LEVEL_WIDE_AGE,
    AnonymizedCard,
    CaseFacts,
    age_band,
    build_card,
    card_pii,
    enforce_k_anonymity,
    generalize,
    household_situation,
    quasi_identifiers,
)
from webapp.privacy.quality.corpus import generate_corpus


def _facts(**overrides):
    values = {
        "category": "medical", "town": "梁村镇", "age": 45, "household_size": 4,
        "flags": frozenset({"serious_illness", "minor"}), "amount_needed": Decimal(80000),
        "amount_covered": Decimal(30000), "urgency": 3, "days_waiting": 6,
        "description": "申请人张建国，身份证号371526198003051234，家住梁村镇后屯村，"
                       "电话13812345678，妻子李秀英患白血病，在高唐县人民医院住院。",
        "known_names": ("张建国", "李秀英"),
    }
    values.update(overrides)
    return CaseFacts(**values)


def test_build_card_has_general_fields():
    card = build_card(_facts())
    assert card.area == "梁村镇"
    assert card.age_band == "40-49岁"
    assert card.household == "家中有重病患者、未成年子女"
    assert card.household_size_band == "4-5人"
    assert card.amount_still_needed == Decimal(50000)
    assert card.title == "白血病，申请人40-49岁，家中有重病患者、未成年子女，急需医疗费用"


def test_card_title_differs_by_story_and_never_names_the_area():
    fire = build_card(_facts(category="fire", description="住房夜间突发火灾，口粮被烧毁。",
                             age=70, flags=frozenset({"dibao"})))
    uremia = build_card(_facts(description="妻子确诊尿毒症，需长期透析。", flags=frozenset()))
    assert fire.title == "火灾，申请人60岁以上，低保家庭，急需基本生活物资"
    assert uremia.title == "尿毒症，申请人40-49岁，急需医疗费用"
    assert "梁村镇" not in fire.title + uremia.title
    # No amount in a title: it is stored once, while the gap moves with every payment.
    odd = build_card(_facts(description="", amount_needed=Decimal("1234.5"),
                            amount_covered=Decimal(0), flags=frozenset()))
    assert odd.title == "重大疾病，申请人40-49岁，急需医疗费用"
    assert odd.amount_still_needed == Decimal("1234.5")


def test_build_card_story_is_redacted():
    card = build_card(_facts())
    for secret in ("张建国", "李秀英", "371526198003051234", "13812345678", "后屯村"):
        assert secret not in card.story
    assert card.spans


def test_build_card_has_no_pii_for_generated_stories():
    for i, sample in enumerate(generate_corpus(150, seed=99)):
        facts = _facts(description=sample.text, known_names=sample.known_names,
                       age=i % 90, town=None if i % 7 == 0 else "清平镇")
        assert card_pii(build_card(facts), sample.known_names) == []


def test_build_card_without_town_uses_county():
    card = build_card(_facts(town=None))
    assert card.area == "高唐县"


def test_build_card_never_needs_negative_amount():
    assert build_card(_facts(amount_covered=Decimal(99999))).amount_still_needed == 0


def test_case_facts_rejects_unknown_flag_and_urgency():
    with pytest.raises(ValueError):
        _facts(flags=frozenset({"rich"}))
    with pytest.raises(ValueError):
        _facts(urgency=9)


@pytest.mark.parametrize("age,band", [(None, None), (5, "未成年"), (17, "未成年"), (18, "18-29岁"),
                                      (45, "40-49岁"), (59, "50-59岁"), (60, "60岁以上")])
def test_age_band_boundaries(age, band):
    assert age_band(age) == band


def test_household_situation_without_flags():
    assert household_situation(()) == "家庭遭遇突发困难"
    assert household_situation({"dibao"}) == "低保家庭"


def _population(n, seed):
    rng = random.Random(seed)
    towns = ["梁村镇", "尹集镇", "清平镇", "固河镇", "杨屯镇", None]
    cards = []
    for _ in range(n):
        cards.append(build_card(_facts(
            town=rng.choice(towns), age=rng.choice([None, *range(95)]),
            category=rng.choice(["medical", "accident", "education", "living"]),
            household_size=rng.randint(1, 8), description="",
        )))
    return cards


@pytest.mark.parametrize("n,k", [(1, 5), (4, 5), (37, 3), (400, 5), (1000, 10)])
def test_enforce_k_anonymity_every_class_has_k_members(n, k):
    cards = _population(n, seed=n)
    levels = enforce_k_anonymity(cards, k=k)
    classes = Counter(quasi_identifiers(c, lv) for c, lv in zip(cards, levels))
    assert all(size >= k for size in classes.values()) or n < k


def test_enforce_k_anonymity_keeps_the_town_of_every_town_with_k_cards():
    cards = _population(400, seed=5)
    levels = enforce_k_anonymity(cards, k=5)
    per_town = Counter(c.area for c in cards)
    for card, level in zip(cards, levels):
        if card.area != "高唐县" and per_town[card.area] >= 5:
            assert level < LEVEL_COUNTY
    assert {generalize(c, lv).category_label for c, lv in zip(cards, levels)} == \
        {c.category_label for c in cards}


def test_enforce_k_anonymity_drops_household_and_age_before_the_town():
    ages, flags = [8, 25, 45, 70, 85], ["dibao", "disability", "minor", "elderly", "tekun"]
    cards = [build_card(_facts(age=a, household_size=i + 1, flags=frozenset({f}),
                               description="")) for i, (a, f) in enumerate(zip(ages, flags))]
    levels = enforce_k_anonymity(cards, k=5)
    assert levels == [LEVEL_NO_AGE] * 5
    shown = generalize(cards[0], LEVEL_NO_AGE)
    assert (shown.area, shown.age_band, shown.household_size_band, shown.household) == \
        ("梁村镇", None, None, None)


def test_enforce_k_anonymity_joins_small_towns_to_reach_k_in_the_county():
    cards = [build_card(_facts(town=t, description=""))
             for t in ["梁村镇"] * 6 + ["尹集镇"] * 2 + ["清平镇"] * 1]
    levels = enforce_k_anonymity(cards, k=3)
    classes = Counter(quasi_identifiers(c, lv) for c, lv in zip(cards, levels))
    assert min(classes.values()) >= 3
    assert levels[:6] == [LEVEL_EXACT] * 6


def test_enforce_k_anonymity_a_large_town_lends_cards_to_a_small_county_class():
    cards = [build_card(_facts(town=t, description="")) for t in ["梁村镇"] * 8 + ["清平镇"]]
    levels = enforce_k_anonymity(cards, k=3)
    assert levels.count(LEVEL_COUNTY) == 3 and levels[-1] == LEVEL_COUNTY
    classes = Counter(quasi_identifiers(c, lv) for c, lv in zip(cards, levels))
    assert min(classes.values()) >= 3


def test_enforce_k_anonymity_keeps_detail_for_large_classes():
    cards = [build_card(_facts(description="")) for _ in range(6)]
    assert enforce_k_anonymity(cards, k=5) == [0] * 6


def test_enforce_k_anonymity_is_deterministic_and_order_independent():
    cards = _population(300, seed=3)
    levels = enforce_k_anonymity(cards, k=5)
    assert levels == enforce_k_anonymity(cards, k=5)
    order = list(range(len(cards)))
    random.Random(1).shuffle(order)
    shuffled = enforce_k_anonymity([cards[i] for i in order], k=5)
    # Identical cards may swap levels; what is published (card, level) is the same multiset.
    assert Counter(zip(cards, levels)) == Counter(zip([cards[i] for i in order], shuffled))


def test_generalize_applies_the_level_to_the_published_card():
    card = build_card(_facts())
    wide = generalize(card, LEVEL_WIDE_AGE)
    assert (wide.area, wide.age_band, wide.household_size_band, wide.household) == \
        ("梁村镇", "40-59岁", None, None)
    assert wide.title == "白血病，申请人40-59岁，急需医疗费用"
    county = generalize(card, LEVEL_COUNTY)
    assert (county.area, county.age_band, county.category_label) == ("高唐县", None, "医疗救助")
    assert isinstance(wide, AnonymizedCard)


def test_generalize_levels_only_ever_coarsen():
    card = build_card(_facts())
    keys = [quasi_identifiers(card, lv) for lv in range(LEVEL_GENERAL + 1)]
    for a, b in itertools.pairwise(keys):
        assert sum(x is None for x in b) >= sum(x is None for x in a)

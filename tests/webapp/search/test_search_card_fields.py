"""Everything a public need card shows is searchable: household, services, area, labels."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from search.documents import SearchQuery
from search.embedded import EmbeddedBackend
from webapp.models import Category, NeedCard, NeedStatus
from webapp.services.need_account import HelpAccount
from webapp.services.search.documents import TownNames, bilingual, need_document

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _card(**fields) -> NeedCard:
    values = {
        "id": 7, "status": NeedStatus.PUBLISHED, "title": "高唐县一户家庭因重大疾病急需救助",
        "story": "家中主要劳动力确诊尿毒症住院治疗。", "category": Category.SERIOUS_ILLNESS,
        "area": "高唐县", "town_id": None, "household": "家中有残疾人、老年人；低保家庭",
        "age_band": "60岁以上", "urgency": 4, "services": "陪护就医,法律援助",
        "amount_needed": Decimal(5000),
        "published_at": NOW, "updated_at": NOW,
    }
    return NeedCard(**(values | fields))


def test_bilingual_label_carries_the_english_catalogue_translation():
    assert bilingual("重大疾病") == "重大疾病 Serious illness"
    assert bilingual("没有译文的词") == "没有译文的词"


def _account(card_id: int = 7) -> HelpAccount:
    """Nothing received yet: the whole amount is the gap."""
    return HelpAccount(case_id=card_id, need_id=card_id, needed=Decimal(5000))


def test_need_document_holds_every_field_the_card_shows():
    doc = need_document(_card(), TownNames(None), _account())
    for shown in ("家中有残疾人、老年人；低保家庭", "陪护就医", "法律援助", "全县",
                  "重大疾病", "Serious illness", "特急", "Critical", "60岁以上"):
        assert shown in doc.body, shown


@pytest.mark.parametrize("text", ["残疾", "低保", "老年人", "陪护就医", "serious illness",
                                  "特急", "Critical", "重大疾病"])
def test_card_fields_are_found_by_search(tmp_path, text):
    engine = EmbeddedBackend(tmp_path / "index")
    try:
        engine.rebuild([need_document(_card(), TownNames(None), _account()),
                        need_document(_card(id=8, household=None, services="", urgency=1,
                                            category=Category.FIRE, story="房屋失火。",
                                            title="高唐县一户家庭因火灾急需救助"),
                                      TownNames(None), _account(8))])
        assert [h.id for h in engine.search(SearchQuery(text=text)).hits] == ["7"]
    finally:
        engine.close()

"""Vocabulary shared by both synthetic search corpora (corpus_zipf.py, corpus_uniform.py).

Towns, document kinds, verbs, the village-name generator, and the parts of a document and a
query that both corpora draw alike; the word lists particular to one corpus live in its own
module. See search_corpus.py for how the benchmark picks a corpus.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from search.documents import SearchDocument, SearchQuery

START = datetime(2022, 1, 1, tzinfo=UTC)

TOWNS = [
    "鱼丘湖街道",
    "汇鑫街道",
    "人和街道",
    "梁村镇",
    "尹集镇",
    "清平镇",
    "固河镇",
    "三十里铺镇",
    "琉璃寺镇",
    "赵寨子镇",
    "姜店镇",
    "杨屯镇",
    "高唐经济开发区",
]
VERBS = ["急需", "申请", "希望获得", "正在筹集", "请求", "需要"]
SURNAME_SYLLABLES = [
    "东",
    "西",
    "南",
    "北",
    "前",
    "后",
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
]
VILLAGE_SUFFIX = ["庄", "村", "屯", "营", "寨", "集", "店", "楼", "堂"]
KINDS = ["need"] * 6 + ["project"] * 2 + ["fund", "offer", "scheme"]


def village_name(rng: random.Random) -> str:
    return (
        rng.choice(SURNAME_SYLLABLES) + rng.choice(SURNAME_SYLLABLES) + rng.choice(VILLAGE_SUFFIX)
    )


def document(rng: random.Random, i: int, **fields) -> SearchDocument:
    """Document ``i`` with ``fields``; urgency, amount and creation time drawn from ``rng``."""
    return SearchDocument(
        id=str(i),
        **fields,
        urgency=rng.randint(1, 5),
        status="published",
        amount_needed=float(rng.randint(1000, 300000)),
        created_at=START + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
    )


def query(rng: random.Random, words: list[str], pick_town: Callable[[], str]) -> SearchQuery:
    """A top-10 query for ``words`` asking three facets; about half get one filter."""
    filters: dict = {}
    roll = rng.random()
    if roll < 0.2:
        filters["town"] = pick_town()
    elif roll < 0.35:
        filters["kind"] = rng.choice(["need", "project"])
    elif roll < 0.5:
        filters["urgency_min"] = rng.randint(3, 5)
    return SearchQuery(
        text=" ".join(words), filters=filters, facets=("kind", "category", "town"), per_page=10
    )

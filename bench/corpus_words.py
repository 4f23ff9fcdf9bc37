"""Vocabulary shared by both synthetic search corpora (corpus_zipf.py, corpus_uniform.py).

Towns, document kinds, verbs and the village-name generator; the word lists particular to one
corpus live in its own module. See search_corpus.py for how the benchmark picks a corpus.
"""

from __future__ import annotations

import random

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

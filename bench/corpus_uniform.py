"""The older, uniform synthetic corpus for the search benchmark (``--corpus uniform``).

Every word slot is drawn uniformly from short lists, so queries are much broader than in the
default Zipfian corpus (corpus_zipf.py); kept for comparison.
"""

from __future__ import annotations

import random

from corpus_words import KINDS, TOWNS, VERBS, document, query, village_name

from search.documents import SearchDocument, SearchQuery

ILLNESSES = [
    "白血病",
    "尿毒症",
    "脑出血",
    "恶性肿瘤",
    "肺癌",
    "肝癌",
    "乳腺癌",
    "淋巴瘤",
    "再生障碍性贫血",
    "脑梗死",
    "先天性心脏病",
    "肾衰竭",
    "脑瘫",
    "自闭症",
    "精神分裂症",
    "重症肺炎",
    "烧伤",
    "截瘫",
]
RELIEF = [
    "临时救助",
    "医疗救助",
    "助学",
    "低保",
    "特困供养",
    "心理疏导",
    "陪护就医",
    "大病救助",
    "教育救助",
    "住房救助",
    "就业救助",
    "生活救助",
    "先行救助",
    "结对帮扶",
]
CATEGORIES = ["医疗", "教育", "生活", "住房", "就业", "心理", "助残", "助老", "灾害", "儿童"]
PEOPLE = [
    "患儿",
    "老人",
    "学生",
    "母亲",
    "父亲",
    "独居老人",
    "留守儿童",
    "残疾人",
    "困境儿童",
    "失能老人",
    "孤儿",
    "务工人员",
]
EVENTS = [
    "突发疾病",
    "交通事故",
    "意外烧伤",
    "房屋失火",
    "暴雨受灾",
    "工伤致残",
    "家庭变故",
    "突发重病",
]
SENTENCES = [
    "{person}{age}岁，因{event}确诊{illness}，已花费医疗费用{money}万元，家庭因病致贫。",
    "{village}{person}长期患{illness}，每月药费{money}千元，{verb}{relief}。",
    "家住{town}{village}，{person}{verb}{relief}和{relief2}，目前资金缺口{money}万元。",
    "{person}在{town}就读，家庭是低保户，{verb}助学帮扶，学费缺口{money}千元。",
    "社工已上门核查，建议启动{relief}，并安排志愿者提供{relief2}。",
    "本项目面向{town}{person}，提供{relief}和{relief2}，已帮助{count}户家庭。",
    "{event}后{person}生活困难，村委会协助申请{relief}，乡镇审核通过后转办民政局。",
]


def _sentence(rng: random.Random, town: str) -> str:
    return rng.choice(SENTENCES).format(
        person=rng.choice(PEOPLE),
        age=rng.randint(2, 88),
        event=rng.choice(EVENTS),
        illness=rng.choice(ILLNESSES),
        money=rng.randint(1, 60),
        village=village_name(rng),
        verb=rng.choice(VERBS),
        relief=rng.choice(RELIEF),
        relief2=rng.choice(RELIEF),
        town=town,
        count=rng.randint(3, 500),
    )


def generate(n: int, seed: int) -> list[SearchDocument]:
    """N reproducible synthetic documents (titles ~15 chars, bodies of 2-3 sentences)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        town = rng.choice(TOWNS)
        kind = rng.choice(KINDS)
        illness = rng.choice(ILLNESSES)
        title = f"{town[:2]}{rng.choice(PEOPLE)}{illness}{rng.choice(VERBS)}{rng.choice(RELIEF)}"
        body = "".join(_sentence(rng, town) for _ in range(rng.randint(2, 3)))
        docs.append(
            document(
                rng,
                i,
                kind=kind,
                title=title,
                body=body,
                category=rng.choice(CATEGORIES),
                town=town,
            )
        )
    return docs


def make_queries(n: int, seed: int) -> list[SearchQuery]:
    """Short Chinese queries; about half with a filter; every one asks for three facets."""
    rng = random.Random(seed + 1)
    vocab = (
        ILLNESSES + RELIEF + PEOPLE + EVENTS + [t[:2] for t in TOWNS] + ["白血", "透析", "助学金"]
    )
    queries = []
    for _ in range(n):
        words = rng.sample(vocab, rng.choice([1, 1, 2, 2, 3]))
        queries.append(query(rng, words, lambda: rng.choice(TOWNS)))
    return queries

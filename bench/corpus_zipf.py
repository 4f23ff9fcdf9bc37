"""The default ("zipf") synthetic corpus for the search benchmark: Zipfian words and queries.

The uniform corpus (corpus_uniform.py) draws every slot uniformly from short lists, so an
average query matches ~9% of all documents and one in twenty matches nearly half of them: far
broader than what a county's case files look like. The "zipf" corpus instead
  * draws every word slot from a longer list (90 illnesses, 40 relief words, 30 groups of
    people, 24 events, 600 villages) with Zipf weights 1/rank (s = 1, Zipf's law for word
    frequencies), so a few words are very common and most are rare;
  * weights towns by population, and only mentions an illness where a document is about one
    (medical needs and projects), as real case files do;
  * draws queries the same Zipfian way from the same lists (people search for what is
    common), so the head words that match the most documents are also the most searched.
This is not an easy corpus: the most common illness is in ~14% of documents, and the
most common relief word in over a third; the bench reports how many documents queries match.
"""

from __future__ import annotations

import random

from corpus_words import KINDS, TOWNS, VERBS, document, query, village_name

from search.documents import SearchDocument, SearchQuery

ZIPF_ILLNESSES = [
    "恶性肿瘤",
    "脑梗死",
    "尿毒症",
    "肺癌",
    "脑出血",
    "白血病",
    "冠心病",
    "肝癌",
    "胃癌",
    "乳腺癌",
    "糖尿病",
    "肾衰竭",
    "食管癌",
    "结肠癌",
    "宫颈癌",
    "淋巴瘤",
    "心肌梗死",
    "偏瘫",
    "脑瘫",
    "精神分裂症",
    "抑郁症",
    "自闭症",
    "先天性心脏病",
    "再生障碍性贫血",
    "重症肺炎",
    "烧伤",
    "截瘫",
    "骨折",
    "慢性肾病",
    "肝硬化",
    "帕金森病",
    "阿尔茨海默病",
    "癫痫",
    "系统性红斑狼疮",
    "类风湿关节炎",
    "肺结核",
    "脑膜炎",
    "血友病",
    "地中海贫血",
    "脊髓损伤",
    "颅脑损伤",
    "白内障",
    "青光眼",
    "听力障碍",
    "唇腭裂",
    "脊柱侧弯",
    "先天性心脏病术后",
    "骨髓增生异常综合征",
    "多发性骨髓瘤",
    "胰腺癌",
    "卵巢癌",
    "膀胱癌",
    "前列腺癌",
    "鼻咽癌",
    "甲状腺癌",
    "骨肉瘤",
    "神经母细胞瘤",
    "视网膜母细胞瘤",
    "肾病综合征",
    "心力衰竭",
    "主动脉夹层",
    "重症肌无力",
    "渐冻症",
    "脊髓性肌萎缩症",
    "苯丙酮尿症",
    "尘肺病",
    "艾滋病",
    "乙肝",
    "丙肝",
    "肺纤维化",
    "慢阻肺",
    "哮喘",
    "胆道闭锁",
    "肠梗阻",
    "脑积水",
    "脑肿瘤",
    "烫伤",
    "截肢",
    "一氧化碳中毒",
    "农药中毒",
    "溺水",
    "触电",
    "狂犬病",
    "蛇咬伤",
    "冻伤",
    "早产",
    "新生儿黄疸",
    "先天性巨结肠",
    "马凡综合征",
]
ZIPF_RELIEF = [
    "临时救助",
    "医疗救助",
    "低保",
    "助学",
    "大病救助",
    "特困供养",
    "生活救助",
    "先行救助",
    "心理疏导",
    "陪护就医",
    "教育救助",
    "住房救助",
    "就业救助",
    "结对帮扶",
    "慈善救助",
    "爱心捐款",
    "康复训练",
    "助残",
    "助老",
    "送医",
    "上门探视",
    "代缴医保",
    "残疾人补贴",
    "孤儿基本生活费",
    "护理补贴",
    "危房改造",
    "取暖补贴",
    "灾后重建",
    "法律援助",
    "助学金",
    "营养餐",
    "助餐",
    "就业培训",
    "公益岗位",
    "转介服务",
    "喘息服务",
    "义诊",
    "药品援助",
    "辅具适配",
    "爱心超市",
]
ZIPF_PEOPLE = [
    "老人",
    "患儿",
    "学生",
    "独居老人",
    "残疾人",
    "母亲",
    "父亲",
    "留守儿童",
    "困境儿童",
    "失能老人",
    "孤儿",
    "务工人员",
    "低保户",
    "特困人员",
    "单亲母亲",
    "重度残疾人",
    "大学生",
    "高中生",
    "婴儿",
    "孕妇",
    "退役军人",
    "环卫工人",
    "快递员",
    "外来务工人员",
    "空巢老人",
    "事实无人抚养儿童",
    "精神障碍患者",
    "失独家庭",
    "脱贫户",
    "边缘户",
]
ZIPF_EVENTS = [
    "突发疾病",
    "交通事故",
    "突发重病",
    "家庭变故",
    "意外摔伤",
    "房屋失火",
    "工伤致残",
    "暴雨受灾",
    "意外烧伤",
    "溺水",
    "触电",
    "煤气中毒",
    "冰雹受灾",
    "洪涝灾害",
    "大风受灾",
    "失业",
    "离异",
    "亲人去世",
    "被骗",
    "房屋倒塌",
    "牲畜死亡",
    "农作物绝收",
    "车祸",
    "坠落",
]
# Roughly by population: the streets around the county seat are the largest.
TOWN_WEIGHTS = [14, 12, 10, 8, 7, 7, 6, 6, 6, 6, 6, 6, 6]
ZIPF_SENTENCES = [
    "{person}{age}岁，因{event}确诊{illness}，已花费医疗费用{money}万元，家庭因病致贫。",
    "{village}{person}长期患{illness}，每月药费{money}千元，{verb}{relief}。",
    "家住{town}{village}，{person}{verb}{relief}和{relief2}，目前资金缺口{money}万元。",
    "{person}在{town}就读，家庭收入微薄，{verb}{relief}，学费缺口{money}千元。",
    "社工已上门核查，建议启动{relief}，并安排志愿者提供{relief2}。",
    "本项目面向{town}{person}，提供{relief}和{relief2}，已帮助{count}户家庭。",
    "{event}后{person}生活困难，村委会协助申请{relief}，乡镇审核通过后转办民政局。",
    "{village}{person}{event}，房屋受损，{verb}{relief}，村里已组织{count}人次帮扶。",
    "基金按章程支持{town}{person}的{relief}，单笔不超过{money}千元。",
    "志愿者每周{count}小时，可在{town}提供{relief}和{relief2}。",
]
MEDICAL_SENTENCES = (0, 1)
ZIPF_CATEGORIES = ["医疗", "生活", "教育", "助残", "助老", "住房", "儿童", "就业", "心理", "灾害"]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    weights = [1 / (rank**s) for rank in range(1, n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


class _Zipf:
    """Draw from a list with Zipf weights; ``cum_weights`` makes each draw O(log n)."""

    def __init__(self, items: list, weights: list[float] | None = None) -> None:
        import itertools

        self.items = items
        self.cum = list(itertools.accumulate(weights or _zipf_weights(len(items))))

    def __call__(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _villages(n: int) -> list[str]:
    rng = random.Random(7)
    names: dict[str, None] = {}
    while len(names) < n:
        names[village_name(rng)] = None
    return list(names)


_Z_ILLNESS = _Zipf(ZIPF_ILLNESSES)
_Z_RELIEF = _Zipf(ZIPF_RELIEF)
_Z_PEOPLE = _Zipf(ZIPF_PEOPLE)
_Z_EVENT = _Zipf(ZIPF_EVENTS)
_Z_TOWN = _Zipf(TOWNS, [w / sum(TOWN_WEIGHTS) for w in TOWN_WEIGHTS])
_Z_VILLAGE = _Zipf(_villages(600))
_Z_CATEGORY = _Zipf(ZIPF_CATEGORIES)


def _zipf_sentence(rng: random.Random, town: str, template: str, illness: str) -> str:
    return template.format(
        person=_Z_PEOPLE(rng),
        age=rng.randint(2, 88),
        event=_Z_EVENT(rng),
        illness=illness,
        money=rng.randint(1, 60),
        village=_Z_VILLAGE(rng),
        verb=rng.choice(VERBS),
        relief=_Z_RELIEF(rng),
        relief2=_Z_RELIEF(rng),
        town=town,
        count=rng.randint(3, 500),
    )


def generate_zipf(n: int, seed: int) -> list[SearchDocument]:
    """N reproducible documents with Zipfian vocabulary (see the module docstring)."""
    rng = random.Random(seed)
    other = [i for i in range(len(ZIPF_SENTENCES)) if i not in MEDICAL_SENTENCES]
    docs = []
    for i in range(n):
        town = _Z_TOWN(rng)
        kind = rng.choice(KINDS)
        category = _Z_CATEGORY(rng)
        medical = category == "医疗" and kind in ("need", "project")
        illness = _Z_ILLNESS(rng) if medical else ""
        topic = illness or _Z_RELIEF(rng)
        title = f"{town[:2]}{_Z_PEOPLE(rng)}{topic}{rng.choice(VERBS)}{_Z_RELIEF(rng)}"
        picks = [rng.choice(other) for _ in range(rng.randint(2, 3))]
        if medical:
            picks[0] = rng.choice(MEDICAL_SENTENCES)
        body = "".join(_zipf_sentence(rng, town, ZIPF_SENTENCES[j], illness) for j in picks)
        docs.append(
            document(rng, i, kind=kind, title=title, body=body, category=category, town=town)
        )
    return docs


def make_zipf_queries(n: int, seed: int) -> list[SearchQuery]:
    """Queries of 1-3 words drawn Zipf-wise from the corpus lists; filters as in make_queries."""
    rng = random.Random(seed + 1)
    sources = [_Z_ILLNESS, _Z_RELIEF, _Z_PEOPLE, _Z_EVENT, _Z_TOWN, _Z_VILLAGE]
    source_weights = [35, 25, 15, 10, 10, 5]
    queries = []
    for _ in range(n):
        words: list[str] = []
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            word = rng.choices(sources, weights=source_weights)[0](rng)
            if word not in words:
                words.append(word)
        queries.append(query(rng, words, lambda: _Z_TOWN(rng)))
    return queries

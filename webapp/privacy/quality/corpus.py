"""Seeded generator of a labelled synthetic corpus of case stories for evaluating detection.

Each sample is a short case story in the register an intake worker writes, with gold spans
(offsets into ``text`` exactly as generated, before normalisation) for every piece of
personal data, and the names the case record would pass as ``known_names``. Stories mix in
the variants people really type (full-width digits, spaced and dashed phones, +86, wrong ID
check digits, old 15-digit IDs, names spaced out or split by zero-width characters, Chinese
numerals) and hard negatives (amounts, admission dates, town names, hospital names).
Every value is synthetic: ID numbers, phones and cards are random, not real people's.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from webapp.privacy.detection.identifiers import id_check_code, luhn_valid
from webapp.privacy.detection.spans import (
    ADDRESS,
    BANK_CARD,
    BIRTH_DATE,
    EMAIL,
    ID_NUMBER,
    LANDLINE,
    MEDICAL_RECORD,
    NAME,
    PHONE,
    PLATE,
    QQ,
    WECHAT,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    type: str
    known: bool = False  # for names: passed in known_names


@dataclass(frozen=True, slots=True)
class Sample:
    text: str
    spans: tuple[GoldSpan, ...]
    known_names: tuple[str, ...] = ()


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    spans: list[GoldSpan] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, kind: str | None = None, known: bool = False) -> None:
        if kind is not None:
            self.spans.append(GoldSpan(self.length, self.length + len(text), kind, known))
        self.parts.append(text)
        self.length += len(text)

    def build(self, known_names: tuple[str, ...]) -> Sample:
        return Sample("".join(self.parts), tuple(self.spans), known_names)


_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
             "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
             "龙史陶黎贺顾毛郝龚邵万钱严武戴孔常温康施文牛樊葛邢安齐乔庞颜倪聂鲁岳翟殷申耿关")
_COMPOUND = ("欧阳", "司马", "诸葛", "上官")
_GIVEN_CHARS = ("建国军华明伟强芳秀英兰桂玉凤霞红梅丽敏静娟艳洁婷雪琳慧颖欣悦涵子轩浩宇博然"
                "俊杰鹏飞志刚勇磊涛斌辉亮峰成永长德福贵荣海江山春秋冬云平安宁新文彬晨阳凯瑞"
                "佳怡梓萱雨嘉铭泽昊振兴旺喜庆祥宝珍淑惠芬琴萍燕翠菊莲花金银小大立")
_TOWNS = ("鱼丘湖街道", "汇鑫街道", "人和街道", "梁村镇", "尹集镇", "清平镇", "固河镇",
          "三十里铺镇", "琉璃寺镇", "赵寨子镇", "姜店镇", "杨屯镇")
_VILLAGE_HEADS = ("前", "后", "东", "西", "南", "北", "大", "小", "新", "老", "中", "")
_VILLAGE_TAILS = ("庄", "屯", "集", "楼", "店", "寨", "营", "洼", "桥", "官", "堂", "", "家")
_ESTATES = ("阳光花园", "幸福家园", "金城名居", "鱼丘湖畔", "盛世华府", "民安", "和谐",
            "东方嘉园", "泰和苑", "锦绣")
_STREETS = ("人民路", "金城路", "鼓楼路", "官道街", "振兴街", "北湖路", "时风路", "府前街",
            "新华路", "文化路")
_DISEASES = ("白血病", "尿毒症", "肺癌", "脑出血", "乳腺癌", "重度烧伤", "股骨骨折", "心脏病",
             "肝硬化", "脑梗塞")
_HOSPITALS = ("高唐县人民医院", "聊城市人民医院", "山东省立医院", "齐鲁医院", "高唐县中医院",
              "梁村镇卫生院")
_KIN = ("妻子", "丈夫", "儿子", "女儿", "母亲", "父亲", "孙子", "孙女", "儿媳")
_OTHER_ROLES = ("主治医生", "村医", "网格员", "经办人", "邻居", "村支书", "社工", "班主任")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CN_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
_ZW = ("\u200b", "\u200c", "\u200d", "\ufeff")


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)  # noqa: S311  (a seeded test corpus, not secrets)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq: Sequence[T]) -> T:
        return self.r.choice(seq)

    # values ------------------------------------------------------------------------------

    def name(self) -> str:
        surname = self.pick(_COMPOUND) if self.chance(0.03) else self.pick(_SURNAMES)
        size = 1 if self.chance(0.3) else 2
        return surname + "".join(self.pick(_GIVEN_CHARS) for _ in range(size))

    def digits(self, n: int) -> str:
        return "".join(self.pick("0123456789") for _ in range(n))

    def birth(self) -> tuple[int, int, int]:
        return self.r.randint(1935, 2018), self.r.randint(1, 12), self.r.randint(1, 28)

    def id_number(self) -> str:
        region = self.pick(("371526", "371502", "371521", "370102", "371581", "130503"))
        y, m, d = self.birth()
        if self.chance(0.15):
            return f"{region}{y % 100:02d}{m:02d}{d:02d}{self.digits(3)}"  # old 15-digit
        body = f"{region}{y}{m:02d}{d:02d}{self.digits(3)}"
        check = id_check_code(body)
        if self.chance(0.2):
            check = self.pick([c for c in "0123456789X" if c != check])  # typo in check digit
        number = body + check
        if self.chance(0.1):
            number = number.lower()
        if self.chance(0.15):
            number = f"{number[:6]} {number[6:14]} {number[14:]}"
        return self._obfuscate(number)

    def mobile(self) -> str:
        n = self.pick("3456789") + self.digits(9)
        n = "1" + n
        style = self.r.randint(0, 7)
        if style == 1:
            n = f"{n[:3]} {n[3:7]} {n[7:]}"
        elif style == 2:
            n = f"{n[:3]}-{n[3:7]}-{n[7:]}"
        elif style == 3:
            n = f"{n[:3]}.{n[3:7]}.{n[7:]}"
        elif style == 4:
            n = self.pick(("+86 ", "+86-", "0086 ", "+86", "(+86)")) + n
        elif style == 5:
            n = " ".join(n)
        return self._obfuscate(n)

    def landline(self) -> str:
        local = self.pick("2345678") + self.digits(6)
        return self.pick((f"0635-{local}", f"(0635){local}", f"0635 {local[:3]} {local[3:]}",
                          f"0635{local}", f"0531-8{local[1:]}"))

    def bank_card(self) -> str:
        prefix = self.pick(("622202", "622848", "621700", "623052", "621226", "621098"))
        length = self.pick((16, 19, 19))
        body = prefix + self.digits(length - len(prefix) - 1)
        for last in "0123456789":
            if luhn_valid(body + last):
                break
        number = body + last
        if self.chance(0.15):
            number = body + str((int(last) + 3) % 10)  # account number without Luhn
        if self.chance(0.4):
            number = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        return self._obfuscate(number)

    def email(self) -> str:
        user = self.pick(("zhang", "wang", "li", "liu", "chen", "yang", "gt", "hao", "xiao"))
        user += self.pick(("", "_", ".")) + self.digits(self.r.randint(2, 6))
        domain = self.pick(("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "sohu.com"))
        if self.chance(0.1):
            return f"{user} at {domain.replace('.', ' dot ')}"
        return f"{user}@{domain}"

    def wechat(self) -> str:
        head = self.pick(("wx", "zhang", "li", "gt", "ai", "sun", "happy", "mei"))
        return head + self.pick(("_", "", "-")) + self.digits(self.r.randint(3, 8))

    def plate(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        if self.chance(0.3):
            tail = self.pick("DF") + self.digits(5)
        else:
            tail = self.digits(self.r.randint(3, 5))
            tail = "".join(self.pick(letters) for _ in range(5 - len(tail))) + tail
        sep = self.pick(("", "·", " ", ""))
        return f"鲁{self.pick('PPPAB')}{sep}{tail}"

    def medical_number(self) -> str:
        return self.pick(("", "ZY", "BA", "MZ")) + self.pick(("2026", "2025", "")) + self.digits(
            self.r.randint(5, 7))

    def birth_date(self) -> str:
        y, m, d = self.birth()
        return self.pick((f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}.{m}.{d}",
                          f"{y}/{m:02d}/{d:02d}", f"{y}{m:02d}{d:02d}", f"{y}年{m:02d}月{d:02d}日",
                          str(y).translate(_CN_DIGITS) + f"年{_cn_number(m)}月{_cn_number(d)}日"))

    def village(self) -> str:
        return self.pick(_VILLAGE_HEADS) + self.pick(_SURNAMES) + self.pick(_VILLAGE_TAILS) + "村"

    def address(self) -> str:
        kind = self.r.randint(0, 4)
        if kind == 0:
            return self.village()
        if kind == 1:
            return self.village() + f"{self.r.randint(1, 9)}组{self.r.randint(1, 80)}号"
        if kind == 2:
            return (self.pick(_ESTATES) + "小区" + f"{self.r.randint(1, 30)}号楼"
                    f"{self.r.randint(1, 4)}单元{self.r.randint(1, 6)}0{self.r.randint(1, 4)}室")
        if kind == 3:
            return self.pick(_STREETS) + f"{self.r.randint(1, 300)}号"
        return self.pick(("幸福", "光明", "新城", "鱼丘", "金城", "育才")) + "社区"

    def _obfuscate(self, value: str) -> str:
        if self.chance(0.12):
            value = value.translate(_FULLWIDTH)
        if self.chance(0.05) and len(value) > 4:
            i = self.r.randint(1, len(value) - 1)
            value = value[:i] + self.pick(_ZW) + value[i:]
        return value

    def spaced(self, name: str) -> str:
        if self.chance(0.5):
            return " ".join(name)
        i = self.r.randint(1, len(name) - 1)
        return name[:i] + self.pick((" ", "  ", "\u200b", "·")) + name[i:]


def _cn_number(n: int) -> str:
    units = "〇一二三四五六七八九"
    if n < 10:
        return units[n]
    if n < 20:
        return "十" + (units[n % 10] if n % 10 else "")
    return units[n // 10] + "十" + (units[n % 10] if n % 10 else "")


def _story(g: _Gen) -> Sample:
    b = _Builder()
    applicant = g.name()
    known = [applicant]
    town = g.pick(_TOWNS)
    age = g.r.randint(3, 90)

    def name(value: str, is_known: bool) -> None:
        if g.chance(0.12):
            value = g.spaced(value)
        b.add(value, NAME, is_known)

    opening = g.r.randint(0, 3)
    if opening == 0:
        b.add(g.pick(("申请人", "户主", "救助对象", "患者")))
        name(applicant, True)
        b.add(f"，{g.pick('男女')}，{age}岁，")
    elif opening == 1:
        b.add("姓名：")
        name(applicant, True)
        b.add(g.pick((" ", "，", "；")))
    elif opening == 2:
        name(applicant, True)
        b.add(f"，{town}")
        b.add(g.village(), ADDRESS)
        b.add("村民，")
    else:
        b.add(f"{town}一户困难家庭，户主")
        name(applicant, True)
        b.add("，")

    for _ in range(g.r.randint(2, 6)):
        _clause(g, b, town, known, name)
    b.add(g.pick(("特申请救助。", "恳请社会各界给予帮助。", "望予以救助。", "")))
    return b.build(tuple(known))


def _clause(g: _Gen, b: _Builder, town: str, known: list[str],
            name: Callable[[str, bool], None]) -> None:
    kind = g.r.randint(0, 17)
    if kind == 0:
        b.add(g.pick(("身份证号：", "身份证号码", "公民身份号码：", "身份证 ", "证件号")))
        b.add(g.id_number(), ID_NUMBER)
        b.add("，")
    elif kind == 1:
        b.add(g.pick(("联系电话：", "手机", "电话 ", "本人手机号", "联系方式：", "如需核实请致电")))
        b.add(g.mobile(), PHONE)
        b.add(g.pick(("，", "。", "（本人），", "或")))
    elif kind == 2:
        b.add(g.pick(("家住", "现住", "住址：", "户籍地为", "居住在")) + town)
        b.add(g.address(), ADDRESS)
        b.add("，")
    elif kind == 3:
        kin = g.pick(_KIN)
        member = g.name()
        known.append(member)
        b.add(f"其{kin}" if g.chance(0.5) else kin)
        name(member, True)
        b.add(f"{g.pick(('患', '确诊为', '罹患'))}{g.pick(_DISEASES)}，")
        if g.chance(0.5):
            b.add(f"{g.r.randint(2020, 2026)}年{g.r.randint(1, 12)}月在{g.pick(_HOSPITALS)}住院，")
    elif kind == 4:
        b.add(g.pick(("出生日期：", "生于", "出生于", "")))
        had_cue = b.parts[-1] != ""
        b.add(g.birth_date(), BIRTH_DATE)
        b.add("，" if had_cue else "出生，")
    elif kind == 5:
        b.add(g.pick(("救助金请转入", "收款账号：", "银行卡号", "开户行农业银行，账号")))
        b.add(g.bank_card(), BANK_CARD)
        b.add("，")
    elif kind == 6:
        b.add(g.pick(("住院号：", "病案号", "门诊号:", "住院号 ")))
        b.add(g.medical_number(), MEDICAL_RECORD)
        b.add(f"，在{g.pick(_HOSPITALS)}治疗，")
    elif kind == 7:
        b.add(g.pick(("QQ：", "QQ号", "qq ", "扣扣")))
        b.add(str(g.r.randint(10000, 3999999999)), QQ)
        b.add("，")
    elif kind == 8:
        b.add(g.pick(("微信：", "微信号", "vx:", "wx ", "加微信")))
        b.add(g.wechat(), WECHAT)
        b.add("，")
    elif kind == 9:
        b.add(g.pick(("邮箱：", "电子邮箱", "可发邮件至")))
        b.add(g.email(), EMAIL)
        b.add("，")
    elif kind == 10:
        b.add(f"{g.r.randint(2022, 2026)}年{g.r.randint(1, 12)}月驾驶")
        b.add(g.plate(), PLATE)
        b.add(g.pick(("电动三轮车", "农用车", "轿车")) + "发生交通事故，")
    elif kind == 11:
        b.add(g.pick(("座机", "家庭电话", "村委会电话")))
        b.add(g.landline(), LANDLINE)
        b.add("，")
    elif kind == 12:
        role = g.pick(_OTHER_ROLES)
        b.add(role)
        name(g.name(), False)
        b.add(g.pick(("已上门核实，", "反映情况属实，", "协助办理，", "介绍了病情，")))
    elif kind == 13:
        surname = known[0][:2] if known[0][:2] in _COMPOUND else known[0][0]
        b.add("据")
        b.add(surname + g.pick(("某", "某某")), NAME, True)
        b.add("介绍，")
    elif kind == 14:
        member = known[-1]
        given = member[2:] if member[:2] in _COMPOUND else member[1:]
        if len(given) >= 2:
            b.add("平时")
            b.add(given, NAME, True)
            b.add("一直照顾家人，")
        else:
            b.add("家中无其他劳动力，")
    else:
        b.add(_negative(g, town))


def _negative(g: _Gen, town: str) -> str:
    """A clause with numbers, dates and places that are not personal data."""
    return g.pick((
        f"{g.r.randint(2023, 2026)}年{g.r.randint(1, 12)}月入院治疗，",
        f"{g.r.randint(2024, 2026)}年{g.r.randint(1, 12)}月{g.r.randint(1, 28)}日确诊，",
        f"已花费医疗费用{g.r.randint(2, 80) * 1000}元，",
        f"尚需{g.r.randint(1, 30)}万元，",
        f"家中{g.r.randint(2, 7)}口人，人均月收入{g.r.randint(2, 9)}00元，",
        f"{town}民政办已入户核查，",
        "村委会出具了证明，",
        f"经{town}党委研究，",
        f"在{g.pick(_HOSPITALS)}做了手术，",
        f"每月低保金{g.r.randint(4, 9)}{g.r.randint(0, 9)}0元，",
        "申请人因病致贫，母亲常年卧床，",
        "孩子在县城读高中，老人行动不便，",
        f"房屋面积{g.r.randint(30, 120)}平方米，",
        "家属称已向亲戚借款，",
        f"高唐县民政局于{g.r.randint(2025, 2026)}年{g.r.randint(1, 12)}月受理，",
        "全村群众自发捐款，",
        f"共计{g.r.randint(10000, 99999)}元，",
        "本村村干部积极帮扶，",
        "王村镇的亲戚也来帮忙，",
        "农村合作医疗报销了一部分，",
    ))


def generate_corpus(n: int = 1200, seed: int = 20260305) -> list[Sample]:
    """A reproducible list of n labelled samples."""
    g = _Gen(seed)
    return [_story(g) for _ in range(n)]


def load_corpus(path: str | Path) -> list[Sample]:
    """Read a labelled corpus from JSON Lines: one object per line with ``text``,
    ``spans`` (``start``, ``end``, ``type``, optional ``known``) and optional ``known_names``.

    Offsets are character offsets into ``text``. This lets an outside corpus be scored with
    exactly the rules used for the generated one.
    """

    samples = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                spans = tuple(GoldSpan(int(s["start"]), int(s["end"]), str(s["type"]),
                                       bool(s.get("known", False))) for s in obj["spans"])
                samples.append(Sample(str(obj["text"]), spans,
                                      tuple(obj.get("known_names", ()))))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{lineno}: not a corpus line ({exc})") from None
    return samples

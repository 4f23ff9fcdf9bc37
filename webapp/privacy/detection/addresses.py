"""Detector for addresses below town level: villages, communities, housing estates,
buildings and rooms, and street-and-number addresses.

Town-level names (梁村镇, 鱼丘湖街道, 高唐县 …) are allowed in published text and are cut off
the front of a detected address. A village name has no closed list, so its start is found by
walking back from the suffix (村, 社区, 庄 …) over ideographs until a function character, an
administrative unit or a generic word ends it.
"""

from __future__ import annotations

import re

from webapp.privacy.detection.lexicon import ADMIN_AREAS, GENERIC_PLACES, GENERIC_VILLAGE_PREFIXES
from webapp.privacy.detection.spans import ADDRESS, HAN, Span, is_han

# Characters that end a place name when walking backwards: function words and verbs that
# introduce a place ("住在", "来自", "系…村民"), and measure words.
_STOP = frozenset(
    "住在是的和与及从到去回至往向自为有了着过也都还就又即把被给让对个名户将要系原现今已"
    "居迁嫁娶寄租借搬返落位处属隶当据经由等或及其该本每来"
)
_STOP_WORDS = frozenset(["位于", "居于", "住于", "生于", "出于", "处于", "属于", "地处", "来自", "曾在", "曾经",
                        # time words end a place name walking back (周末村里…, 今天村委会…)
                        "周末", "今天", "昨天", "明天", "今年", "去年", "明年", "平时", "当时",
                        "后来", "现在", "最近", "目前", "时候", "每天", "当天", "期间"])
_ADMIN_SUFFIX = re.compile(r"(?:省|自治区|市|县|镇|乡|街道|办事处|开发区|园区)")
_CN_NUMERAL = "一二三四五六七八九十百零〇两"
_NUM = rf"(?:\d+|[{_CN_NUMERAL}]+)"
_DETAIL = re.compile(
    rf"(?:\s?(?:[东西南北中前后][街头院区片]?\s?)?{_NUM}\s?(?:-\s?\d+\s?)*"
    r"(?:组|队|排|号院|号楼|号|巷|胡同|栋|幢|楼|单元|层|室|房|门|区|街|路|期|弄|座|户)"
    r"|\s?[东西南北前后](?:头|街|院)(?![\u4e00-\u9fff]))+"
)
_COMMITTEE = re.compile(r"(?:村民委员会|村委会|村委|委会|居委会|居民委员会|两委)")

_ANCHOR = re.compile(r"社区|小区|居委会|新村|村|庄|屯")
_STREET = re.compile(
    rf"(?:大街|大道|路|街|巷|胡同|弄)\s?(?:[东西南北中]段\s?)?{_NUM}\s?(?:-\s?\d+\s?)?号"
)
_BUILDING = re.compile(rf"{_NUM}\s?(?:号楼|栋|幢|单元|号院)|\d{{3,4}}\s?(?:室|房间|号房)")
_ESTATE_SUFFIX = re.compile(
    r"(?:小区|社区|花园|家园|公寓|新村|新城|广场|大厦|名居|嘉园|华府|花苑|雅居|公馆|佳苑|苑|园|城|府|里|院)$"
)
_CUE = re.compile(
    r"(?:家住|住在|住址|地址|现住|现居|居住在|居住于|户籍地|户籍所在地|户口所在地|家庭住址|家庭地址|"
    r"住所|暂住|租住在|租住|寄住在|借住在|老家在|老家是|来自|籍贯)[\s:：]*(?:于|在|为|是)?[\s:：]*"
)
_PLACE_AFTER_CUE = re.compile(
    rf"[{HAN}]{{1,5}}(?:社区|小区|村|庄|屯|寨|集|营|铺|店|楼|园|苑|巷|街|路|湾|洼|沟|坡|岭|堡|坊|"
    r"桥|台|岗|场|圈|里)"
)
_ADMIN_PREFIX = re.compile(
    "|".join(sorted(map(re.escape, ADMIN_AREAS), key=len, reverse=True))
    + rf"|[{HAN}]{{1,6}}?(?:省|市|县|镇|乡|街道)"
)
_NON_PLACE_TAIL = ("医院", "卫生院", "学校", "敬老院", "养老院", "福利院", "中心", "公司", "工厂")
_CUE_GENERIC = frozenset(["路口", "村口", "街口", "门口", "桥头", "楼里", "城里", "院里"])


def _place_start(text: str, end: int, max_len: int = 6) -> int:
    """Walk back from end over ideographs to where a place name plausibly starts."""
    start = end
    while start > 0 and end - start < max_len and is_han(text[start - 1]):
        start -= 1
    prefix = text[start:end]
    # Drop everything up to and including the last administrative unit (梁村镇后屯 → 后屯).
    cut = 0
    # Whether the walk stopped at a real boundary rather than at max_len.
    natural = start == 0 or not is_han(text[start - 1])
    for m in _ADMIN_SUFFIX.finditer(prefix):
        # A town name has at least two characters before 镇; 南镇村 is a village.
        if m.start() >= 2 or m.group() not in ("镇", "乡") or not natural:
            cut = m.end()
    for area in ADMIN_AREAS:
        i = prefix.rfind(area)
        if i >= 0 and i + len(area) > cut and area.endswith(("镇", "县", "街道", "区", "市")):
            cut = i + len(area)
    for i in range(len(prefix) - 1, cut - 1, -1):
        if prefix[i] in _STOP or (i > 0 and prefix[i - 1:i + 1] in _STOP_WORDS):
            cut = max(cut, i + 1)
            break
    return start + cut


def _is_generic(prefix: str, suffix: str) -> bool:
    if not prefix or prefix in GENERIC_VILLAGE_PREFIXES or prefix + suffix in GENERIC_PLACES:
        return True
    if all(ch in _CN_NUMERAL for ch in prefix):
        return True  # 一村民, 两村: a count, not a name
    if len(prefix) == 2 and prefix[-1] in "镇乡" and prefix[0] not in "各全本该每乡城集":
        return False  # 南镇村, 北乡村: a village named after a direction
    return prefix[-1] in "村镇乡县"


# A room number written bare after the unit or building (3栋1单元502).
_BARE_ROOM = re.compile(r"\s?\d{3,4}(?!\d)(?:室|房|户)?")


def _extend(text: str, end: int) -> int:
    m = _COMMITTEE.match(text, end)
    if m:
        end = m.end()
    m = _DETAIL.match(text, end)
    if m:
        end = m.end()
    if text[max(0, end - 2):end].endswith(("单元", "栋", "幢", "楼")):
        m = _BARE_ROOM.match(text, end)
        if m:
            end = m.end()
    return end


_VILLAGE_WORDS = ("民", "干部", "医", "支书", "两委", "级", "务")


def _anchor_spans(text: str) -> list[Span]:
    spans = []
    for m in _ANCHOR.finditer(text):
        suffix = m.group()
        after = text[m.end():m.end() + 2]
        if after.startswith(("镇", "乡", "街道", "办事处")):
            continue  # a town such as 梁村镇 or 杨屯镇: allowed
        if suffix in ("庄", "屯"):
            nxt = after[:1]
            if nxt == "村" or (nxt and is_han(nxt) and nxt not in "东西南北中前后的人附一组里"):
                continue
        start = _place_start(text, m.start())
        if text.startswith(_VILLAGE_WORDS, m.end()) and m.group() == "村":
            # 村民 / 村干部 may be read as "<village> 村 + 民" (前屯村民) only when a clear
            # boundary comes within three characters; otherwise it is a clause
            # (书记于金龙带领村干部).
            near = _place_start(text, m.start(), max_len=3)
            if near == m.start() - 3 and near > 0 and is_han(text[near - 1]) \
                    and text[near - 1] not in _STOP:
                continue
        prefix = text[start:m.start()]
        if _is_generic(prefix, suffix) or (suffix in ("庄", "屯") and prefix in ("村", "农", "山",
                                                                             "钱", "饭", "茶")):
            continue
        end = _extend(text, m.end())
        spans.append(Span(start, end, ADDRESS, text[start:end], 0.8))
    return spans


def _street_spans(text: str) -> list[Span]:
    spans = []
    for m in _STREET.finditer(text):
        start = _place_start(text, m.start(), max_len=8)
        if start == m.start():
            continue
        end = _extend(text, m.end())
        spans.append(Span(start, end, ADDRESS, text[start:end], 0.85))
    return spans


_ROAD = r"(?:大街|大道|路|街|巷)"
_INTERSECTION = re.compile(
    rf"{_ROAD}\s?(?:与|和|、|同|/)\s?[{HAN}]{{1,6}}?{_ROAD}\s?"
    r"(?:十字路口|交叉路口|交叉口|交汇处|交汇口|交界处|路口|交口)"
)


def _intersection_spans(text: str) -> list[Span]:
    """Street corners (人民路与鼓楼路交叉口): as precise as a house number in a small town."""
    spans = []
    for m in _INTERSECTION.finditer(text):
        start = _place_start(text, m.start(), max_len=8)
        if start == m.start():
            continue
        spans.append(Span(start, m.end(), ADDRESS, text[start:m.end()], 0.8))
    return spans


def _building_spans(text: str) -> list[Span]:
    spans = []
    for m in _BUILDING.finditer(text):
        start = m.start()
        name_start = _place_start(text, start, max_len=8)
        if name_start < start and _ESTATE_SUFFIX.search(text[name_start:start]):
            start = name_start
        end = _extend(text, m.end())
        spans.append(Span(start, end, ADDRESS, text[start:end], 0.8))
    return spans


def _cue_spans(text: str) -> list[Span]:
    spans = []
    for m in _CUE.finditer(text):
        pos = m.end()
        while True:
            a = _ADMIN_PREFIX.match(text, pos)
            if not a:
                break
            pos = a.end()
        place = _PLACE_AFTER_CUE.match(text, pos)
        if not place:
            continue
        name = place.group()
        if name in GENERIC_PLACES or name in _CUE_GENERIC or name.endswith(_NON_PLACE_TAIL):
            continue
        end = _extend(text, place.end())
        spans.append(Span(pos, end, ADDRESS, text[pos:end], 0.75))
    return spans


def detect_addresses(text: str) -> list[Span]:
    """Addresses below town level; town, county and higher names are left in place."""
    return (_anchor_spans(text) + _street_spans(text) + _building_spans(text)
            + _intersection_spans(text) + _cue_spans(text))

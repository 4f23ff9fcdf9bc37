"""Detector for person names.

Three nets, from surest to loosest: names known from the case record (also spaced out, as
surname + 某 and as the given name alone); names introduced by a label or a role word
(姓名：…, 患者…, 母亲…) or written as X某某 or with spaces between the characters; and any
other token that jieba's part-of-speech tagger calls a person name (nr), filtered by a
surname check and an allow-list of domain words so roles and places are not taken for names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from webapp.privacy.lexicon import (
    ADDRESS_TERMS,
    ADMIN_AREAS,
    COMPOUND_SURNAMES,
    JIEBA_NR_COMMON_WORDS,
    NAME_ALLOW,
    NAME_FOLLOWERS,
    NAME_TITLES,
    SURNAMES,
)
from webapp.privacy.spans import HAN, MASK, NAME, Span, is_han
from webapp.privacy.tagging import tag as _tag
from webapp.privacy.tagging import vocab_tag as _vocab_tag
from webapp.privacy.tagging import warm_up  # noqa: F401  (public: load jieba early)
from webapp.privacy.variants import variants

_NAME_SEP = r"[\s·*_\-.]{0,2}"
_PLACE_CHARS = frozenset("村镇县市省区街路院局委会所站科室庄屯乡厂校队组")
_ORG_NEXT = ("医院", "银行", "公司", "集团", "大学", "学校", "中学", "小学", "卫生", "药店", "超市",
             "诊所", "酒店", "饭店", "商店", "工厂", "厂", "路", "街", "大道")
_PLACE_NEXT = frozenset("村庄镇屯乡县街路寨集营铺店楼桥湾洼沟市省区")
# The first given-name character is never one of these.
_HARD_STOP = frozenset("的是在了和与及因于被把对从向为也都就又还已将要会能可等之其某，。、；：！？ ")

def _surname_length(text: str, pos: int) -> int:
    if text[pos:pos + 2] in COMPOUND_SURNAMES:
        return 2
    if pos < len(text) and text[pos] in SURNAMES:
        return 1
    return 0


# Known names ---------------------------------------------------------------------------------

def _char_class(ch: str) -> str:
    """A regex matching ch in its simplified or traditional form."""
    forms = variants(ch)
    return re.escape(ch) if len(forms) == 1 else f"[{forms}]"


def _known_patterns(known_names: Iterable[str]) -> list[tuple[str, float]]:
    patterns: list[tuple[str, float]] = []
    for raw in known_names:
        name = re.sub(r"[\s·•・*_\-.\u200b-\u200f\ufeff]", "", str(raw or ""))
        if len(name) < 2:
            continue
        if not all(is_han(ch) for ch in name):
            words = str(raw).split()
            patterns.append((r"(?i)\b" + r"\s+".join(map(re.escape, words)) + r"\b", 0.95))
            continue
        patterns.append((_NAME_SEP.join(map(_char_class, name)), 0.99))
        sl = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
        surname, given = name[:sl], name[sl:]
        patterns.append(("".join(map(_char_class, surname)) + r"某{1,2}", 0.9))
        if len(given) >= 2:
            patterns.append((_NAME_SEP.join(map(_char_class, given)), 0.85))
    return patterns


def detect_known_names(text: str, known_names: Iterable[str]) -> list[Span]:
    """Every occurrence of a name from the case record, spaced, as X某 or as given name."""
    spans = []
    for pattern, confidence in _known_patterns(known_names):
        for m in re.finditer(pattern, text):
            spans.append(Span(m.start(), m.end(), NAME, m.group(), confidence))
    return spans


# Pattern nets --------------------------------------------------------------------------------

_SURNAME_CLASS = "".join(sorted(SURNAMES))
_MOU = re.compile(
    rf"(?:{'|'.join(sorted(COMPOUND_SURNAMES))}|[{_SURNAME_CLASS}])某某?"
    r"(?!种|些|日|天|年|月|时|处|地|个|位|单|医|公|村|镇|项|次|部|类|方|市|县|省|企|机|工|事|物)"
)
_AMBIGUOUS_SURNAME_WORDS = frozenset(
    ["对于", "由于", "关于", "至于", "等于", "属于", "位于", "处于", "善于", "用于", "终于", "基于", "鉴于", "出于", "过于", "急于", "免于", "趋向", "方向", "面向", "走向", "转向", "导向", "同时", "及时", "当时", "按时", "随时", "有时", "平时", "暂时", "那时", "这时", "此时", "和"]
)
_SPACED = re.compile(
    rf"(?<![{HAN}])([{_SURNAME_CLASS}][{HAN}]?)((?:[ ·_*\-]{{1,2}}[{HAN}]{{1,2}}){{1,2}})(?![{HAN}])"
)
_LABEL_CUE = re.compile(r"(?:姓名|名叫|叫做|叫作|化名|名字(?:是|叫)?|签名|签字)[\s:：是为]*")
_ROLE_CUE = re.compile(
    r"(?:家庭成员|主治医师|主治医生|法定代表人|签字人|审核人|核查人|填表人|证明人|担保人|介绍人|"
    r"报警人|报案人|被害人|受害人|嫌疑人|目击者|驾驶人|死者|伤者|车主|司机|患儿|家长|侄子|侄女|"
    r"外甥|外甥女|医师|参保人|收款人|户名|甲方|乙方|对象|成员|名单|乘车人|乘客|驾驶员|行人|经手人|"
    r"护士长|户主|申请人|患者|病人|病患|联系人|监护人|救助对象|求助人|当事人|受助人|代理人|经办人|村民|"
    r"居民|学生|老人|孩子|儿子|女儿|妻子|丈夫|爱人|老伴|父亲|母亲|爸爸|妈妈|爷爷|奶奶|外公|外婆|"
    r"姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|孙子|孙女|长子|次子|长女|次女|之子|之女|其子|其女|其妻|其夫|"
    r"女婿|儿媳|医生|大夫|护士|老师|班主任|书记|支书|主任|网格员|社工|志愿者|村医|邻居|同事|朋友|"
    r"亲戚|房东|工友|老板|师傅|民警|律师|会计|负责人|委员|组长|队长|干事)[\s:：]*"
)
_CALL_CUE = re.compile(r"叫")


_SEP_CHARS = " ·_*-"
_GLUED_FUNCTION = frozenset("于在是把被将到给向从对")
_WEAK_TAGS = ("p", "c", "u", "d", "m", "q", "r", "f")


def _skip_sep(text: str, i: int) -> int:
    j = i
    while j < len(text) and j - i < 2 and text[j] in _SEP_CHARS:
        j += 1
    return j


def _read_name(text: str, pos: int, tokens: dict[int, tuple[str, str]], strict: bool) -> int:
    """End of a name starting at pos (surname first), or 0.

    With strict, a surname followed by an ordinary word (常年, 高烧, 于今年) is not a name.
    """
    sl = _surname_length(text, pos)
    if not sl:
        return 0
    token = tokens.get(pos)
    if token is not None:
        word, flag = token
        if flag.startswith("nr") and 2 <= len(word) <= 4 and all(map(is_han, word)):
            if word in NAME_ALLOW:
                return 0
            if len(word) > sl:
                return _extend_given(text, pos, pos + len(word), sl, tokens)
        elif strict and len(word) == sl and flag.startswith(_WEAK_TAGS):
            return 0  # 都很关心, 于今年: the "surname" is an adverb or a preposition here
        elif strict and len(word) >= 2 and len(word) != sl:
            tag = _vocab_tag(word)
            # An ordinary word (常年, 高烧) after a role word is not a name; a place-like
            # or unknown one (徐国, 金华) usually is a name jieba did not recognise.
            if tag is not None and not tag.startswith(("nr", "ns", "nz", "nt", "x", "zg")):
                # ...unless one more character closes a three-character name (车主夏天明，).
                if sl == 1 and len(word) == 2 and _closes_name(text, pos + 2):
                    return pos + 3
                return 0
    i = _skip_sep(text, pos + sl)
    if i >= len(text) or not is_han(text[i]) or text[i] in _HARD_STOP:
        return 0
    if strict and (given := tokens.get(i)) is not None and len(given[0]) >= 2:
        tag = _vocab_tag(given[0])
        if tag is not None and (tag.startswith(_WEAK_TAGS) or re.search("[年月日天]", given[0])):
            return 0
    end = i + 1
    j = _skip_sep(text, end)
    if j < len(text) and is_han(text[j]) and text[j] not in NAME_FOLLOWERS:
        nxt = tokens.get(j)
        if nxt is None or len(nxt[0]) < 2 or _vocab_tag(nxt[0]) is None:
            end = j + 1
    if text[pos:end] in NAME_ALLOW:
        return 0
    return end


def _at_boundary(text: str, i: int) -> bool:
    """Whether a name may end right before position i."""
    if i >= len(text) or not is_han(text[i]):
        return True
    return text[i] in NAME_FOLLOWERS or text.startswith(NAME_TITLES, i)


def _closes_name(text: str, i: int) -> bool:
    """Whether text[i] is a given-name character that ends a name."""
    return (i < len(text) and is_han(text[i]) and text[i] not in NAME_FOLLOWERS
            and text[i] not in _HARD_STOP and _at_boundary(text, i + 1))


def _extend_given(text: str, pos: int, end: int, sl: int,
                  tokens: dict[int, tuple[str, str]]) -> int:
    """Grow a name jieba cut short (殷军 / 梓) by one following single-character token."""
    if end - pos - sl != 1:
        return end
    i = _skip_sep(text, end)
    nxt = tokens.get(i)
    if (nxt is not None and len(nxt[0]) == 1 and is_han(nxt[0])
            and nxt[0] not in NAME_FOLLOWERS and nxt[0] not in _HARD_STOP):
        return i + 1
    # jieba glues the last given-name character to a following preposition (韦春 / 来于).
    if (nxt is not None and len(nxt[0]) == 2 and nxt[0][1] in _GLUED_FUNCTION
            and is_han(nxt[0][0]) and nxt[0][0] not in _HARD_STOP):
        return i + 1
    return end


def _cue_names(text: str, tokens: dict[int, tuple[str, str]]) -> list[Span]:
    spans = []
    for cue, strict, confidence in ((_LABEL_CUE, False, 0.85), (_ROLE_CUE, True, 0.75)):
        for m in cue.finditer(text):
            pos = m.end()
            # "联系人：常乐" is a form field: whatever follows the colon is the name, even an
            # ordinary word; "联系人常年…" is prose and gets the strict reading.
            is_field = ":" in m.group() or "：" in m.group()
            end = _read_name(text, pos, tokens, strict and not is_field)
            if end:
                spans.append(Span(pos, end, NAME, text[pos:end], confidence))
    for m in _CALL_CUE.finditer(text):
        token = tokens.get(m.end())
        if token and token[1].startswith("nr") and _looks_like_name(token[0], ""):
            pos = m.end()
            spans.append(Span(pos, pos + len(token[0]), NAME, token[0], 0.7))
    return spans


def _mou_names(text: str) -> list[Span]:
    spans = []
    for m in _MOU.finditer(text):
        start = m.start()
        if start > 0 and text[start - 1:start + 1] in _AMBIGUOUS_SURNAME_WORDS:
            continue
        spans.append(Span(start, m.end(), NAME, m.group(), 0.8))
    return spans


def _spaced_names(text: str) -> list[Span]:
    spans = []
    for m in _SPACED.finditer(text):
        chars = [ch for ch in m.group() if is_han(ch)]
        while chars and chars[-1] in NAME_FOLLOWERS:
            chars.pop()
        if not 2 <= len(chars) <= 3:
            continue
        end = m.start()
        seen = 0
        for i, ch in enumerate(m.group()):
            if is_han(ch):
                seen += 1
                if seen == len(chars):
                    end = m.start() + i + 1
                    break
        spans.append(Span(m.start(), end, NAME, text[m.start():end], 0.7))
    return spans


# A preposition-like surname (于, 向, 和 …) followed by a demonstrative or time word starts a
# phrase (于本周, 向今年), not a name.
_PREPOSITION_SURNAMES = frozenset("于向和时常经由将")
# Surname characters that also close a noun as a suffix (肇事方 "the party at fault").
PARTY_SUFFIXES = frozenset("方")
_PHRASE_SECOND = frozenset("本今明昨当该此这那次上下去前后每其全各")


_AREA_INSIDE = re.compile("|".join(sorted((re.escape(a) for a in ADMIN_AREAS if len(a) >= 2),
                                          key=len, reverse=True)))
_AREA_START = re.compile("|".join(sorted((re.escape(a) for a in ADMIN_AREAS if len(a) >= 3),
                                         key=len, reverse=True)))


def _inner_place_or_phrase(word: str) -> bool:
    if word[0] in _PREPOSITION_SURNAMES and len(word) > 1 and word[1] in _PHRASE_SECOND:
        return True
    return _AREA_INSIDE.search(word, 1) is not None


def _looks_like_name(word: str, following: str) -> bool:
    if not 2 <= len(word) <= 4 or not all(map(is_han, word)):
        return False
    if word in NAME_ALLOW or word in ADMIN_AREAS or word[1:] in NAME_ALLOW:
        return False
    if word in JIEBA_NR_COMMON_WORDS or _inner_place_or_phrase(word):
        return False
    sl = _surname_length(word, 0)
    if not sl or any(ch in _PLACE_CHARS for ch in word[1:]):
        return False
    if len(word) == 4 and sl == 1:
        return False  # four characters with a one-character surname: an idiom (由东向西)
    if len(word) == 2 and word[1] in ADDRESS_TERMS:
        return False  # 王哥, 李姐: a form of address, not a name
    return not following.startswith(_ORG_NEXT) and (not following or following[0] not in _PLACE_NEXT)


def _surname_ends_word(text: str, pos: int) -> bool:
    """Whether the "surname" at ``pos`` is really the last character of the word before it
    (肇事方 / 院方 / 对方 + 无力…), so what follows is no name."""
    for k in (2, 1):
        if pos - k >= 0:
            word = text[pos - k:pos + 1]
            if all(map(is_han, word)) and _token_is_word(word):
                return True
    return False


def _tagger_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    spans = []
    tokens = {pos: (word, flag) for pos, word, flag in tagged}
    i = 0
    while i < len(tagged):
        pos, word, flag = tagged[i]
        if not flag.startswith("nr"):
            i += 1
            continue
        j = i + 1
        # jieba often splits a name into nr pieces: 陈 / 美玲.
        while (j < len(tagged) and tagged[j][2].startswith("nr")
               and len(word) + len(tagged[j][1]) <= 4 and len(word) == 1):
            word += tagged[j][1]
            j += 1
        following = text[pos + len(word):pos + len(word) + 2]
        if _looks_like_name(word, following) and not _surname_ends_word(text, pos):
            end = _extend_given(text, pos, pos + len(word), _surname_length(word, 0), tokens)
            spans.append(Span(pos, end, NAME, text[pos:end], 0.6))
        i = j
    return spans


_WEAK_NAME_TAGS = ("p", "c", "u", "d", "m", "f", "q", "r", "t", "v", "y", "e", "o")


def _token_is_word(word: str) -> bool:
    """Whether jieba knows word as an ordinary (not name-like) word."""
    tag = _vocab_tag(word)
    return tag is not None and tag.startswith(_WEAK_NAME_TAGS)


def _name_candidate(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] can be a Han name: surname first, two to four ideographs."""
    if start < 0 or end > len(text) or not 2 <= end - start <= 4:
        return False
    word = text[start:end]
    sl = _surname_length(word, 0)
    if not sl or (len(word) == 4 and sl == 1) or len(word) <= sl:
        return False
    given = word[sl:]
    if (given[0] in _HARD_STOP or given[0] in NAME_FOLLOWERS or not all(map(is_han, word))
            or any(ch in _PLACE_CHARS for ch in given)):
        return False
    if len(word) == 2 and word[1] in ADDRESS_TERMS:
        return False
    if word in NAME_ALLOW or word in ADMIN_AREAS or word in JIEBA_NR_COMMON_WORDS:
        return False
    return not (_inner_place_or_phrase(word) or _AREA_START.match(text, start))


def _title_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    """Names written right before a title (王建国同志, 司马红英大娘, 丁文静护士): the
    longest run of one or two whole tokens before the title that reads as a name."""
    spans = []
    for k, (pos, word, _flag) in enumerate(tagged):
        if not text.startswith(NAME_TITLES, pos) or k == 0:
            continue
        for n in (2, 1):
            if k - n < 0:
                continue
            parts = tagged[k - n:k]
            start = parts[0][0]
            if not _name_candidate(text, start, pos):
                continue
            if any(w in NAME_ALLOW or (len(w) > 1 and not w.startswith(tuple(SURNAMES))
                                       and _token_is_word(w) and not f.startswith("nr"))
                   for _, w, f in parts):
                continue
            spans.append(Span(start, pos, NAME, text[start:pos], 0.7))
            break
    return spans


def _split_names(text: str, tagged: list[tuple[int, str, str]]) -> list[Span]:
    """Names jieba cut into a lone surname and an ordinary word (刘 / 玉山, 段 / 国庆):
    a surname standing as a token of its own, one or two given-name characters, then the
    end of the name (punctuation, a title, a verb or another multi-character word)."""
    spans = []
    for k in range(len(tagged) - 1):
        pos, word, flag = tagged[k]
        if not (len(word) == 1 and word in SURNAMES or word in COMPOUND_SURNAMES):
            continue
        if flag.startswith(("p", "c", "u", "d", "m", "f")):
            continue  # 于 / 和 / 向 used as a preposition or a conjunction
        if k > 0 and tagged[k - 1][2].startswith("m") and is_han(tagged[k - 1][1][-1]):
            continue  # 一段, 三马: a measure word after a numeral
        if word in PARTY_SUFFIXES and k > 0 and tagged[k - 1][0] + len(tagged[k - 1][1]) == pos \
                and is_han(tagged[k - 1][1][-1]):
            continue  # 肇事方 / 医院方 / 用人单位方: 方 closes the word before it ("party")
        gpos, given, gflag = tagged[k + 1]
        end = gpos + len(given)
        if gpos != pos + len(word) or not 1 <= len(given) <= 2:
            continue
        if (gflag.startswith(("p", "c", "u", "m", "x")) or gflag == "v"
                or not _name_candidate(text, pos, end)):
            continue
        if not _at_boundary(text, end) and not (
                k + 2 < len(tagged) and len(tagged[k + 2][1]) >= 2):
            continue
        spans.append(Span(pos, end, NAME, text[pos:end], 0.65))
    # ...or into a two-character place-like or unknown word and a lone character
    # (樊建 / 伟, 黎梓 / 涵).
    for k in range(len(tagged) - 1):
        pos, word, flag = tagged[k]
        if len(word) != 2 or word[0] not in SURNAMES:
            continue
        if not (flag.startswith(("ns", "nz", "nr")) or _vocab_tag(word) is None):
            continue
        gpos, given, gflag = tagged[k + 1]
        end = gpos + 1
        if (gpos != pos + 2 or len(given) != 1 or given in _PLACE_NEXT
                or given in NAME_FOLLOWERS or given in _HARD_STOP
                or gflag.startswith(_WEAK_NAME_TAGS) or not _name_candidate(text, pos, end)):
            continue
        if _at_boundary(text, end) or (k + 2 < len(tagged) and len(tagged[k + 2][1]) >= 2):
            spans.append(Span(pos, end, NAME, text[pos:end], 0.6))
    return spans


_TRANSLIT = frozenset(
    "阿艾爱安奥巴拜贝比波布卜查达丹得德迪丁都杜多尔法菲弗福盖甘戈格古哈海汗罕合赫胡吉加贾杰金"
    "卡凯坎克库拉莱兰勒雷里力丽利莉林琳玛马买迈麦曼毛梅米敏明莫姆木穆娜纳奈南尼妮努诺帕佩皮普"
    "奇恰乔切热日瑞萨塞赛桑沙莎尚舍什斯苏索塔泰坦特提图吐托瓦娃万维温沃乌西希夏辛逊雅亚耶伊依"
    "尤于扎泽詹卓孜祖则再尕喀江夫娅不"
)
def _dotted_names(text: str) -> list[Span]:
    """Transliterated names written with a middle dot (阿卜杜·热合曼, 古丽娜尔·吐尔逊):
    every part made of transliteration characters, cut where the prose starts."""
    spans = []
    pos = 0
    while (dot := text.find("·", pos)) >= 0:
        # The run around the dot(s), looking at most a name's length either way.
        left = dot
        while left > 0 and dot - left < 6 and is_han(text[left - 1]):
            left -= 1
        right = dot
        while right < len(text) and text[right] == "·":
            seg = right + 1
            while seg < len(text) and seg - right <= 8 and is_han(text[seg]):
                seg += 1
            if seg == right + 1:
                break
            right = seg
        pos = max(right, dot + 1)
        if right == dot:
            continue
        m_start, group = left, text[left:right]
        parts = group.split("·")
        first, last = parts[0], parts[-1]
        head = len(first)
        while head > 0 and first[head - 1] in _TRANSLIT and len(first) - head < 6:
            head -= 1
        tail = 0
        while tail < len(last) and last[tail] in _TRANSLIT and tail < 8:
            tail += 1
        middle_ok = all(p and all(ch in _TRANSLIT for ch in p) for p in parts[1:-1])
        if len(first) - head < 2 or tail < 2 or not middle_ok:
            continue
        start = m_start + head
        end = m_start + len(group) - (len(last) - tail)
        spans.append(Span(start, end, NAME, text[start:end], 0.75))
    return spans


_LIST_SEP = re.compile(r"[、/]|和|与|及")


def _listed_names(text: str, spans: list[Span],
                  tokens: dict[int, tuple[str, str]]) -> list[Span]:
    """Names next to a found name in an enumeration (赵欣悦、钱浩宇、孙嘉怡, 陶然与江雪)."""

    def ends_here(b: int) -> bool:
        nxt = tokens.get(b)
        return _at_boundary(text, b) or (nxt is not None and len(nxt[0]) >= 2)

    found = {(s.start, s.end) for s in spans}
    out = []
    queue = sorted(found)
    while queue:
        start, end = queue.pop()
        nxt = _LIST_SEP.match(text, end)
        if nxt:
            for size in (4, 3, 2):
                a, b = nxt.end(), nxt.end() + size
                if (_name_candidate(text, a, b) and ends_here(b)
                        and (size < 4 or text[a:a + 2] in COMPOUND_SURNAMES)):
                    if (a, b) not in found:
                        found.add((a, b))
                        queue.append((a, b))
                        out.append(Span(a, b, NAME, text[a:b], 0.6))
                    break
        if start > 0 and text[start - 1] == "、":
            for size in (3, 2):
                a, b = start - 1 - size, start - 1
                if a >= 0 and _name_candidate(text, a, b) and (a, b) not in found:
                    found.add((a, b))
                    queue.append((a, b))
                    out.append(Span(a, b, NAME, text[a:b], 0.6))
                    break
    return out


def detect_names(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """Person names: known ones, cue- and pattern-introduced ones, and jieba's nr tokens."""
    spans = detect_known_names(text, known_names)
    spans += _mou_names(text) + _spaced_names(text)
    if any(is_han(ch) for ch in text):
        jieba_text = text.replace(MASK, " ")
        tagged = _tag(jieba_text)
        tokens = {pos: (word, flag) for pos, word, flag in tagged}
        spans += _cue_names(text, tokens)
        spans += _tagger_names(text, tagged)
        spans += _title_names(text, tagged)
        spans += _split_names(text, tagged)
        spans += _dotted_names(text)
        spans += _listed_names(text, spans, tokens)
    else:
        spans += _cue_names(text, {})
    return spans

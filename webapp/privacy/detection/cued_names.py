"""Name detectors driven by cues and patterns rather than by jieba's name tags.

Names introduced by a label (姓名：…) or a role word (患者…, 母亲…) or after 叫; surname +
某 or 某某; names with spaces or marks between the characters; transliterated names joined by
a middle dot (阿卜杜·热合曼); and names listed next to a name already found (赵欣悦、钱浩宇).
Pure Python, no Flask imports.
"""

from __future__ import annotations

import re

from webapp.privacy.detection.lexicon import COMPOUND_SURNAMES, NAME_ALLOW, NAME_FOLLOWERS, SURNAMES
from webapp.privacy.detection.name_shape import (
    _HARD_STOP,
    _at_boundary,
    _closes_name,
    _extend_given,
    _looks_like_name,
    _name_candidate,
    _skip_sep,
    _surname_length,
)
from webapp.privacy.detection.spans import HAN, NAME, Span, is_han
from webapp.privacy.detection.tagging import vocab_tag as _vocab_tag

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


_WEAK_TAGS = ("p", "c", "u", "d", "m", "q", "r", "f")


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

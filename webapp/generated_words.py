"""Words the system wrote and stored, shown in the reader's language.

A published need card stores its general words in Chinese (the household situation
"家中有重病患者、未成年子女；低保家庭", the age band "40-49岁", the household size "2-3人"):
they are the words anonymisation compared and the reviewer approved. They come from a small
fixed vocabulary (webapp.privacy.publishing.card), so they are read back word by word here;
anything outside it (a card stored by an older version) is shown as stored.
Timeline notes are keyed messages (webapp.services.cases.notes).
"""
from __future__ import annotations

import re
from types import SimpleNamespace

from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.services.cases import notes
from webapp.templating import list_sep

#: The card's vocabulary (webapp.privacy.publishing.card), listed here so that the catalogue
#: script extracts it; tests/webapp/test_generated_words.py checks it is complete.
HOUSEHOLD_WORDS = ("重病患者", "残疾人", "未成年子女", "老年人", "低保家庭", "特困供养人员",
                   "家庭遭遇突发困难")
BAND_WORDS = ("未成年", "60岁以上", "6人及以上")
_HAS_MEMBERS = "家中有"
#: What a generated title is made of (card.EVENT_WORDS, the causes of card.CATEGORIES and the
#: needs of card._NEEDS), for the catalogue; the test checks it against the card module.
TITLE_WORDS = ("再生障碍性贫血", "先天性心脏病", "白血病", "尿毒症", "恶性肿瘤", "脑出血", "肺癌",
               "乳腺癌", "脑梗死", "肝硬化", "交通事故", "火灾", "暴雨", "洪水", "地震", "冰雹",
               "意外受伤", "工伤", "辍学", "重大疾病", "意外事故", "自然灾害", "子女就学困难",
               "基本生活困难", "住房困难", "突发困难",
               "急需医疗费用", "急需治疗和生活费用", "急需生活救助", "急需基本生活物资", "急需助学帮扶",
               "急需基本生活救助", "急需住房救助", "急需临时救助")
_APPLICANT = "申请人"
_NEED = re.compile(r"(急需\w+?)(?:([\d,]+(?:\.\d+)?)元)?")
_AGE = re.compile(r"(\d+-\d+)岁")
_SIZE = re.compile(r"(\d+(?:-\d+)?)人")


def household_text(stored: str | None) -> str:
    """'家中有重病患者、未成年子女；低保家庭' → 'Household with a seriously ill member, …'."""
    if not stored:
        return ""
    parts = []
    for part in stored.split("；"):
        if part.startswith(_HAS_MEMBERS):
            members = part[len(_HAS_MEMBERS):].split("、")
            if not all(m in HOUSEHOLD_WORDS for m in members):
                return stored
            parts.append(_("家中有%(members)s", members=list_sep().join(_(m) for m in members)))
        elif part in HOUSEHOLD_WORDS:
            parts.append(_(part))
        else:
            return stored
    return ("；" if str(get_locale()).startswith("zh") else "; ").join(parts)


def band_text(stored: str | None) -> str:
    """An age band ('40-49岁', '未成年') or household-size band ('2-3人') as the reader reads it."""
    if not stored:
        return ""
    if stored in BAND_WORDS:
        return _(stored)
    if age := _AGE.fullmatch(stored):
        return _("%(band)s岁", band=age.group(1))
    if size := _SIZE.fullmatch(stored):
        return _("%(n)s 人", n=size.group(1))
    return stored


def event_note(event) -> str:
    """A case event's note in the reader's language (typed text as typed)."""
    return notes.render(event.note_key, event.note_params, event.note)


def need_title(need) -> str:
    """A need card's title: an officer's title as written; a generated one
    ('白血病，申请人40-49岁，家中有未成年子女，急需医疗费用'; titles published before titles
    named no amount end with one, e.g. '…急需医疗费用50,000元') read back part by part in
    the reader's language, or as stored when a part is not one the card module writes."""
    title = need.title or ""
    if getattr(need, "title_edited", False) or str(get_locale()).startswith("zh"):
        return title
    *heads, last = title.split("，")
    wanted = _NEED.fullmatch(last)
    if not heads or wanted is None or wanted.group(1) not in TITLE_WORDS \
            or heads[0] not in TITLE_WORDS:
        return title
    parts = [_(heads[0])]
    for head in heads[1:]:
        words = (band_text(head[len(_APPLICANT):]) if head.startswith(_APPLICANT)
                 else household_text(head))
        if words == head or words == head[len(_APPLICANT):]:
            return title
        parts.append(_("申请人%(band)s", band=words) if head.startswith(_APPLICANT) else words)
    need_words = _(wanted.group(1))
    if wanted.group(2):
        need_words = _("%(need)s %(amount)s 元", need=need_words, amount=wanted.group(2))
    parts.append(need_words)
    return "; ".join(parts)


#: The inbox messages the services write (webapp/services/cases/notifications.py and its
#: callers), as msgids; a stored message of one of these shapes is read in the reader's
#: language, any other as stored. tests/webapp/test_generated_words.py walks each writer.
NOTICE_MESSAGES = (
    "「%(listing)s」有一项新的匹配待您确认",
    "需求 %(need)s「%(title)s」：%(value)s %(unit)s。请在「资源对接」中接受或婉拒。",
    "需求 %(need)s 的匹配建议 #%(id)s已被资源方接受",
    "需求 %(need)s 的匹配建议 #%(id)s被资源方婉拒",
    "需求 %(need)s 的匹配 #%(id)s 已取消：%(reason)s",
    "无需再对接该需求。",
    "督办单 #%(id)s（%(number)s）已答复",
    "督办单 #%(id)s（%(number)s）已办结",
    "【%(level)s】督办单 #%(id)s：个案 %(number)s",
    "请于 %(due)s 前答复。%(text)s",
    "个案 %(number)s 的「%(step)s」已超期",
    "应于 %(due)s 前完成。",
    "新的转办个案 %(number)s",
    "个案 %(number)s 已收到部门答复",
    "个案 %(number)s 已移交给您承办",
    "个案 %(number)s 已提交联席会议",
    "个案 %(number)s %(decision)s",
    "复核申请：个案 %(number)s",
    "新线索 %(number)s",
    "请于 %(due)s 前首次联系。",
    "您报告的线索 %(number)s：%(outcome)s",
)
_WORD = {"need", "id", "number", "due", "value"}   # values without spaces
_LABELS = {"unit", "level", "step", "decision", "outcome", "reason"}  # words from label tables
_PLACEHOLDER = re.compile(r"%\\\(([a-z]+)\\\)s")


def _shape(message: str) -> re.Pattern[str]:
    return re.compile(_PLACEHOLDER.sub(
        lambda m: f"(?P<{m.group(1)}>\\S+?)" if m.group(1) in _WORD else f"(?P<{m.group(1)}>.*?)",
        re.escape(message)), re.DOTALL)


_NOTICE_SHAPES = [(message, _shape(message)) for message in NOTICE_MESSAGES]


def notice_text(stored: str | None) -> str:
    """An inbox message's title or body in the reader's language (typed parts as typed)."""
    if not stored or str(get_locale()).startswith("zh"):
        return stored or ""
    for message, shape in _NOTICE_SHAPES:
        found = shape.fullmatch(stored)
        if found is None:
            continue
        values = found.groupdict()
        for key in _LABELS & values.keys():
            values[key] = _(values[key]) if values[key] else ""
        if "title" in values:
            values["title"] = need_title(SimpleNamespace(title=values["title"]))
        if "decision" in values and values["decision"] == found.group("decision"):
            continue  # "个案 N <anything>" is only a decision when the words are one
        return _(message, **values)
    return stored

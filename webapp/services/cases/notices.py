"""Inbox messages the system writes, kept as a message key and its values (like the timeline
notes of webapp.services.cases.notes) so that each reader reads them in their own language.

A notification stores the Chinese text in ``title``/``body`` (what e-mail sends, and what rows
written before the keys show) and the keys and values in ``words``. A value that is a need's
title is kept as the need's own words (:func:`need_title`), so that it too is shown in the
reader's language; typed text (a listing's title, a reason, a reply) is kept as typed.
"""
from __future__ import annotations

from typing import Any

#: Message for each key.
NOTICES = {
    "match_approved": "「%(listing)s」有一项新的匹配待您确认",
    "match_approved_body": "需求 %(need)s「%(title)s」：%(value)s %(unit)s。请在「资源对接」中接受或婉拒。",
    "match_accepted": "需求 %(need)s 的匹配建议 #%(id)s已被资源方接受",
    "match_declined": "需求 %(need)s 的匹配建议 #%(id)s被资源方婉拒",
    "match_cancelled": "需求 %(need)s 的匹配 #%(id)s 已取消：%(reason)s",
    "match_cancelled_body": "无需再对接该需求。",
    "order_replied": "督办单 #%(id)s（%(number)s）已答复",
    "order_closed": "督办单 #%(id)s（%(number)s）已办结",
    "order_issued": "【%(level)s】督办单 #%(id)s：个案 %(number)s",
    "order_issued_lead": "【%(level)s】督办单 #%(id)s：线索 %(number)s",
    "order_issued_body": "请于 %(due)s 前答复。%(text)s",
    "overdue": "个案 %(number)s 的「%(step)s」已超期",
    "overdue_body": "应于 %(due)s 前完成。",
    "transfer": "新的转办个案 %(number)s",
    "transfer_body": "请于 %(due)s 前答复。",
    "transfer_answer": "个案 %(number)s 已收到部门答复",
    "handover": "个案 %(number)s 已移交给您承办",
    "escalated": "个案 %(number)s 已提交联席会议",
    "decision": "个案 %(number)s %(decision)s",
    "appeal": "复核申请：个案 %(number)s",
    "lead": "新线索 %(number)s",
    "lead_body": "请于 %(due)s 前首次联系。",
    "lead_resolved": "您报告的线索 %(number)s：%(outcome)s",
}
#: Values that are typed text or names, shown as they are (never looked up in the catalogue).
TYPED = frozenset({"listing", "reason", "text", "number", "need", "id", "due", "value"})
TITLE_LIMIT = 40


class Notice:
    """One keyed message: ``str()`` is the Chinese text that is stored; ``words`` what is kept
    to show it again in another language."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any) -> None:
        if key not in NOTICES:
            raise KeyError(key)
        self.key, self.params = key, params

    def chinese(self) -> str:
        return NOTICES[self.key] % {k: _chinese(v) for k, v in self.params.items()}

    @property
    def words(self) -> dict[str, Any]:
        return {"key": self.key, "params": self.params}


def need_title(need: Any) -> dict[str, Any]:
    """A need's title as a value of a message: its generated words, or its typed title."""
    return {"need_title": need.title[:TITLE_LIMIT], "words": need.words}


def _chinese(value: Any) -> Any:
    if isinstance(value, dict) and "need_title" in value:
        return value["need_title"]
    return value


def render(words: dict[str, Any] | None, stored: str) -> str:
    """The message in the reader's language, or ``stored`` when it has no (known) key.
    Labels among the values (a step, a level, a decision) are translated, typed text not."""
    if not isinstance(words, dict) or words.get("key") not in NOTICES:
        return stored or ""
    from flask_babel import get_locale, gettext

    from webapp import generated_words
    values: dict[str, Any] = {}
    for name, value in (words.get("params") or {}).items():
        if isinstance(value, dict) and "need_title" in value:
            # as short as the Chinese one: 40 characters, or about as many words in English
            value = generated_words.title_from(value.get("words"), value["need_title"])
            limit = TITLE_LIMIT if str(get_locale()).startswith("zh") else TITLE_LIMIT * 3
            value = value if len(value) <= limit else value[:limit - 1] + "…"
        elif name not in TYPED and isinstance(value, str) and value:
            value = gettext(value)
        values[name] = value
    try:
        return str(gettext(NOTICES[words["key"]], **values))
    except (KeyError, TypeError, ValueError):  # a row whose values do not fit its message
        return stored or ""

"""Words the system wrote, shown in the reader's language from what they were made of.

A published need card stores its general words in Chinese (the title
"白血病，申请人40-49岁，家中有未成年子女，急需医疗费用", the household situation, the age band):
they are the words anonymisation compared and the reviewer approved. It also stores what they
were generated from as codes (``NeedCard.words``: webapp.privacy.publishing.card.card_words),
and the functions here write them again from those codes in the reader's language. A title an
officer typed is shown as typed; a card without codes as stored.
Timeline notes and inbox messages are keyed messages (webapp.services.cases.notes, .notices).
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.privacy.publishing import card as card_words
from webapp.services.cases import notes, notices
from webapp.templating import list_sep

#: The card's vocabulary (webapp.privacy.publishing.card: the events, causes and needs of a
#: title, the household words), written out here so that the catalogue script extracts it
#: (it skips webapp/privacy); tests/webapp/test_generated_words.py checks it is complete.
CARD_WORDS = ("再生障碍性贫血", "先天性心脏病", "白血病", "尿毒症", "恶性肿瘤", "脑出血", "肺癌",
              "乳腺癌", "脑梗死", "肝硬化", "交通事故", "火灾", "暴雨", "洪水", "地震", "冰雹",
              "意外受伤", "工伤", "辍学", "重大疾病", "意外事故", "自然灾害", "子女就学困难",
              "基本生活困难", "住房困难", "突发困难",
              "急需医疗费用", "急需治疗和生活费用", "急需生活救助", "急需基本生活物资",
              "急需助学帮扶", "急需基本生活救助", "急需住房救助", "急需临时救助",
              "重病患者", "残疾人", "未成年子女", "老年人", "低保家庭", "特困供养人员",
              "家庭遭遇突发困难", "未成年", "60岁以上", "6人及以上")


def _chinese() -> bool:
    return str(get_locale()).startswith("zh")


def _words(item: Any) -> dict[str, Any] | None:
    """The codes of a stored need card, or of a card under review (an AnonymizedCard)."""
    if isinstance(item, card_words.AnonymizedCard):
        return card_words.card_words(item)
    words = getattr(item, "words", None)
    return words if isinstance(words, dict) else None


def _household(flags: list[str]) -> str:
    if _chinese():
        return card_words.household_situation(flags)
    members = [_(word) for flag, word in card_words._MEMBERS.items() if flag in flags]
    parts = [_("家中有%(members)s", members=list_sep().join(members))] if members else []
    parts += [_(word) for flag, word in card_words._STATUS.items() if flag in flags]
    return "; ".join(parts) if parts else _(card_words.NO_SITUATION)


def _age(code: str) -> str:
    if code == card_words.MINOR_RANGE:
        return _(card_words.MINOR_BAND)
    if code == card_words.ELDERLY_RANGE:
        return _(card_words.ELDERLY_BAND)
    return _("%(band)s岁", band=code)


def household_text(item: Any) -> str:
    """A card's household situation ('家中有重病患者；低保家庭') as the reader reads it."""
    words = _words(item)
    if words is None or words.get("flags") is None:
        return getattr(item, "household", None) or ""
    return _household(words["flags"])


def band_text(item: Any) -> str:
    """A card's age band ('40-49岁', '未成年') as the reader reads it."""
    words = _words(item)
    if words is None or not words.get("age"):
        return getattr(item, "age_band", None) or ""
    return _age(words["age"])


def size_text(item: Any) -> str:
    """A card's household-size band ('2-3人', '6人及以上') as the reader reads it."""
    words = _words(item)
    if words is None or not words.get("size"):
        return getattr(item, "household_size_band", None) or ""
    code = words["size"]
    return _("6人及以上") if code == "6+" else _("%(n)s 人", n=code)


def title_from(words: dict[str, Any] | None, stored: str) -> str:
    """A generated title written again from its codes in the reader's language; ``stored``
    when it was not generated (typed by an officer) or has no codes."""
    if not isinstance(words, dict) or words.get("title") not in ("full", "short"):
        return stored or ""
    if _chinese():
        return card_words.title_of_words(words) or stored or ""
    category = words.get("category") or "other"
    cause = card_words.CATEGORIES.get(category, card_words.CATEGORIES["other"])[1]
    need = card_words._NEEDS.get(category, card_words._NEEDS["other"])
    if words["title"] == "short":
        return "; ".join((_(cause), _(need)))
    parts = [_(card_words.EVENTS.get(words.get("event") or "", cause))]
    if words.get("age"):
        parts.append(_("申请人%(band)s", band=_age(words["age"])))
    flags = words.get("flags")
    if flags is not None and set(flags) & set(card_words.FLAGS):
        parts.append(_household(flags))
    if words.get("amount"):  # a title published before titles named no amount
        parts.append(_("%(need)s %(amount)s 元", need=_(need), amount=words["amount"]))
    else:
        parts.append(_(need))
    return "; ".join(parts)


def need_title(need: Any) -> str:
    """A need card's title: an officer's title as written, a generated one in the reader's
    language."""
    if getattr(need, "title_edited", False):
        return need.title or ""
    return title_from(_words(need), need.title)


def event_note(event) -> str:
    """A case event's note in the reader's language (typed text as typed)."""
    return notes.render(event.note_key, event.note_params, event.note)


def notice_title(notification) -> str:
    """An inbox message's title in the reader's language (typed parts as typed)."""
    return notices.render((notification.words or {}).get("title"), notification.title)


def notice_body(notification) -> str:
    """An inbox message's body in the reader's language (typed text as typed)."""
    return notices.render((notification.words or {}).get("body"), notification.body)

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

from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.services.cases import notes

#: The card's vocabulary (webapp.privacy.publishing.card), listed here so that the catalogue
#: script extracts it; tests/webapp/test_generated_words.py checks it is complete.
HOUSEHOLD_WORDS = ("重病患者", "残疾人", "未成年子女", "老年人", "低保家庭", "特困供养人员",
                   "家庭遭遇突发困难")
BAND_WORDS = ("未成年", "60岁以上", "6人及以上")
_HAS_MEMBERS = "家中有"
_AGE = re.compile(r"(\d+-\d+)岁")
_SIZE = re.compile(r"(\d+(?:-\d+)?)人")


def household_text(stored: str | None) -> str:
    """'家中有重病患者、未成年子女；低保家庭' → 'Household with a seriously ill member, …'."""
    if not stored:
        return ""
    from webapp.templating import list_sep
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

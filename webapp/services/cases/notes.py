"""Timeline notes the system writes (先行救助 500 元, 转办至县医保局：…), kept as a message key
and its values so that each reader sees them in their own language.

A case event stores ``note_key`` and ``note_params``; its ``note`` column keeps only what a
person typed (a reason, an answer), which is shown as typed and is what retention erases.
Rows written before the key existed have no key: their ``note`` is shown as stored.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import get_locale

from webapp.services import Msg

#: Message for each key; ``%(text)s`` is the typed part kept in the event's ``note``.
NOTES = {
    "refused": "%(text)s；已转介：%(referred)s",
    "emergency_aid": "先行救助 %(amount)s 元",
    "approved": "批准救助 %(amount)s 元",
    "approved_under_scheme": "批准救助 %(amount)s 元，其中「%(scheme)s」救助 %(scheme_amount)s 元",
    "transferred": "转办至%(departments)s：%(text)s",
    "transfer_answered": "%(department)s答复：%(text)s",
    "handed_over": "移交给 %(owner)s",
    "handed_over_note": "移交给 %(owner)s：%(text)s",
    "appeal_by_applicant": "申请人申请复核",
    "appeal_by_window": "窗口代为申请复核",
    "order_issued": "督办单 #%(order)s 发往%(recipient)s，请于 %(due)s 前答复：%(text)s",
    "order_replied": "督办单 #%(order)s 答复：%(text)s",
    "order_closed": "督办单 #%(order)s 办结",
    "order_escalated": "督办单 #%(order)s 逾期 %(days)s 个工作日未答复，由“%(before)s”升级为“%(after)s”",
}


def render(key: str | None, params: dict[str, Any] | None, text: str) -> str:
    """The note as the reader reads it: the keyed message in their language, with the typed
    text in it; without a (known) key, the stored text as it is."""
    message = NOTES.get(key or "")
    if message is None:
        return text or ""
    values: dict[str, Any] = {k: _joined(v) if isinstance(v, list) else v
                              for k, v in (params or {}).items()}
    values["text"] = text or ""
    try:
        return str(Msg(message, **values))
    except (KeyError, TypeError, ValueError):  # a row whose values do not fit its message
        return text or ""


def _joined(values: list[Any]) -> str:
    """Names in a list (the departments of a transfer), as the reader's language joins them."""
    chinese = True
    if has_request_context():
        chinese = str(get_locale()).startswith("zh")
    return ("、" if chinese else ", ").join(str(v) for v in values)

"""Use cases as plain functions: they flush, never commit, and never read the request."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import has_request_context
from flask_babel import get_locale, gettext


def _translated(message: str, params: dict[str, Any]) -> str:
    """The message in the reader's language while a request is being answered (the web
    pages and the API), the Chinese original elsewhere (the command line, the workers).

    Messages are msgids: pybabel extracts the first argument of every ``DomainError(...)``
    and its subclasses (keywords in webapp/translations/catalog.py); a message with values
    names them, ``DomainError("金额不能超过 %(max)s 元", max=…)``; a value that is a label
    (一个状态、一个操作) is translated too, a value not in the catalogue stays as it is."""
    if has_request_context():
        if not params:
            return str(gettext(message))
        sep = "；" if str(get_locale()).startswith("zh") else "; "
        return str(gettext(message, **{k: _param(v, sep, gettext) for k, v in params.items()}))
    return message % {k: _param(v, "；", None) for k, v in params.items()} if params else message


def _param(value: Any, sep: str, gettext: Any) -> Any:
    """A value for a placeholder: a label translated, a ``Msg`` (or a list of them, joined)
    in the reader's language."""
    if isinstance(value, Msg):
        return str(value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Msg) for v in value):
        return sep.join(str(v) for v in value)
    if gettext is not None and isinstance(value, str) and value:
        return gettext(value)
    return value


class Msg:
    """A message with values for a field of ``DomainError(errors=...)``, translated when it
    is shown: ``Msg("%(field)s不是有效的金额", field=FIELD_LABELS[name])`` (extracted like
    the errors' own messages)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return _translated(self.msgid, self.params)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return isinstance(other, str) and str(self) == other

    def __hash__(self) -> int:
        return hash(self.msgid)


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None,
                 errors: Mapping[str, Sequence[str | Msg]] | None = None,
                 **params: Any):
        super().__init__(message % {k: _param(v, "；", None) for k, v in params.items()}
                         if params else message)
        self.msgid = message
        self.params = params
        self.field = field
        self._errors = errors

    @property
    def message(self) -> str:
        return _translated(self.msgid, self.params)

    @property
    def errors(self) -> dict[str, list[str]]:
        if self._errors:
            return {name: [_translated(m, {}) if isinstance(m, str)
                           else str(m) if isinstance(m, Msg) else m for m in messages]
                    for name, messages in self._errors.items()}
        return {self.field: [self.message]} if self.field else {}


class NotFoundError(DomainError):
    status = 404


class PermissionDeniedError(DomainError):
    status = 403


class ConflictError(DomainError):
    """The operation does not fit the current state (an illegal transition, a double approval)."""

    status = 409

"""Use cases as plain functions: they flush, never commit, and never read the request."""
from __future__ import annotations

from typing import Any


def _translated(message: str, params: dict[str, Any]) -> str:
    """The message in the reader's language while a request is being answered (the web
    pages and the API), the Chinese original elsewhere (the command line, the workers).

    Messages are msgids: pybabel extracts the first argument of every ``DomainError(...)``
    and its subclasses (keywords in webapp/translations/catalog.py); a message with values
    names them, ``DomainError("金额不能超过 %(max)s 元", max=…)``; a value that is a label
    (一个状态、一个操作) is translated too, a value not in the catalogue stays as it is."""
    from flask import has_request_context
    if has_request_context():
        from flask_babel import gettext
        if not params:
            return str(gettext(message))
        return str(gettext(message, **{k: gettext(v) if isinstance(v, str) and v else v
                                       for k, v in params.items()}))
    return message % params if params else message


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None,
                 errors: dict[str, list[str]] | None = None, **params: Any):
        super().__init__(message % params if params else message)
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
            return {name: [_translated(m, {}) if isinstance(m, str) else m for m in messages]
                    for name, messages in self._errors.items()}
        return {self.field: [self.message]} if self.field else {}


class NotFoundError(DomainError):
    status = 404


class PermissionDeniedError(DomainError):
    status = 403


class ConflictError(DomainError):
    """The operation does not fit the current state (an illegal transition, a double approval)."""

    status = 409

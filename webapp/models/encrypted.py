"""``EncryptedText``: a column sealed at rest with AES-GCM (see :mod:`webapp.privacy.crypto`).

Models never import Flask, so the secret comes from a source the web layer installs with
:func:`set_key_source` (the case area reads ``FIELD_ENCRYPTION_KEY`` of the current app).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Text, TypeDecorator

from webapp.privacy.crypto import decrypt, derive_key, encrypt


def _unconfigured() -> str:
    raise RuntimeError("field encryption key source not installed (set_key_source)")


_key_source: Callable[[], str] = _unconfigured


def set_key_source(source: Callable[[], str]) -> None:
    """Install the callable returning the configured FIELD_ENCRYPTION_KEY secret."""
    global _key_source
    _key_source = source


class EncryptedText(TypeDecorator):
    """A text column stored sealed with AES-GCM; Python sees the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt(str(value), derive_key(_key_source()))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value, derive_key(_key_source()))

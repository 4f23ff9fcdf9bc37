"""``EncryptedText``: a column sealed at rest with AES-GCM (see :mod:`webapp.privacy.infrastructure.keyring`).

Models never import Flask, so the keys come from a source the web layer installs:
:func:`set_ring_source` (a callable returning the app's :class:`FieldKeyRing`, which may hold
earlier keys during a rotation) or :func:`set_key_source` (one secret, no earlier keys).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import Text, TypeDecorator

from webapp.privacy.infrastructure.keyring import FieldKeyRing, UnknownKeyError


def _unconfigured() -> FieldKeyRing:
    raise RuntimeError("field encryption key source not installed (set_ring_source)")


_ring_source: Callable[..., FieldKeyRing] = _unconfigured


@lru_cache(maxsize=8)
def _single_key_ring(secret: str) -> FieldKeyRing:
    return FieldKeyRing(secret)


def set_ring_source(source: Callable[..., FieldKeyRing]) -> None:
    """Install the callable returning the key ring; called with ``refresh=True`` it re-reads
    the keys (a value named a key the ring did not hold: another process rotated)."""
    global _ring_source
    _ring_source = source


def set_key_source(source: Callable[[], str]) -> None:
    """Install a callable returning one FIELD_ENCRYPTION_KEY secret (a ring of one key)."""
    set_ring_source(lambda refresh=False: _single_key_ring(source()))


def current_ring(*, refresh: bool = False) -> FieldKeyRing:
    """The key ring of the running app."""
    return _ring_source(refresh=refresh)


class EncryptedText(TypeDecorator):
    """A text column stored sealed with AES-GCM; Python sees the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return current_ring().encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return current_ring().decrypt(value)
        except UnknownKeyError:
            return current_ring(refresh=True).decrypt(value)

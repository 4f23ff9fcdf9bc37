"""A ring of field-encryption keys, so the key can be rotated while the platform serves.

A value sealed under the ring reads ``v2:<key id>:<base64 nonce+ciphertext>``: the key id says
which key opens it. Values written before the ring existed (``v1:…``, no id) are still read:
each key of the ring is tried, and AES-GCM's tag tells the right one. New values are always
sealed under the current key; the others are only read, until a rotation has re-sealed every
value and retires them. The key id is a keyed digest of the derived key, not the key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from webapp.privacy.infrastructure.crypto import NONCE_BYTES, DecryptionError, decrypt, derive_key

V2 = "v2:"


class UnknownKeyError(DecryptionError):
    """A value names a key id that is not in the ring (retired too early, or another ring)."""


def key_id(secret: str) -> str:
    """A short public name of a key: 12 hex digits of an HMAC of the derived key."""
    return hmac.new(derive_key(secret), b"jiujinan key id", hashlib.sha256).hexdigest()[:12]


def key_id_of(token: str) -> str | None:
    """The key id a sealed value names, or None for a value sealed before the ring (v1)."""
    if token.startswith(V2):
        return token[len(V2):].split(":", 1)[0]
    return None


class FieldKeyRing:
    """The current key (writes and reads) and earlier keys (reads only)."""

    def __init__(self, current: str, previous: Sequence[str] = ()):
        self.current_id = key_id(current)
        self._keys: dict[str, bytes] = {self.current_id: derive_key(current)}
        for secret in previous:
            if secret and key_id(secret) not in self._keys:
                self._keys[key_id(secret)] = derive_key(secret)

    @property
    def key_ids(self) -> list[str]:
        """Every key id, the current one first."""
        return list(self._keys)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self.current_id]).encrypt(
            nonce, plaintext.encode("utf-8"), None)
        return f"{V2}{self.current_id}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        kid = key_id_of(token)
        if kid is None:
            return self._decrypt_legacy(token)
        key = self._keys.get(kid)
        if key is None:
            raise UnknownKeyError(f"value sealed under key {kid}, which is not in the ring")
        try:
            raw = base64.urlsafe_b64decode(token[len(V2) + len(kid) + 1:].encode("ascii"))
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        except Exception as exc:  # InvalidTag, binascii.Error, ValueError: "cannot open"
            raise DecryptionError("cannot decrypt value") from exc
        return plain.decode("utf-8")

    def _decrypt_legacy(self, token: str) -> str:
        for key in self._keys.values():
            try:
                return decrypt(token, key)
            except DecryptionError:
                continue
        raise DecryptionError("cannot decrypt value")

    def is_current(self, token: str) -> bool:
        """Whether a sealed value is already under the current key."""
        return key_id_of(token) == self.current_id

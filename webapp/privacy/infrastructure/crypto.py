"""Field encryption for personal data at rest, and the keyed hash that finds the same person.

Values are sealed with AES-256-GCM (an AEAD from ``cryptography``); the 32-byte key is derived
with HKDF-SHA256 from ``FIELD_ENCRYPTION_KEY``, a urlsafe secret kept in the data directory or
given in the environment. ``person_key`` is an HMAC-SHA256 of the normalised resident ID under
``PERSON_HASH_KEY``, so duplicate checks compare hashes and never decrypt; ``name_key`` is the
same kind of blind index of the full normalised name, so staff can find an applicant by name. The column type
that applies this to the database is ``webapp.models.encrypted.EncryptedText``; this module
stays free of Flask and SQLAlchemy.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
NONCE_BYTES = 12
_INFO = b"jiujinan field encryption v1"


class DecryptionError(ValueError):
    """A sealed value was tampered with, truncated, or sealed under another key."""


@lru_cache(maxsize=8)
def derive_key(secret: str) -> bytes:
    """The 32-byte AES key derived from a configured secret with HKDF-SHA256."""
    if not secret:
        raise ValueError("FIELD_ENCRYPTION_KEY is empty")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode())


def encrypt(plaintext: str, key: bytes) -> str:
    """Seal text; the result is ASCII (``v1:`` + base64 of nonce and ciphertext)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, key: bytes) -> str:
    """Open a value sealed by :func:`encrypt`."""
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted value")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
    except Exception as exc:  # InvalidTag, binascii.Error, ValueError: all mean "cannot open"
        raise DecryptionError("cannot decrypt value") from exc
    return plain.decode("utf-8")


def normalise_id_number(id_number: str) -> str:
    """Resident ID as compared: full-width folded, spaces removed, check letter upper-case."""
    return "".join(unicodedata.normalize("NFKC", id_number or "").split()).upper()


def person_key(id_number: str, key: str | bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised resident ID: the same person, never the number."""
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, normalise_id_number(id_number).encode(), hashlib.sha256).hexdigest()


def normalise_name(name: str) -> str:
    """A name as compared: full-width folded, spaces and middle dots removed, Latin lower-cased.

    '王 秀英' and '王秀英' match, as do '阿卜杜·热合曼' and '阿卜杜热合曼'.
    """
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·•‧・.")


def name_key(name: str, key: str | bytes) -> str:
    """HMAC-SHA256 (hex) of the full normalised name, domain-separated from ``person_key``.

    Only the full name is indexed: a key per surname or per character would be a frequency
    table of common characters, linkable without the key, and would find hundreds of people.
    """
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, b"name\x00" + normalise_name(name).encode(), hashlib.sha256).hexdigest()

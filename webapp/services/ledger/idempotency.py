"""Idempotency keys: the first response to a keyed request is kept and replayed to retries.

A request claims its key by inserting a row (user, key) in its own transaction. A concurrent
retry's insert waits on the unique index until the first transaction ends: if that committed,
the retry finds the stored response and replays it; if it rolled back, the retry runs afresh.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models.ledger import IdempotencyKey
from webapp.services import ConflictError, DomainError

MAX_KEY_LENGTH = 128


class KeyReusedError(DomainError):
    """The key was first used for a different request."""

    status = 422


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of what was asked, to tell a retry from a different request under the same key."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError("Idempotency-Key 应为 1–%(maximum)s 个可见字符",
                          field="Idempotency-Key", maximum=MAX_KEY_LENGTH)
    return key


def claim(session: Session, *, user_id: int, key: str, endpoint: str, fingerprint: str
          ) -> IdempotencyKey | StoredResponse:
    """Claim ``key`` for this request, or return the stored first response of an earlier one."""
    row = IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint[:120],
                         request_hash=fingerprint)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        first = session.scalars(select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .execution_options(populate_existing=True)).one()
        if first.request_hash != fingerprint or first.endpoint != endpoint[:120]:
            raise KeyReusedError("该 Idempotency-Key 已用于另一个请求") from None
        if first.status_code is None:
            raise ConflictError("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试") from None
        return StoredResponse(first.status_code, first.response_body or "")
    return row


def remember(session: Session, row: IdempotencyKey, *, status_code: int, body: str) -> None:
    """Store the response of the request that claimed ``row`` (same transaction as its work)."""
    row.status_code = status_code
    row.response_body = body
    session.flush()

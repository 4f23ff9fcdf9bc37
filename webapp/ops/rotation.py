"""Key rotation while the platform serves: re-sealing personal data, re-deriving person hashes.

Field key: every sealed value not under the current key is opened and sealed again, table by
table in batches the caller commits, each write conditional on the value being unchanged (a
request that changed it meanwhile wins; the next pass looks again). Rerunning the pass resumes
an interrupted rotation: values already under the current key are skipped. The earlier keys
are retired only after a pass finds no value under them.

Person-hash key: the hashes are compared with each other (the same person across cases), so
they must all change at once: one transaction re-derives every hash from the decrypted ID
number under the new key, and only then does the new key become current. An interrupted run
rolls back and runs again from the start.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Text, column, func, select, table, text, update
from sqlalchemy.orm import Session

from webapp.ops.sealed import sealed_columns
from webapp.privacy.infrastructure.crypto import name_key, person_key
from webapp.privacy.infrastructure.keyring import FieldKeyRing

BATCH = 200


class RotationError(Exception):
    """A rotation cannot start or go on; the message says why and what to do."""


@dataclass
class ResealReport:
    scanned: int = 0
    resealed: int = 0
    changed_meanwhile: int = 0


def _sealed_table(name: str, columns: list[str]):
    return table(name, column("id"), *(column(c, Text) for c in columns))


def stale_values(session: Session, ring: FieldKeyRing) -> int:
    """How many sealed values are not under the ring's current key."""
    prefix = f"v2:{ring.current_id}:"
    stale = 0
    for name, columns in sealed_columns():
        t = _sealed_table(name, columns)
        for c in columns:
            stale += session.scalar(select(func.count()).select_from(t).where(
                t.c[c].is_not(None), ~t.c[c].startswith(prefix, autoescape=True))) or 0
    return stale


def reseal_field_values(session: Session, ring: FieldKeyRing, *, batch: int = BATCH,
                        after_batch: Callable[[str, int, int], None] = lambda *a: None
                        ) -> ResealReport:
    """Seal every value under the ring's current key; ``after_batch(table, done, total)``
    runs after each batch (the CLI commits there and prints progress)."""
    report = ResealReport()
    for name, columns in sealed_columns():
        t = _sealed_table(name, columns)
        total = session.scalar(select(func.count()).select_from(t)) or 0
        last, done = None, 0
        while True:
            stmt = select(t.c.id, *(t.c[c] for c in columns)).order_by(t.c.id).limit(batch)
            if last is not None:
                stmt = stmt.where(t.c.id > last)
            rows = session.execute(stmt).all()
            if not rows:
                break
            for row in rows:
                report.scanned += 1
                for c, value in zip(columns, row[1:]):
                    if value is None or ring.is_current(value):
                        continue
                    fresh = ring.encrypt(ring.decrypt(value))
                    result = cast("CursorResult[Any]", session.execute(
                        update(t).where(t.c.id == row.id, t.c[c] == value).values({c: fresh})))
                    if result.rowcount == 1:
                        report.resealed += 1
                    else:
                        report.changed_meanwhile += 1
            last, done = rows[-1].id, done + len(rows)
            after_batch(name, done, total)
    return report


def rederive_person_hashes(session: Session, ring: FieldKeyRing, new_key: str, *,
                           batch: int = BATCH,
                           progress: Callable[[int, int], None] = lambda d, t: None) -> int:
    """Re-derive every applicant's person hash, and the blind index of their name that the
    case search uses, under ``new_key`` in the caller's transaction.

    On PostgreSQL the applicants table is locked against writes first, so no intake adds a
    hash under the old key half way; SQLite's single writer gives the same.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE applicants IN SHARE ROW EXCLUSIVE MODE"))
    t = table("applicants", column("id"), column("id_number", Text), column("person_key"),
              column("name", Text), column("name_key"))
    total = session.scalar(select(func.count()).select_from(t)) or 0
    changed, done, last = 0, 0, None
    while True:
        stmt = select(t.c.id, t.c.id_number, t.c.person_key, t.c.name, t.c.name_key
                      ).order_by(t.c.id).limit(batch)
        if last is not None:
            stmt = stmt.where(t.c.id > last)
        rows = session.execute(stmt).all()
        if not rows:
            break
        for row in rows:
            fresh = person_key(ring.decrypt(row.id_number), new_key)
            fresh_name = name_key(ring.decrypt(row.name), new_key) \
                if row.name_key is not None and row.name is not None else row.name_key
            if (fresh, fresh_name) != (row.person_key, row.name_key):
                session.execute(update(t).where(t.c.id == row.id).values(
                    person_key=fresh, name_key=fresh_name))
                changed += 1
        last, done = rows[-1].id, done + len(rows)
        progress(done, total)
    return changed

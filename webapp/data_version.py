"""The data's version: one number that moves whenever the data any page shows changes, and
the moment it last did; cached pages and figures are keyed to it (``webapp.caching``).

It is the one row of ``data_version``. A transaction whose flushes or bulk
  statements change a table other than the bookkeeping ones (:data:`UNVERSIONED_TABLES`) bumps
  it right after it commits, in a one-statement transaction of its own (on PostgreSQL; SQLite,
  whose writer holds the whole database's lock anyway, bumps inside the transaction). Bumping
  inside a PostgreSQL writer's transaction would hold the row's lock until commit, serialising every writer of the
  app behind one row and deadlocking writers that also lock rows of their own (a ledger
  account, a case) in the other order. After the commit returns, the next request reads the
  new version and renders the new data; a request that read the old version first stores what
  it rendered under the old key, which nobody asks for any more. Only a request that reads the
  version in the instant between a commit and its bump can be answered from the old page.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from typing import Any, cast

from flask import current_app
from sqlalchemy import Connection, Engine, Table, event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.models.base import utcnow
from webapp.models.data_version import DataVersion

log = logging.getLogger(__name__)

# Tables whose changes do not alter any public page: sessions, security, audit, job queue.
# (The search outbox is versioned: draining it changes what a search finds.)
UNVERSIONED_TABLES = frozenset({
    "data_version", "login_sessions", "login_failures", "api_tokens", "audit_events",
    "audit_head", "idempotency_keys", "jobs", "notifications",
})
_BUMP_FLAG = "data_version_bumped"
Version = tuple[int, dt.datetime]
# Per engine: (read until, generation at the read, the version read). A commit in this process
# bumps the generation, so a read that overlapped it is not kept.
_versions: weakref.WeakKeyDictionary[Engine, tuple[float, int, Version | None]] = \
    weakref.WeakKeyDictionary()
_generations: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_versions_lock = threading.Lock()


def bump(session: Session) -> None:
    """Mark ``session``'s transaction as changing the data.

    On PostgreSQL its commit advances the version (see the module's docstring). On SQLite the
    version row is updated at once, inside the transaction: the writer already holds the
    database's one write lock from ``BEGIN IMMEDIATE`` to commit, so this costs no concurrency,
    whereas a transaction of its own after the commit would wait for a write lock that an
    enclosing transaction of the same request (a case number drawn in a nested session) holds.
    """
    if session.info.get(_BUMP_FLAG):
        return
    session.info[_BUMP_FLAG] = True
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _advance_in(connection)
        session.info[_BUMP_FLAG] = "done"


def _advance_in(connection: Connection) -> None:
    table = cast(Table, DataVersion.__table__)
    changed = connection.execute(update(table).where(table.c.id == 1).values(
        version=table.c.version + 1, changed_at=utcnow()))
    if changed.rowcount == 0:
        connection.execute(insert(table).values(id=1, version=1, changed_at=utcnow()))


def _advance(bind: Any) -> None:
    """Advance the data version in a short transaction of its own."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    with engine.begin() as connection:
        _advance_in(connection)
    _forget_version(engine)


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def current_version(session: Session) -> Version | None:
    """The data version (see :func:`engine_version`) of ``session``'s database."""
    return engine_version(_engine_of(session),
                          current_app.config.get("DATA_VERSION_SECONDS", 0.5))


def engine_version(engine: Engine, seconds: float) -> Version | None:
    """The data version, read at most every ``seconds`` (and after each commit of this process
    that changed the data), outside any session's transaction on a pooled connection of its
    own: a cache hit then opens no transaction at all (on SQLite the app's transactions take
    the write lock at BEGIN, which would queue every cached page behind every writer)."""
    now = time.monotonic()
    seen = _versions.get(engine)
    if seen is not None and seen[0] > now:
        return seen[2]
    generation = _generations.get(engine, 0)
    version = _read_version(engine)
    with _versions_lock:
        if _generations.get(engine, 0) == generation:
            _versions[engine] = (now + seconds, generation, version)
    return version


def _forget_version(engine: Engine) -> None:
    """This process changed the data: the next read asks the database."""
    with _versions_lock:
        _generations[engine] = _generations.get(engine, 0) + 1
        _versions.pop(engine, None)


def _read_version(engine: Engine) -> Version | None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT version, changed_at FROM data_version WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    if row is None:
        return None
    changed = row[1]
    if isinstance(changed, str):  # SQLite hands back the stored text
        changed = dt.datetime.fromisoformat(changed)
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=dt.UTC)
    return int(row[0]), changed


def _touches_data(objects: Any) -> bool:
    return any(getattr(obj, "__tablename__", None) not in UNVERSIONED_TABLES for obj in objects)


def _after_flush(session: Session, _context: Any) -> None:
    if _touches_data(session.new) or _touches_data(session.dirty) or \
            _touches_data(session.deleted):
        bump(session)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in UNVERSIONED_TABLES:
        bump(state.session)


def _after_commit(session: Session) -> None:
    bumped = session.info.pop(_BUMP_FLAG, False)
    if bumped is True:
        try:
            _advance(session.get_bind())
        except Exception:  # the change is committed; a page may stay cached until the next one
            log.exception("could not advance the data version after a commit")
    if bumped:
        _forget_version(_engine_of(session))


def _after_rollback(session: Session) -> None:
    session.info.pop(_BUMP_FLAG, None)


def install_version_events() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)

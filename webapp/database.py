"""Engine behaviour per dialect: SQLite gets WAL, foreign keys, and write transactions that take
the write lock at BEGIN, while page reads do not.

SQLite has one writer. A transaction that reads and then writes must hold the write lock from
its BEGIN (``BEGIN IMMEDIATE``), else its upgrade fails when another writer committed in
between (``SQLITE_BUSY_SNAPSHOT``) and read-check-write sequences are not atomic; so commands,
background workers and every request that may change something begin IMMEDIATE. But a GET or
HEAD of a page only reads (WAL readers never wait for the writer): taking the write lock there
would queue every page view behind every other request. So inside a GET or HEAD request a
transaction begins DEFERRED; the few GETs that write (a search recorded in the audit trail, the
working-day calendar refreshed) then upgrade to the write lock, and if that upgrade finds the
database changed since the request began reading, the request is run again from the start with
``BEGIN IMMEDIATE`` (:func:`retry_with_write_lock`, installed by the app factory).
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
READ_METHODS = frozenset({"GET", "HEAD"})
_WRITE_LOCK = "sqlite_write_lock"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control from pysqlite so "begin" below decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_reader = threading.local()


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun in this thread inside the block only read: on SQLite they begin
    DEFERRED, as a GET's do (for work outside a request that writes nothing, such as figures
    recomputed in the background, which must not hold the write lock for seconds)."""
    _reader.active = True
    try:
        yield
    finally:
        _reader.active = False


def _reading_request() -> bool:
    """Inside a GET or HEAD request that has not asked for the write lock (or a block of
    :func:`reading_only`)."""
    if getattr(_reader, "active", False):
        return True
    return (has_request_context() and request.method in READ_METHODS
            and not g.get(_WRITE_LOCK, False))


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _reading_request() else "BEGIN IMMEDIATE")


def is_busy(exc: BaseException) -> bool:
    """SQLite refused the write lock: busy, or the snapshot read so far is stale."""
    orig = getattr(exc, "orig", None)
    return (isinstance(exc, OperationalError) and isinstance(orig, sqlite3.OperationalError)
            and (getattr(orig, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY)


def retry_with_write_lock(dispatch: Callable[[], Any], rollback: Callable[[], None]
                          ) -> Callable[[], Any]:
    """Wrap a Flask app's ``dispatch_request``: a GET whose deferred transaction could not
    upgrade to the write lock is rolled back and run once more, beginning IMMEDIATE."""
    def dispatch_request() -> Any:
        if not _reading_request():
            return dispatch()
        try:
            return dispatch()
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            rollback()
            setattr(g, _WRITE_LOCK, True)
            log.info("GET %s wrote after a concurrent commit; run again with the write lock",
                     request.path)
            return dispatch()
    return dispatch_request

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

Writers wait for each other in a queue of the app's own (:class:`WriteMutex`), not in SQLite's
busy handler: that handler sleeps 1, 2, 5 … up to 100 ms between tries and wakes nobody when
the lock frees, so under 16 concurrent writers most of a write's latency was sleeping while the
database was free (p95 1.2–1.7 s for a 10–20 ms write). Before ``BEGIN IMMEDIATE`` a connection
takes the process's lock for the database file (the threads of one worker queue on it and the
next one wakes at once), then an advisory ``flock`` on ``<database>-writer`` shared by the
processes (tried every half millisecond: one waiting thread per process); both are released
when the connection goes back to the pool, after its commit or rollback. Nothing changes
about what SQLite guarantees: the mutex only orders those who would wait for its lock anyway,
and when it cannot be had within the busy timeout the transaction goes on to SQLite's own
waiting, as before.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)
READ_METHODS = frozenset({"GET", "HEAD"})
_WRITE_LOCK = "sqlite_write_lock"
BUSY_TIMEOUT_SECONDS = 30.0
_HOLDS_MUTEX = "write_mutex"
_reading_block: ContextVar[bool] = ContextVar("sqlite_reading_block", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside the block begin DEFERRED on SQLite, as a page read's do: for
    work that only reads, outside a request (a worker loading what it will index)."""
    token = _reading_block.set(True)
    try:
        yield
    finally:
        _reading_block.reset(token)


class WriteMutex:
    """The writers of one SQLite database file, in this process and in the others: a thread
    lock, then a ``flock`` on a file beside the database (see the module's docstring)."""

    _by_path: ClassVar[dict[str, WriteMutex]] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self.owner: int | None = None  # the thread ident holding it

    @classmethod
    def for_database(cls, database: str | None, suffix: str = "-writer") -> WriteMutex | None:
        """The mutex of the SQLite file ``database`` (``suffix`` names another one beside it,
        e.g. the search drainers'); None for an in-memory database."""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = os.path.abspath(database) + suffix
        with cls._registry_lock:
            mutex = cls._by_path.get(path)
            if mutex is None:
                mutex = cls._by_path[path] = cls(path)
            return mutex

    def acquire(self, timeout: float = BUSY_TIMEOUT_SECONDS) -> bool:
        """Wait for the other writers; False (and nothing held) when they take too long or
        this thread already writes through another connection (SQLite then decides)."""
        if self.owner == threading.get_ident():
            return False
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            pause = 0.0002
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self._threads.release()
                        return False
                    time.sleep(pause)
                    pause = min(pause * 1.5, 0.0005)
        except OSError:  # no lock file to be had (read-only directory): SQLite decides
            log.warning("no writer lock file at %s", self.path, exc_info=True)
            self._threads.release()
            return False
        self.owner = threading.get_ident()
        return True

    def release(self) -> None:
        self.owner = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control from pysqlite so "begin" below decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
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
    if conn.dialect.name != "sqlite":
        return
    if _reading_request() or _reading_block.get():
        conn.exec_driver_sql("BEGIN")
        return
    info = conn.info
    if _HOLDS_MUTEX not in info:
        mutex = WriteMutex.for_database(conn.engine.url.database)
        if mutex is not None and mutex.acquire():
            info[_HOLDS_MUTEX] = mutex
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _release_mutex(info)
        raise


def _release_mutex(info: dict) -> None:
    mutex = info.pop(_HOLDS_MUTEX, None)
    if mutex is not None:
        mutex.release()


@event.listens_for(Pool, "checkin")
def _release_on_checkin(dbapi_connection, connection_record):
    """Back in the pool: its transaction has committed or rolled back."""
    if connection_record is not None:
        _release_mutex(connection_record.info)


@event.listens_for(Pool, "close")
def _release_on_close(dbapi_connection, connection_record):
    if connection_record is not None:
        _release_mutex(connection_record.info)


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

"""On SQLite, writers queue on the app's own mutex (webapp.database.WriteMutex), not in SQLite's
busy handler: it is taken before ``BEGIN IMMEDIATE``, held until the connection goes back to
the pool after its commit, shared with other processes by a ``flock``, and never waited for by
the thread that already holds it."""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from webapp.database import WriteMutex


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def _mutex(engine) -> WriteMutex:
    mutex = WriteMutex.for_database(engine.url.database)
    assert mutex is not None
    return mutex


def test_a_second_writer_waits_for_the_first_to_commit_then_writes(engine):
    mutex = _mutex(engine)
    order: list[str] = []
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO t VALUES (1)"))
    assert mutex.owner == threading.get_ident()

    def second() -> None:
        with engine.begin() as conn:
            order.append("second began")
            conn.execute(text("INSERT INTO t VALUES (2)"))

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive() and order == []  # queued on the mutex, not begun
    order.append("first commits")
    first.commit()
    first.close()  # back to the pool: the mutex is free
    thread.join(10)
    assert not thread.is_alive()
    assert order == ["first commits", "second began"]
    assert mutex.owner is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]


def test_the_holder_is_not_queued_behind_itself_and_a_rollback_releases(engine):
    mutex = _mutex(engine)
    with engine.connect() as conn:
        conn.begin()
        assert mutex.acquire(timeout=1) is False  # this thread holds it already
        conn.rollback()
    assert mutex.owner is None
    assert mutex.acquire(timeout=1) is True
    mutex.release()


def test_another_process_holding_the_lock_file_makes_it_give_up_after_the_timeout(engine):
    mutex = _mutex(engine)
    fd = os.open(mutex.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another open file description: as another process
        assert mutex.acquire(timeout=0.05) is False
        assert mutex.owner is None
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert mutex.acquire(timeout=1) is True  # its thread lock was given back
    mutex.release()


def test_memory_databases_have_no_mutex():
    assert WriteMutex.for_database(":memory:") is None
    assert WriteMutex.for_database("") is None

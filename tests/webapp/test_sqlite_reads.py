"""On SQLite a page read does not take the database's one write lock (webapp.database).

A GET begins its transaction DEFERRED, so it is answered while a writer holds the lock; a POST
still begins IMMEDIATE; and a GET that must write after another connection committed (its
snapshot is stale) is run again with the write lock and writes once.
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select

from webapp.models import AuditEvent


@pytest.fixture
def sqlite_file(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking; PostgreSQL readers never take a write lock")
    return db.engine.url.database


def _begins(db, fn):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, seen


def test_sqlite_a_page_read_begins_deferred_and_a_form_post_immediate(
        sqlite_file, db, demo_base, client, auth):
    auth.login("officer")
    db.session.remove()
    page, page_begins = _begins(db, lambda: client.get("/cases/"))
    assert page.status_code == 200
    assert page_begins and set(page_begins) == {"BEGIN"}
    posted, post_begins = _begins(db, lambda: auth.post(
        "/cases/notifications/read", form_page="/cases/notifications"))
    assert posted.status_code == 302
    assert "BEGIN IMMEDIATE" in post_begins


def test_sqlite_a_page_is_answered_while_a_writer_holds_the_lock(
        sqlite_file, db, demo_base, client, auth):
    auth.login("officer")
    db.session.remove()
    writer = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET display_name = display_name")
        # With the write lock taken at BEGIN this would wait for the writer (30 s) and fail.
        response = client.get("/cases/")
        assert response.status_code == 200 and "个案" in response.get_data(as_text=True)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_sqlite_a_read_that_writes_after_a_concurrent_commit_runs_again_and_writes_once(
        sqlite_file, db, demo_base, client, auth):
    auth.login("officer")
    db.session.remove()
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    db.session.remove()
    interleaved = []

    def commit_elsewhere_before_the_first_write(_conn, _cursor, statement, *_args):
        if not interleaved and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            interleaved.append(statement)
            other = sqlite3.connect(sqlite_file, isolation_level=None)
            other.execute("UPDATE users SET display_name = display_name || '·' WHERE id = "
                          "(SELECT max(id) FROM users)")
            other.close()

    event.listen(db.engine, "before_cursor_execute", commit_elsewhere_before_the_first_write)
    try:
        response = client.get("/cases/?q=张三丰")  # a search by name is audited: a GET that writes
    finally:
        event.remove(db.engine, "before_cursor_execute", commit_elsewhere_before_the_first_write)
    assert interleaved, "the request wrote nothing, so nothing was interleaved"
    assert response.status_code == 200
    db.session.remove()
    searches = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.search_person")).all()
    assert len(searches) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before + 1

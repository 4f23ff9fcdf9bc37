"""Fixtures for the operations tests: a small demo slice, a stamped schema, an empty target."""
from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import create_engine, text

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _no_background_indexer(app, monkeypatch):
    """No in-process indexer thread writing while a test reads or dumps the database (and the
    outbox rows a test leaves waiting stay there)."""
    workers = app.extensions.get("background_workers", {})
    if "search" in workers:
        workers["search"].pause()
        monkeypatch.setattr(workers["search"], "kick", lambda: None)


@pytest.fixture
def demo_slice(db, monkeypatch):
    """The demo with 24 cases instead of 300 (every loader, every kind of row), committed."""
    import webapp.demo.cases as demo_cases
    from webapp.demo import load_demo
    monkeypatch.setattr(demo_cases, "CASES", 24)
    load_demo(db.session, seed=20171206)
    db.session.commit()


@pytest.fixture
def stamped_schema(app, db):
    """Mark the test database as being at the migrations' head, as `flask db upgrade` does."""
    from flask_migrate import stamp
    stamp()
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


@pytest.fixture
def empty_target(tmp_path, monkeypatch):
    """(database URL, data dir) of an empty machine to restore onto."""
    from webapp.config import normalise_db_url
    url = os.environ.get("TEST_MIGRATIONS_DATABASE_URL")
    if os.environ.get("TEST_DATABASE_URL") and url:
        url = normalise_db_url(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    data_dir = tmp_path / "restored-data"
    data_dir.mkdir()
    return url, data_dir


@pytest.fixture
def app_on(monkeypatch):
    """Start an app on another database and data dir (as a new machine would)."""
    from webapp.app import create_app
    started = []

    def start(url, data_dir, *, keys_in_files=False):
        monkeypatch.setenv("JIUJINAN_DATA_DIR", str(data_dir))
        # No in-process indexer thread: it would hold a connection past the test.
        config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                  "SEARCH_SYNC_IN_PROCESS": False}
        if not keys_in_files:
            config["SECRET_KEY"] = "restored-machine"
        other = create_app(config)
        started.append(other)
        return other

    yield start
    from webapp.extensions import db
    for other in started:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def fingerprint(engine) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its raw contents, in primary-key order."""
    from webapp.backup.database import user_tables
    result = {}
    with engine.connect() as conn:
        for table in user_tables(conn):
            if table == "alembic_version":
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result

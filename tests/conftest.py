"""Shared fixtures: app, db, client, runner, auth (after the Flask tutorial).

The database is SQLite in a temporary directory unless ``TEST_DATABASE_URL`` points at
PostgreSQL; ``make test`` runs the suite once for each.
"""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.factories import *

TEST_DB_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {TEST_DB_URL or 'sqlite (temporary file)'}"


@pytest.fixture(scope="session")
def _data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    os.environ["JIUJINAN_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def _app(_data_dir):
    from webapp.app import create_app
    from webapp.config import normalise_db_url
    from webapp.extensions import db as _db
    url = normalise_db_url(TEST_DB_URL or f"sqlite:///{_data_dir / 'test.db'}")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test-secret",
                      "SERVER_NAME": None})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _filled_tables(conn, tables) -> set[str]:
    """The names of the tables that hold a row, in one statement."""
    probes = [sa.select(sa.literal(t.name).label("name")).where(sa.exists(sa.select(sa.literal(1))
                                                                          .select_from(t)))
              for t in tables]
    return set(conn.scalars(sa.union_all(*probes)))


def _wipe(db):
    """Delete every row, children first, so each test starts empty (empty tables skipped)."""
    db.session.remove()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        filled = _filled_tables(conn, tables)
        for table in reversed(tables):
            if table.name in filled:
                conn.execute(table.delete())


@pytest.fixture
def app(_app):
    from webapp.extensions import db as _db
    with _app.app_context():
        _wipe(_db)
    ctx = _app.app_context()
    ctx.push()
    yield _app
    _db.session.remove()
    ctx.pop()


@pytest.fixture
def db(app):
    from webapp.extensions import db as _db
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def csrf_token(self, path: str = "/auth/login") -> str:
        import re
        html = self._client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str = "officer", password: str = "jiujinan-demo"):
        token = self.csrf_token()
        return self._client.post("/auth/login", data={
            "username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = self.csrf_token("/dashboard")
        return self._client.post("/auth/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, *, form_page: str | None = None,
             **kwargs):
        """POST a form with a valid CSRF token taken from ``form_page`` (default: path)."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(form_page or path)
        return self._client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


_demo_base_rows: dict[str, list[dict]] | None = None


@pytest.fixture
def demo_base(db):
    """The demo organisations and one user per role.

    The first test to ask for them on an empty database runs the real loader and keeps its
    rows; later tests on an empty database get the same rows back in one bulk insert per table.
    The loader's ~250 ORM statements cost 0.2–0.4 s per test on PostgreSQL, and some 900 tests
    ask for this fixture.
    """
    import random

    from webapp.data_version import _advance_in
    from webapp.demo import base
    global _demo_base_rows
    tables = db.metadata.sorted_tables
    db.session.remove()
    with db.engine.begin() as conn:
        empty = not _filled_tables(conn, tables)
        if empty and _demo_base_rows is not None:
            for table in tables:
                if table.name == "data_version":
                    # Advanced the app's way (update, else insert): a drain thread left by an
                    # earlier test may be advancing it too.
                    _advance_in(conn)
                elif rows := _demo_base_rows.get(table.name):
                    conn.execute(table.insert(), rows)
            return base
    base.load(db.session, random.Random(1), lambda s: None)
    db.session.commit()
    if empty:
        with db.engine.connect() as conn:
            _demo_base_rows = {
                t.name: [dict(r._mapping) for r in
                         conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                for t in tables}
    return base


@pytest.fixture
def api_token(client, demo_base):
    """Return a callable issuing a bearer token for a demo user."""

    def issue(username: str = "officer") -> dict:
        response = client.post("/api/v1/tokens", json={"username": username,
                                                       "password": "jiujinan-demo"})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return issue


@pytest.fixture
def search_index(app, tmp_path):
    """Point the app at an empty embedded index of its own for this test."""
    from search.embedded import EmbeddedBackend
    backend = EmbeddedBackend(tmp_path / "index", lock_timeout=5.0)
    previous = app.extensions.get("search_backend")
    app.extensions["search_backend"] = backend
    yield backend
    app.extensions["search_backend"] = previous
    backend.close()


@pytest.fixture
def drain(db, search_index):
    """Drain the outbox into the test's index now (as the worker does after a commit)."""
    from webapp.services.search import sync as search_sync

    def run():
        return search_sync.drain(db.session, search_index)

    return run

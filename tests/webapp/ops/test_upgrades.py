"""Upgrades: a database of the first release, with data in it, upgrades to this one; every
migration's downgrade round-trips."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from tests.conftest import AuthActions
from webapp.models import Base, Role, User

FIRST = "fbe549c650cd"  # the first release's schema: organisations, accounts, audit


@pytest.fixture
def empty_app(tmp_path):
    """An app on an empty database (the migrations test database on PostgreSQL)."""
    from webapp.app import create_app
    from webapp.config import normalise_db_url
    from webapp.extensions import db
    url = normalise_db_url(os.environ.get("TEST_MIGRATIONS_DATABASE_URL")
                           or f"sqlite:///{tmp_path / 'upgrade.db'}")
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                      "SEARCH_SYNC_IN_PROCESS": False})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _first_release_data(conn) -> None:
    """Rows as the first release wrote them (plain SQL: today's models may have moved on)."""
    from webapp.services import accounts
    from webapp.services.audit import GENESIS, _digest
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    conn.execute(text("INSERT INTO organisations (name, kind, status, created_at) "
                      "VALUES ('高唐县民政局', 'civil_affairs', 'approved', :now)"), {"now": now})
    org = conn.execute(text("SELECT id FROM organisations")).scalar_one()
    conn.execute(text(
        "INSERT INTO users (username, display_name, password_hash, organisation_id, "
        "active, created_at) VALUES ('officer1', '民政干部', :pw, :org, :yes, :now)"),
        {"pw": accounts.hash_password("upgrade-pass-1"), "org": org, "yes": True, "now": now})
    user = conn.execute(text("SELECT id FROM users")).scalar_one()
    conn.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, :r)"),
                 {"u": user, "r": Role.OFFICER.value})
    prev = GENESIS
    for seq in (1, 2):
        summary = json.dumps({"n": seq})
        digest = _digest(prev, seq, now, user, "user.create", "users", str(user), "cli",
                         summary)
        conn.execute(text(
            "INSERT INTO audit_events (seq, occurred_at, actor_id, action, object_type, "
            "object_id, client_address, summary, prev_hash, hash) VALUES "
            "(:seq, :at, :u, 'user.create', 'users', :uid, 'cli', :s, :p, :h)"),
            {"seq": seq, "at": now, "u": user, "uid": str(user), "s": summary, "p": prev,
             "h": digest})
        prev = digest
    conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 2, :h)"), {"h": prev})


def test_upgrade_from_the_first_release_keeps_its_data_and_works(empty_app):
    from webapp.extensions import db
    from webapp.services import audit, ledger
    upgrade(revision=FIRST)
    with db.engine.begin() as conn:
        _first_release_data(conn)
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}),
                                Base.metadata) == []
    user = db.session.scalars(select(User).where(User.username == "officer1")).one()
    assert user.has_role(Role.OFFICER)
    assert audit.verify_chain(db.session).checked == 2
    audit.record(db.session, user, "upgrade.check", summary={})
    db.session.commit()
    assert audit.verify_chain(db.session).ok
    assert ledger.verify_ledger(db.session).ok
    client = empty_app.test_client()
    AuthActions(client).login("officer1", "upgrade-pass-1")
    assert client.get("/dashboard").status_code == 200


def test_every_migration_downgrades_and_upgrades_again(empty_app):
    from webapp.extensions import db
    script = ScriptDirectory.from_config(empty_app.extensions["migrate"].migrate.get_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        upgrade(revision=revision)
        tables = set(inspect(db.engine).get_table_names())
        downgrade(revision="-1")
        upgrade(revision=revision)
        assert set(inspect(db.engine).get_table_names()) == tables, revision
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set()

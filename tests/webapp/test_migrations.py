"""Migrations build exactly the schema the models describe, and every one downgrades."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from webapp.models import Base


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty database: a new SQLite file, or a wiped PostgreSQL schema."""
    from webapp.app import create_app
    from webapp.config import normalise_db_url
    url = normalise_db_url(os.environ.get("TEST_MIGRATIONS_DATABASE_URL")
                           or f"sqlite:///{tmp_path / 'm.db'}")
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    yield app
    from webapp.extensions import db
    with app.app_context():
        db.engine.dispose()  # else its pooled connection is only closed by the GC, with a warning


def _diff(url: str):
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def test_migrations_upgrade_matches_models_and_downgrades_to_empty(fresh_app):
    url = fresh_app.config["SQLALCHEMY_DATABASE_URI"]
    with fresh_app.app_context():
        upgrade()
        assert _diff(url) == []
        downgrade(revision="base")
        engine = create_engine(url)
        remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
        engine.dispose()
        assert remaining == set()

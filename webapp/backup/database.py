"""Dumping and restoring the database while the app runs, with each engine's own tools.

PostgreSQL: ``pg_dump`` in custom format from a snapshot that a repeatable-read transaction
exported, so the row counts in the manifest describe exactly the dumped data; ``pg_restore``
in one transaction into an empty database. SQLite: the online backup API copies a consistent
snapshot while writers go on; the counts are read from the copy.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from webapp.backup.archive import BackupError

PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
VERSION_TABLE = "alembic_version"


def libpq_url(engine: Engine) -> str:
    """The engine's URL as libpq tools take it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _count_rows(conn, tables: list[str]) -> dict[str, int]:
    return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608 (table names come from the database's own catalogue, not from input)
            for name in tables}


def _revision(conn, tables: list[str]) -> str | None:
    if VERSION_TABLE not in tables:
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608 (a constant)


def user_tables(engine_or_conn) -> list[str]:
    """The database's tables (without SQLite's own)."""
    return sorted(t for t in inspect(engine_or_conn).get_table_names()
                  if not t.startswith("sqlite_"))


def dump(engine: Engine, into: Path) -> tuple[str, str | None, dict[str, int]]:
    """Dump the database into ``into``; returns (member name, schema revision, row counts)."""
    if engine.dialect.name == "postgresql":
        return _dump_postgres(engine, into)
    if engine.dialect.name == "sqlite":
        return _dump_sqlite(engine, into)
    raise BackupError(f"backing up a {engine.dialect.name} database is not supported")


def _dump_postgres(engine: Engine, into: Path):
    target = into / PG_DUMP
    with engine.connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        tables = user_tables(conn)
        counts = _count_rows(conn, tables)
        revision = _revision(conn, tables)
        done = subprocess.run(  # noqa: S603 (pg_dump by absolute path, arguments built here)
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={target}", "--dbname", libpq_url(engine)],
            capture_output=True, text=True, check=False)
        conn.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return PG_DUMP, revision, counts


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _dump_sqlite(engine: Engine, into: Path):
    target = into / SQLITE_COPY
    source = sqlite3.connect(_sqlite_path(engine))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
    try:
        tables = [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        counts = {t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608 (table names come from the database's own catalogue, not from input)
                  for t in sorted(tables)}
        revision = None
        if VERSION_TABLE in tables:
            row = copy.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608 (a constant)
            revision = row[0] if row else None
    finally:
        copy.close()
    return SQLITE_COPY, revision, counts


def require_empty(engine: Engine) -> None:
    """Refuse a restore over a database that holds any table."""
    tables = user_tables(engine)
    if tables:
        raise BackupError(f"the target database is not empty ({len(tables)} tables, e.g. "
                          f"{tables[0]}): restore only into a new, empty database")


def restore(engine: Engine, dialect: str, member: Path, echo: Callable[[str], None]) -> None:
    """Load a dumped database into the (empty) database of ``engine``."""
    if dialect != engine.dialect.name:
        raise BackupError(f"the archive holds a {dialect} database but the target is "
                          f"{engine.dialect.name}")
    if dialect == "postgresql":
        done = subprocess.run(  # noqa: S603 (pg_restore by absolute path, arguments built here)
            [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", "--dbname", libpq_url(engine), str(member)],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed, nothing was restored: "
                              f"{done.stderr.strip()[:500]}")
        return
    engine.dispose()  # no pooled connection may hold the file while it is replaced
    source = sqlite3.connect(member)
    target = sqlite3.connect(_sqlite_path(engine))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    echo("database restored")


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _count_rows(conn, user_tables(conn))

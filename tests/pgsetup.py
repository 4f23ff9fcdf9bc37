"""Make sure the PostgreSQL test database exists (commits not waiting for the disk); exit 2
when the server is unreachable.

Used by ``make test``: ``python -m tests.pgsetup postgresql://postgres@127.0.0.1:5432/jiujinan_test``.
"""
from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def main(url: str) -> int:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created PostgreSQL database {name}")
            # A test database is thrown away: a commit need not wait for its WAL to reach the
            # disk (what a crash of the machine could lose, not what a transaction sees; the
            # suite's PostgreSQL run is about a fifth faster).
            conn.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off")
                         .format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable at {parts.hostname}:{parts.port}: {exc}".strip(),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

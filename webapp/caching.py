"""Caching of the anonymous public pages, keyed to the data's version, and HTTP caching headers.

* **Server-side**: a GET of a public page (:data:`CACHED_ENDPOINTS`) by an anonymous visitor
  (no login, no bearer token, no flashed message waiting) is rendered once per data version,
  language and URL and kept in Flask-Caching: ``RedisCache`` when ``REDIS_URL`` is set (shared
  by every worker and app server), an in-process ``SimpleCache`` otherwise.
* **The data version** is the one row of ``data_version``. A transaction whose flushes or bulk
  statements change a table other than the bookkeeping ones (:data:`UNVERSIONED_TABLES`) bumps
  it right after it commits, in a one-statement transaction of its own (on PostgreSQL; SQLite,
  whose writer holds the whole database's lock anyway, bumps inside the transaction). Bumping
  inside a PostgreSQL writer's transaction would hold the row's lock until commit, serialising every writer of the
  app behind one row and deadlocking writers that also lock rows of their own (a ledger
  account, a case) in the other order. After the commit returns, the next request reads the
  new version and renders the new data; a request that read the old version first stores what
  it rendered under the old key, which nobody asks for any more. Only a request that reads the
  version in the instant between a commit and its bump can be answered from the old page.
* **HTTP**: cached pages carry an ``ETag`` (hash of the body), ``Last-Modified`` (when the data
  last changed) and ``Cache-Control: public, max-age=…`` and answer ``304`` to a matching
  conditional request, so a reverse proxy or CDN can serve them too; logged-in responses get
  ``Cache-Control: private, no-store``. Static files are linked with a hash of their content
  (``?v=…``) and served with a year-long, immutable ``Cache-Control``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from sqlalchemy import Connection, Table, event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.config import SUPPORTED_LOCALES
from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.models.data_version import DataVersion

log = logging.getLogger(__name__)
T = TypeVar("T")
cache = Cache()

# Anonymous GETs of these endpoints are cached (the public site and the public API reads).
CACHED_ENDPOINTS = frozenset({
    "public.home", "public.needs", "public.need", "public.projects", "public.project",
    "public.transparency_page", "public.schemes", "public.organisation",
    "api_pledges.list_needs", "api_pledges.get_need", "api_search.search",
    "api_search.suggest", "search.results",
})
# Tables whose changes do not alter any public page: sessions, security, audit, job queue.
# (The search outbox is versioned: draining it changes what a search finds.)
UNVERSIONED_TABLES = frozenset({
    "data_version", "login_sessions", "login_failures", "api_tokens", "audit_events",
    "audit_head", "idempotency_keys", "jobs", "notifications",
})
_BUMP_FLAG = "data_version_bumped"
_static_hashes: dict[str, str] = {}


# --- the data version -----------------------------------------------------------------------

def bump(session: Session) -> None:
    """Mark ``session``'s transaction as changing the data.

    On PostgreSQL its commit advances the version (see the module's docstring). On SQLite the
    version row is updated at once, inside the transaction: the writer already holds the
    database's one write lock from ``BEGIN IMMEDIATE`` to commit, so this costs no concurrency,
    whereas a transaction of its own after the commit would wait for a write lock that an
    enclosing transaction of the same request (a case number drawn in a nested session) holds.
    """
    if session.info.get(_BUMP_FLAG):
        return
    session.info[_BUMP_FLAG] = True
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _advance_in(connection)
        session.info[_BUMP_FLAG] = "done"


def _advance_in(connection: Connection) -> None:
    table = cast(Table, DataVersion.__table__)
    changed = connection.execute(update(table).where(table.c.id == 1).values(
        version=table.c.version + 1, changed_at=utcnow()))
    if changed.rowcount == 0:
        connection.execute(insert(table).values(id=1, version=1, changed_at=utcnow()))


def _advance(bind: Any) -> None:
    """Advance the data version in a short transaction of its own."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    with engine.begin() as connection:
        _advance_in(connection)


def current_version(session: Session) -> tuple[int, dt.datetime] | None:
    """The data version, read outside the session's transaction on a pooled connection of its
    own: a cache hit then opens no transaction at all (on SQLite the app's transactions take
    the write lock at BEGIN, which would queue every cached page behind every writer)."""
    bind = session.get_bind()
    raw = (bind.engine if isinstance(bind, Connection) else bind).raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT version, changed_at FROM data_version WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    if row is None:
        return None
    changed = row[1]
    if isinstance(changed, str):  # SQLite hands back the stored text
        changed = dt.datetime.fromisoformat(changed)
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=dt.UTC)
    return int(row[0]), changed


def _touches_data(objects: Any) -> bool:
    return any(getattr(obj, "__tablename__", None) not in UNVERSIONED_TABLES for obj in objects)


def _after_flush(session: Session, _context: Any) -> None:
    if _touches_data(session.new) or _touches_data(session.dirty) or \
            _touches_data(session.deleted):
        bump(session)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in UNVERSIONED_TABLES:
        bump(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_BUMP_FLAG, False) is True:
        try:
            _advance(session.get_bind())
        except Exception:  # the change is committed; a page may stay cached until the next one
            log.exception("could not advance the data version after a commit")


def _after_rollback(session: Session) -> None:
    session.info.pop(_BUMP_FLAG, None)


def install_version_events() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def memo(name: str, compute: Callable[[], T], *key: object) -> T:
    """``compute()``, kept per data version (and ``key``): a figure computed once per change
    of the data, not once per request (aggregates over every case, the county's totals)."""
    version = current_version(db.session)
    if version is None or not current_app.config.get("PAGE_CACHE", True):
        return compute()
    cache_key = "memo:" + hashlib.sha256(
        f"{name}|{version[0]}|{version[1].isoformat()}|{key!r}".encode()).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        found = (compute(),)
        cache.set(cache_key, found)
    return found[0]


# --- page caching ---------------------------------------------------------------------------

def _cacheable() -> bool:
    if not current_app.config.get("PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return False
    if "Authorization" in request.headers or session.get("_flashes"):
        return False
    return not session.get("_user_id")  # logged in: Flask-Login keeps the login token here


def _anonymous_locale() -> str:
    """The language of an anonymous visitor's page: their choice, else the default (what the
    app's locale selector answers without a user; resolving it through Flask-Babel would load
    the anonymous user and parse the locale on every cache hit)."""
    lang = session.get("lang")
    return lang if lang in SUPPORTED_LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def _key(version: tuple[int, dt.datetime]) -> str:
    return "page:" + hashlib.sha256(
        f"{version[0]}|{version[1].isoformat()}|{_anonymous_locale()}|{request.full_path}"
        .encode()).hexdigest()


def _before_request() -> Response | None:
    """A cache hit answers here: one read of the data version, no other database work, no
    rendering; a conditional request whose ETag matches gets a bodiless 304."""
    g.page_cache_key = None
    if not _cacheable():
        return None
    version = current_version(db.session)
    if version is None:
        return None
    g.page_cache_key, g.page_changed_at = _key(version), version[1]
    hit = cache.get(g.page_cache_key)
    if hit is None or len(hit) != 3:
        return None
    body, mimetype, etag = hit
    g.page_cache_hit = True
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    return response


def _after_request(response: Response) -> Response:
    if request.endpoint == "static":
        if request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        return response
    key = getattr(g, "page_cache_key", None)
    hit = getattr(g, "page_cache_hit", False)
    if key is None or response.status_code not in ((200, 304) if hit else (200,)) or \
            response.direct_passthrough:
        if _logged_in():
            response.cache_control.private = True
            response.cache_control.no_store = True
        return response
    if session.modified:  # the page put something in the session (a CSRF token): not shared
        return response
    if not hit:
        body = response.get_data()
        etag = hashlib.sha256(body).hexdigest()[:32]
        cache.set(key, (body, response.mimetype, etag))
        response.set_etag(etag)
    response.last_modified = g.page_changed_at
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config.get("PAGE_CACHE_MAX_AGE", 60)
    response.vary.add("Cookie")
    response.make_conditional(request)
    return response


def _logged_in() -> bool:
    return bool(session.get("_user_id")) or "Authorization" in request.headers


def _static_version(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for('static', filename=…)`` adds ``v=`` (a hash of the file's content)."""
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    filename = values["filename"]
    digest = _static_hashes.get(filename)
    if digest is None:
        path = os.path.join(current_app.static_folder or "", filename)
        try:
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()[:12]
        except OSError:
            return
        _static_hashes[filename] = digest
    values["v"] = digest


def init_app(app: Flask) -> None:
    """Bind the cache (Redis when ``REDIS_URL`` is set) and the request hooks."""
    redis_url = app.config.get("REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                    "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "jiujinan:")}
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    settings["CACHE_DEFAULT_TIMEOUT"] = app.config.get("PAGE_CACHE_SECONDS", 3600)
    cache.init_app(app, config=settings)
    install_version_events()
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.url_defaults(_static_version)

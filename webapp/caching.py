"""Caching of the anonymous public pages, keyed to the data's version, and HTTP caching headers.

* **Server-side**: a GET of a public page (:data:`CACHED_ENDPOINTS`) by an anonymous visitor
  (no login, no bearer token, no flashed message waiting) is rendered once per data version,
  language and URL and kept in Flask-Caching: ``RedisCache`` when ``REDIS_URL`` is set (shared
  by every worker and app server), an in-process ``SimpleCache`` otherwise.
* **The data version** (``webapp.data_version``) moves with every change to the data a page
  shows; a new version means new keys, so nothing is ever invalidated one by one.
* **HTTP**: cached pages carry an ``ETag`` (hash of the body), ``Last-Modified`` (when the data
  last changed) and ``Cache-Control: public, max-age=…`` and answer ``304`` to a matching
  conditional request, so a reverse proxy or CDN can serve them too; logged-in responses get
  ``Cache-Control: private, no-store``. Static files are linked with a hash of their content
  (``?v=…``) and served with a year-long, immutable ``Cache-Control``.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from itsdangerous import BadSignature
from sqlalchemy import Engine

from webapp import input_guard
from webapp.config import SUPPORTED_LOCALES
from webapp.data_version import Version, current_version, engine_version, install_version_events
from webapp.extensions import db

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
_static_hashes: dict[str, str] = {}
# Headers of a rendering never replayed to another visitor (Content-Length is recounted).
_UNSTORED_HEADERS = frozenset({"set-cookie", "content-length", "date"})


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


def lasting(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` for the current data version, kept until the data changes; after a change,
    the figures of the last version computed are answered at once while a background thread of
    this process computes the new ones (``FIGURES_IN_BACKGROUND``, on unless turned off), and
    the page showing them is not cached (nor kept by a proxy): the next request after the
    thread ends shows the new figures. For figures over every case (the county's totals) that
    take seconds at a county's ten years: no visitor waits for them after a write. Computed in
    the request only the first time (nothing earlier to show) or with page caching off."""
    from webapp.extensions import db
    version = current_version(db.session)
    if version is None or not current_app.config.get("PAGE_CACHE", True):
        return compute()
    stamp = (version[0], version[1].isoformat())
    key = "lasting:" + hashlib.sha256(name.encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2:
        if found[0] == stamp:
            return cast(T, found[1])
        if current_app.config.get("FIGURES_IN_BACKGROUND", True):
            _refresh_in_background(current_app._get_current_object(),  # type: ignore[attr-defined]
                                   name, key, compute)
            g.page_not_cacheable = True
            return cast(T, found[1])
    value = compute()
    cache.set(key, (stamp, value), timeout=0)
    return value


_refreshing: dict[str, threading.Thread] = {}
_refreshing_lock = threading.Lock()


def _refresh_in_background(app: Flask, name: str, key: str, compute: Callable[[], T]) -> None:
    """Start computing ``key``'s figures for the current version unless a thread already is."""
    with _refreshing_lock:
        running = _refreshing.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=_refresh, args=(app, key, compute), daemon=True,
                                  name=f"figures-{name}")
        _refreshing[key] = thread
        thread.start()


def _refresh(app: Flask, key: str, compute: Callable[[], object]) -> None:
    from webapp.database import reading_only
    from webapp.extensions import db
    with app.app_context(), reading_only():
        try:
            version = current_version(db.session)
            if version is not None:
                value = compute()
                cache.set(key, ((version[0], version[1].isoformat()), value), timeout=0)
        except Exception:  # the last figures stay; the next request after a change tries again
            log.exception("could not recompute the figures %s", key)
        finally:
            db.session.remove()  # type: ignore[attr-defined]


def wait_for_figures(timeout: float | None = None) -> None:
    """Wait for the background computations of :func:`lasting` under way (tests, shutdown)."""
    with _refreshing_lock:
        threads = list(_refreshing.values())
    for thread in threads:
        thread.join(timeout)


# --- page caching ---------------------------------------------------------------------------

def _cacheable() -> bool:
    if not current_app.config.get("PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return False
    if "Authorization" in request.headers or session.get("_flashes"):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False  # Flask-Login would log this visitor in from the cookie
    return not session.get("_user_id")  # logged in: Flask-Login keeps the login token here


def _anonymous_locale() -> str:
    """The language of an anonymous visitor's page: their choice, else the default (what the
    app's locale selector answers without a user; resolving it through Flask-Babel would load
    the anonymous user and parse the locale on every cache hit)."""
    return _locale_of(session.get("lang"), current_app.config)


def _locale_of(lang: object, config: Any) -> str:
    return lang if isinstance(lang, str) and lang in SUPPORTED_LOCALES \
        else config["BABEL_DEFAULT_LOCALE"]


def _key(version: Version, locale: str, environ: dict[str, Any]) -> str:
    """The page's key: data version, language and the URL as it came (path and query)."""
    url = (f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
           f"?{environ.get('QUERY_STRING', '')}")
    return "page:" + hashlib.sha256(
        f"{version[0]}|{version[1].isoformat()}|{locale}|{url}".encode()).hexdigest()


def _entry(found: Any) -> tuple[bytes, str, list[tuple[str, str]], str] | None:
    if not isinstance(found, tuple) or len(found) != 4:
        return None  # absent, or stored by an older release
    return found


def _before_request() -> Response | None:
    """A cache hit that :class:`HitMiddleware` passed on answers here (after the input guard):
    no database work but the data version, no rendering; a conditional request whose ETag
    matches gets a bodiless 304."""
    g.page_cache_key = None
    if not _cacheable():
        return None
    version = current_version(db.session)
    if version is None:
        return None
    g.page_cache_key = _key(version, _anonymous_locale(), request.environ)
    g.page_changed_at = version[1]
    hit = _entry(cache.get(g.page_cache_key))
    if hit is None:
        return None
    body, etag, headers, _route = hit
    g.page_cache_hit = True
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(body, headers=headers)


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
    if g.get("page_not_cacheable"):  # figures of an older data version, fresher ones coming
        response.cache_control.no_cache = True
        return response
    response.last_modified = g.page_changed_at
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config.get("PAGE_CACHE_MAX_AGE", 60)
    response.vary.add("Cookie")
    if not hit and "Set-Cookie" not in response.headers:
        body = response.get_data()
        etag = hashlib.sha256(body).hexdigest()[:32]
        response.set_etag(etag)
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in _UNSTORED_HEADERS]
        route = request.url_rule.rule if request.url_rule is not None else ""
        cache.set(key, (body, etag, headers, route))
    response.make_conditional(request)
    return response


class HitMiddleware:
    """Answers a page-cache hit before Flask builds a request: an anonymous GET or HEAD
    (no ``Authorization``, no login or flashed message in the session cookie, no remember
    cookie) whose page is cached for the current data version, language and URL. The stored
    headers are sent as the first rendering had them; header values are bounded as
    :mod:`webapp.input_guard` bounds them (the path and query are those of a request that
    passed it, being part of the key). The request is timed in the request metrics. Anything
    else goes on to the app unchanged."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        self.app, self.wsgi_app = app, wsgi_app
        self._engine: Engine | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        started = time.perf_counter()
        try:
            answer = self._hit(environ)
        except Exception:  # never fail a request the app itself could answer
            log.exception("page cache: answering a hit failed; passing the request on")
            answer = None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body, route = answer
        start_response(status, headers)
        observe = self.app.extensions.get("jiujinan_request_metrics")
        if observe is not None:
            observe(environ["REQUEST_METHOD"], route, status[:3],
                    time.perf_counter() - started)
        return [body] if body and environ["REQUEST_METHOD"] != "HEAD" else []

    def _hit(self, environ: dict[str, Any]
             ) -> tuple[str, list[tuple[str, str]], bytes, str] | None:
        config = self.app.config
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or \
                "HTTP_AUTHORIZATION" in environ or "HTTP_IF_MODIFIED_SINCE" in environ or \
                not config.get("PAGE_CACHE", True):
            return None
        for name, value in environ.items():
            if name.startswith("HTTP_") and len(value) > input_guard.MAX_HEADER_BYTES:
                return None  # the app refuses it
        session_data = self._session(environ)
        if session_data is None or session_data.get("_user_id") or \
                session_data.get("_flashes"):
            return None
        version = engine_version(self._get_engine(), config.get("DATA_VERSION_SECONDS", 0.5))
        if version is None:
            return None
        backend = self.app.extensions.get("cache", {}).get(cache)
        if backend is None:
            return None
        hit = _entry(backend.get(_key(version, _locale_of(session_data.get("lang"), config),
                                      environ)))
        if hit is None:
            return None
        body, etag, headers, route = hit
        if _etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
            return "304 NOT MODIFIED", _without_entity_headers(headers), b"", route
        return "200 OK", [*headers, ("Content-Length", str(len(body)))], body, route

    def _session(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The session cookie's content ({} without one, as Flask opens it), or None when the
        visitor has a remember cookie or a cookie not verified here."""
        if "HTTP_COOKIE" not in environ:
            return {}
        from werkzeug.http import parse_cookie
        cookies = parse_cookie(environ)
        if self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        value = cookies.get(self.app.config["SESSION_COOKIE_NAME"])
        if not value:
            return {}
        serializer = self.app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
            self.app)
        if serializer is None:
            return None
        try:
            data = serializer.loads(
                value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None  # expired, or signed with a key this process does not know yet: Flask
            # decides (its key files are followed in a request hook)
        return data if isinstance(data, dict) else {}

    def _get_engine(self) -> Engine:
        if self._engine is None:
            from webapp.extensions import db
            with self.app.app_context():
                self._engine = db.engine
        return self._engine


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    from werkzeug.http import parse_etags
    return etag in parse_etags(header)


def _without_entity_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a 304 (werkzeug's ``remove_entity_headers``)."""
    from werkzeug.http import is_entity_header
    return [(name, value) for name, value in headers
            if not is_entity_header(name) or name.lower() in ("expires", "content-location")]


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
    app.wsgi_app = HitMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]

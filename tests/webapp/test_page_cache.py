"""Caching of anonymous public pages keyed to the data version, and the HTTP caching headers.

The cache must never show a figure after the data behind it changed: every test that reads a
page from the cache changes the data (through the ORM, through a bulk statement, through a
service) and reads the page again at once.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, update

from webapp import caching
from webapp.models import NeedCard


@pytest.fixture
def cached(app):
    """Page caching on, with an empty in-process cache."""
    app.config["PAGE_CACHE"] = True
    caching.cache.clear()
    yield app
    caching.cache.clear()


def _statements(app, fn):
    from webapp.extensions import db
    seen = [0]

    def count(*_args):
        seen[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, seen[0]


def test_a_public_page_is_served_from_the_cache_until_the_data_changes(
        cached, client, db, published_need):
    need = published_need(title="白血病患儿急需化疗费用")
    first, rendering = _statements(cached, lambda: client.get(f"/needs/{need.id}"))
    assert first.status_code == 200 and "白血病患儿急需化疗费用" in first.get_data(as_text=True)
    again, from_cache = _statements(cached, lambda: client.get(f"/needs/{need.id}"))
    assert again.get_data() == first.get_data()
    assert from_cache < rendering and from_cache <= 2  # the data version, nothing else

    # An ORM change: the next request shows it.
    db.session.get(NeedCard, need.id).title = "白血病患儿化疗费用已筹集过半"
    db.session.commit()
    assert "化疗费用已筹集过半" in client.get(f"/needs/{need.id}").get_data(as_text=True)

    # A bulk statement (no ORM object): the next request shows it too.
    db.session.execute(update(NeedCard).where(NeedCard.id == need.id)
                       .values(title="白血病患儿化疗费用已经筹齐"))
    db.session.commit()
    assert "化疗费用已经筹齐" in client.get(f"/needs/{need.id}").get_data(as_text=True)

    # A change that rolls back leaves the cached page valid (and still correct).
    db.session.get(NeedCard, need.id).title = "不会保存的标题"
    db.session.rollback()
    assert "不会保存的标题" not in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_the_home_page_figures_follow_a_new_published_need(cached, client, published_need):
    published_need(title="第一个求助")
    assert "第二个求助" not in client.get("/needs").get_data(as_text=True)
    published_need(title="第二个求助")
    assert "第二个求助" in client.get("/needs").get_data(as_text=True)


def test_anonymous_pages_carry_validators_and_answer_304(cached, client, published_need):
    published_need()
    response = client.get("/needs")
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    assert response.headers.get("ETag") and response.headers.get("Last-Modified")
    assert "Set-Cookie" not in response.headers
    again = client.get("/needs", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_cache_hit_renders_nothing_and_sends_no_statement(cached, client, published_need):
    from flask import template_rendered
    published_need()
    first = client.get("/needs")
    rendered: list[str] = []

    def record(_app, template, _context, **_extra):
        rendered.append(template.name)

    template_rendered.connect(record, cached)
    try:
        hit, statements = _statements(cached, lambda: client.get("/needs"))
        unchanged, statements_304 = _statements(cached, lambda: client.get(
            "/needs", headers={"If-None-Match": first.headers["ETag"]}))
    finally:
        template_rendered.disconnect(record, cached)
    assert hit.status_code == 200 and hit.get_data() == first.get_data()
    assert hit.headers["ETag"] == first.headers["ETag"]
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == first.headers["ETag"]
    # The data version is read on a raw pooled connection: no ORM statement, no template.
    assert rendered == [] and statements == 0 and statements_304 == 0


def test_logged_in_pages_are_neither_cached_nor_public(cached, client, auth, published_need):
    need = published_need()
    auth.login("donor")
    response = client.get(f"/needs/{need.id}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert "ETag" not in response.headers
    # The donor's own page (with their pledge form) did not land in the anonymous cache.
    assert not any(caching.cache.cache._cache)  # type: ignore[attr-defined]


def test_static_files_have_content_hashed_urls_and_long_lived_caching(cached, client):
    html = client.get("/home").get_data(as_text=True)
    import re
    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html)
    assert url, "the stylesheet is linked with a hash of its content"
    response = client.get(url.group(1))
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


def test_the_cache_is_shared_in_redis_when_redis_url_is_set(app, db, published_need):
    """Redis runs on 127.0.0.1:6379 here and in CI; two apps (two workers) share its pages."""
    import redis
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.fail("Redis is expected on 127.0.0.1:6379 (REDIS_URL)")
    from flask_caching import Cache
    prefix = f"jiujinan-test-{uuid.uuid4().hex}:"
    shared = Cache()
    shared.init_app(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
                                 "CACHE_KEY_PREFIX": prefix})
    saved, caching.cache = caching.cache, shared
    app.config["PAGE_CACHE"] = True
    try:
        need = published_need(title="雷迪斯共享缓存求助")
        client = app.test_client()
        assert "雷迪斯共享缓存求助" in client.get(f"/needs/{need.id}").get_data(as_text=True)
        keys = redis.Redis.from_url(url).keys(prefix + "*")
        assert keys, "the page was stored in Redis"
        db.session.get(NeedCard, need.id).title = "雷迪斯缓存已更新"
        db.session.commit()
        assert "雷迪斯缓存已更新" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    finally:
        caching.cache = saved
        for key in redis.Redis.from_url(url).keys(prefix + "*"):
            redis.Redis.from_url(url).delete(key)


# --- hits answered in front of Flask, the data version per process, figures kept ------------

def _dispatched(app, fn):
    """``fn()``'s result and whether Flask dispatched the request (``request_started``)."""
    from flask import request_started
    seen: list[str] = []

    def record(_sender, **_extra):
        seen.append("started")

    request_started.connect(record, app)
    try:
        return fn(), bool(seen)
    finally:
        request_started.disconnect(record, app)


_PER_REQUEST = {"Date", "Set-Cookie"}


def test_a_hit_answered_before_flask_carries_every_header_of_the_rendering(
        cached, client, published_need):
    need = published_need()
    first, rendered = _dispatched(cached, lambda: client.get(f"/needs/{need.id}"))
    hit, dispatched = _dispatched(cached, lambda: client.get(f"/needs/{need.id}"))
    assert rendered and not dispatched, "the hit is answered before Flask dispatches it"
    assert hit.status_code == 200 and hit.get_data() == first.get_data()
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "ETag", "Last-Modified", "Cache-Control", "Vary",
                 "Content-Type"):
        assert hit.headers.get(name) and hit.headers.get(name) == first.headers.get(name), name
    assert "frame-ancestors 'none'" in hit.headers["Content-Security-Policy"]
    assert "public" in hit.headers["Cache-Control"] and "Cookie" in hit.headers["Vary"]
    assert int(hit.headers["Content-Length"]) == len(first.get_data())
    assert {k for k, _v in hit.headers.items() if k not in _PER_REQUEST} == \
        {k for k, _v in first.headers.items() if k not in _PER_REQUEST}

    not_modified, dispatched = _dispatched(cached, lambda: client.get(
        f"/needs/{need.id}", headers={"If-None-Match": first.headers["ETag"]}))
    assert not dispatched and not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert not_modified.headers["Content-Security-Policy"]
    head, dispatched = _dispatched(cached, lambda: client.head(f"/needs/{need.id}"))
    assert not dispatched and head.status_code == 200 and head.get_data() == b""
    # An over-long header is refused by the input guard, cached page or not.
    refused = client.get(f"/needs/{need.id}", headers={"X-Long": "a" * 9000})
    assert refused.status_code == 431


def test_a_logged_in_user_never_gets_the_anonymous_page(cached, client, auth, published_need):
    need = published_need()
    anonymous = client.get(f"/needs/{need.id}")
    assert "public" in anonymous.headers["Cache-Control"]
    auth.login("donor")
    for _ in range(2):
        page, dispatched = _dispatched(cached, lambda: client.get(f"/needs/{need.id}"))
        assert dispatched and page.status_code == 200
        assert "no-store" in page.headers["Cache-Control"] and "ETag" not in page.headers
    # A bearer token never gets it either, and neither does a remember-me cookie.
    api = cached.test_client()
    assert api.get(f"/api/v1/needs/{need.id}").status_code == 200
    cached_api, dispatched = _dispatched(cached, lambda: api.get(f"/api/v1/needs/{need.id}"))
    assert not dispatched and cached_api.status_code == 200
    with_token, dispatched = _dispatched(cached, lambda: api.get(
        f"/api/v1/needs/{need.id}", headers={"Authorization": "Bearer not-a-token"}))
    assert dispatched and "no-store" in with_token.headers["Cache-Control"]
    remembered = cached.test_client()
    remembered.set_cookie("remember_token", "1|abc")
    _page, dispatched = _dispatched(cached, lambda: remembered.get(f"/needs/{need.id}"))
    assert dispatched


def test_a_visitor_with_a_session_gets_the_page_of_their_language(cached, client, published_need):
    need = published_need()
    chinese = client.get(f"/needs/{need.id}")
    english_visitor = cached.test_client()
    with english_visitor.session_transaction() as sess:
        sess["lang"] = "en"
    english_visitor.get(f"/needs/{need.id}")  # Flask-Login marks the session (not stored)
    english = english_visitor.get(f"/needs/{need.id}")
    assert english.get_data() != chinese.get_data()
    again, dispatched = _dispatched(cached, lambda: english_visitor.get(f"/needs/{need.id}"))
    assert not dispatched and again.get_data() == english.get_data()
    # A cookie not signed with this app's key: Flask decides (an anonymous page).
    forged = cached.test_client()
    forged.set_cookie(cached.config["SESSION_COOKIE_NAME"], "eyJfdXNlcl9pZCI6IjEifQ.x.y")
    page, dispatched = _dispatched(cached, lambda: forged.get(f"/needs/{need.id}"))
    assert dispatched and page.status_code == 200 and "public" in page.headers["Cache-Control"]
    # A message waiting to be flashed: the page is rendered for this visitor.
    with english_visitor.session_transaction() as sess:
        sess["_flashes"] = [("message", "已保存")]
    _page, dispatched = _dispatched(cached, lambda: english_visitor.get(f"/needs/{need.id}"))
    assert dispatched


def test_the_data_version_is_read_once_per_interval_and_after_each_own_commit(
        cached, client, db, published_need, monkeypatch):
    cached.config["DATA_VERSION_SECONDS"] = 60.0
    try:
        need = published_need(title="每段时间读一次版本")
        client.get(f"/needs/{need.id}")
        # Another process's change (not through this process's sessions): the version is read
        # again only when the interval has passed.
        with db.engine.begin() as connection:
            connection.execute(update(NeedCard).where(NeedCard.id == need.id)
                               .values(title="另一进程改了标题"))
            connection.exec_driver_sql("UPDATE data_version SET version = version + 1")
        assert "每段时间读一次版本" in client.get(f"/needs/{need.id}").get_data(as_text=True)
        later = caching.time.monotonic() + 61
        monkeypatch.setattr(caching.time, "monotonic", lambda: later)
        assert "另一进程改了标题" in client.get(f"/needs/{need.id}").get_data(as_text=True)
        # This process's own commit: seen at once.
        db.session.get(NeedCard, need.id).title = "本进程改了标题"
        db.session.commit()
        assert "本进程改了标题" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    finally:
        cached.config["DATA_VERSION_SECONDS"] = 0.0


def test_figures_after_a_change_are_the_last_ones_until_the_background_has_the_new(
        cached, client, db, published_need):
    from flask import g
    cached.config["FIGURES_IN_BACKGROUND"] = True
    computed: list[int] = []

    def count() -> int:
        computed.append(1)
        return len(computed)

    try:
        published_need()
        with cached.test_request_context("/home"):
            assert caching.lasting("test_figures", count) == 1  # nothing earlier: computed here
            assert caching.lasting("test_figures", count) == 1 and len(computed) == 1
        published_need()
        with cached.test_request_context("/home"):
            assert caching.lasting("test_figures", count) == 1  # the last figures, at once
            assert g.pop("page_not_cacheable")  # (g outlives the request here: the test's app context)
        caching.wait_for_figures(timeout=30)
        with cached.test_request_context("/home"):
            assert caching.lasting("test_figures", count) == 2
            assert not g.get("page_not_cacheable")

        # The home page showing figures of an older version is neither cached nor public.
        client.get("/home")
        caching.wait_for_figures(timeout=30)
        published_need()
        stale = client.get("/home")
        assert stale.status_code == 200 and "no-cache" in stale.headers["Cache-Control"]
        assert "public" not in stale.headers["Cache-Control"] and "ETag" not in stale.headers
        caching.wait_for_figures(timeout=30)
        fresh = client.get("/home")
        assert "public" in fresh.headers["Cache-Control"]
    finally:
        cached.config["FIGURES_IN_BACKGROUND"] = False

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

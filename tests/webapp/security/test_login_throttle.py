"""Login throttling: growing delays per account, a limit per real client address, no lockout."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from webapp.models import LoginFailure
from webapp.services.login_throttle import ThrottlePolicy

PASSWORD = "jiujinan-demo"


def token(client, username, password, address, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       headers=headers, environ_base={"REMOTE_ADDR": address})


def age_failures(db, seconds):
    """Move every recorded failure ``seconds`` into the past (time passing)."""
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= dt.timedelta(seconds=seconds)
    db.session.commit()


def test_correct_password_from_fresh_address_is_never_refused_after_failures_elsewhere(
        client, demo_base):
    for _ in range(25):
        assert token(client, "officer", "wrong-password", "203.0.113.9").status_code in (401, 429)
    assert token(client, "officer", "wrong-password", "203.0.113.9").status_code == 429
    fresh = token(client, "officer", PASSWORD, "198.51.100.20")
    assert fresh.status_code == 201
    assert fresh.get_json()["token"]


def test_delays_grow_with_failures_and_end_without_lockout(client, demo_base, db):
    address = "203.0.113.10"
    for _ in range(3):  # the free failures
        assert token(client, "officer", "wrong-password", address).status_code == 401
    refused = token(client, "officer", PASSWORD, address)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "2"
    assert "登录失败次数过多" in refused.get_json()["detail"]
    age_failures(db, 3)
    assert token(client, "officer", "wrong-password", address).status_code == 401
    assert token(client, "officer", "wrong-password", address).headers["Retry-After"] == "4"
    age_failures(db, 5)
    assert token(client, "officer", "wrong-password", address).status_code == 401
    assert token(client, "officer", "wrong-password", address).headers["Retry-After"] == "8"
    age_failures(db, 9)  # once the delay has passed the owner gets in from the same address
    assert token(client, "officer", PASSWORD, address).status_code == 201


def test_delay_is_capped_by_the_maximum(client, demo_base, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_DELAY_SECONDS", 5.0)
    address = "203.0.113.11"
    for _ in range(6):
        token(client, "officer", "wrong-password", address)
        age_failures(db, 10)
    assert token(client, "officer", "wrong-password", address).status_code == 401
    assert token(client, "officer", PASSWORD, address).headers["Retry-After"] == "5"


def test_one_address_is_limited_across_usernames(client, demo_base, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 5)
    for n in range(5):
        assert token(client, f"guess{n}", "wrong-password", "203.0.113.12").status_code == 401
    limited = token(client, "officer", PASSWORD, "203.0.113.12")
    assert limited.status_code == 429
    assert 890 <= int(limited.headers["Retry-After"]) <= 900
    assert token(client, "officer", PASSWORD, "203.0.113.13").status_code == 201


def test_web_login_form_reports_the_delay(client, auth, demo_base):
    for _ in range(3):
        assert auth.login("officer", "wrong-password").status_code == 401
    response = auth.login("officer", PASSWORD)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert "登录失败次数过多" in response.get_data(as_text=True)


@pytest.fixture
def proxied_app(_app, app):
    """The same database served by an app configured to sit behind one trusted proxy."""
    from webapp.app import create_app
    from webapp.extensions import db as _db
    behind = create_app({"TESTING": True, "TRUSTED_PROXY_COUNT": 1,
                         "SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                         "SECRET_KEY": "test-secret", "LOGIN_ADDRESS_MAX_FAILURES": 5})
    yield behind
    with behind.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_ten_bad_logins_through_one_proxy_do_not_lock_the_site(proxied_app, demo_base):
    client, proxy = proxied_app.test_client(), "10.0.0.2"
    for n in range(10):  # the attacker also forges an X-Forwarded-For entry; it is ignored
        response = token(client, f"user{n}", "wrong-password", proxy,
                         forwarded_for=f"192.0.2.{n}, 198.51.100.66")
        assert response.status_code == (401 if n < 5 else 429)
    assert token(client, "officer", PASSWORD, proxy,
                 forwarded_for="198.51.100.77").status_code == 201
    assert token(client, "charity", PASSWORD, proxy,
                 forwarded_for="198.51.100.78").status_code == 201


def test_policy_delays_double_from_the_first_delay():
    policy = ThrottlePolicy(free_failures=2, first_delay_seconds=1.0, max_delay_seconds=60.0)
    assert [policy.delay_after(n) for n in range(9)] == [0, 0, 1, 2, 4, 8, 16, 32, 60]
    assert policy.delay_after(10**6) == 60.0

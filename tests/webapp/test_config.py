"""Settings read from the environment: defaults, overrides, and a clear stop on a bad value."""
from __future__ import annotations

from decimal import Decimal

import pytest

from webapp.config import Config, ConfigError

THROTTLE_SETTINGS = ("TRUSTED_PROXY_COUNT", "LOGIN_FAILURE_WINDOW_MINUTES", "LOGIN_FREE_FAILURES",
                     "LOGIN_FIRST_DELAY_SECONDS", "LOGIN_MAX_DELAY_SECONDS",
                     "LOGIN_ADDRESS_MAX_FAILURES")


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment whose data dir is a temporary directory."""
    monkeypatch.setenv("JIUJINAN_DATA_DIR", str(tmp_path))
    for name in ("DISBURSE_SECOND_OFFICER_ABOVE", "SEARCH_RETRY_SECONDS", "SMTP_PORT",
                 *THROTTLE_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_config_defaults_of_ledger_and_search_settings(environment):
    config = Config()
    assert config.DISBURSE_SECOND_OFFICER_ABOVE == Decimal("5000.00")
    assert config.SEARCH_RETRY_SECONDS == 30.0


def test_config_reads_overrides_from_the_environment(environment):
    environment.setenv("DISBURSE_SECOND_OFFICER_ABOVE", "20000.5")
    environment.setenv("SEARCH_RETRY_SECONDS", "2.5")
    config = Config()
    assert config.DISBURSE_SECOND_OFFICER_ABOVE == Decimal("20000.50")
    assert config.SEARCH_RETRY_SECONDS == 2.5


@pytest.mark.parametrize("value", ["abc", "-1", "10.001", "NaN", "Infinity", "1e400", "5,000"])
def test_config_refuses_a_bad_second_officer_threshold(environment, value):
    environment.setenv("DISBURSE_SECOND_OFFICER_ABOVE", value)
    with pytest.raises(ConfigError, match=r"^DISBURSE_SECOND_OFFICER_ABOVE=.* is not usable"):
        Config()


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan", "inf", "100000"])
def test_config_refuses_a_bad_search_retry_delay(environment, value):
    environment.setenv("SEARCH_RETRY_SECONDS", value)
    with pytest.raises(ConfigError, match=r"^SEARCH_RETRY_SECONDS=.* is not usable"):
        Config()


@pytest.mark.parametrize("value", ["0", "65536", "smtp", "-25", "25.0"])
def test_config_refuses_a_bad_smtp_port(environment, value):
    environment.setenv("SMTP_PORT", value)
    with pytest.raises(ConfigError, match=r"^SMTP_PORT=.* is not usable"):
        Config()


def test_config_reads_the_smtp_port(environment):
    assert Config().MAIL_PORT == 25
    environment.setenv("SMTP_PORT", "587")
    assert Config().MAIL_PORT == 587


def test_create_app_stops_at_start_up_on_a_bad_setting(environment):
    from webapp.app import create_app
    environment.setenv("SEARCH_RETRY_SECONDS", "never")
    with pytest.raises(ConfigError, match="SEARCH_RETRY_SECONDS='never'"):
        create_app()


def test_ledger_threshold_comes_from_the_app_config(app, monkeypatch):
    from webapp.ledger.settings import second_officer_threshold
    assert second_officer_threshold() == Decimal("5000.00")
    monkeypatch.setitem(app.config, "DISBURSE_SECOND_OFFICER_ABOVE", Decimal("800.00"))
    assert second_officer_threshold() == Decimal("800.00")


def test_config_defaults_of_login_throttle_and_proxies(environment):
    config = Config()
    assert config.TRUSTED_PROXY_COUNT == 0
    assert (config.LOGIN_FREE_FAILURES, config.LOGIN_FIRST_DELAY_SECONDS,
            config.LOGIN_MAX_DELAY_SECONDS) == (3, 2.0, 300.0)
    assert (config.LOGIN_ADDRESS_MAX_FAILURES, config.LOGIN_FAILURE_WINDOW_MINUTES) == (30, 15)


def test_config_reads_throttle_overrides(environment):
    environment.setenv("TRUSTED_PROXY_COUNT", "2")
    environment.setenv("LOGIN_ADDRESS_MAX_FAILURES", "100")
    config = Config()
    assert (config.TRUSTED_PROXY_COUNT, config.LOGIN_ADDRESS_MAX_FAILURES) == (2, 100)


@pytest.mark.parametrize(("name", "value"), [
    ("TRUSTED_PROXY_COUNT", "-1"), ("TRUSTED_PROXY_COUNT", "one"), ("TRUSTED_PROXY_COUNT", "9"),
    ("TRUSTED_PROXY_COUNT", "１"), ("LOGIN_FREE_FAILURES", "1.5"),
    ("LOGIN_ADDRESS_MAX_FAILURES", "0"), ("LOGIN_FAILURE_WINDOW_MINUTES", "0"),
    ("LOGIN_FIRST_DELAY_SECONDS", "0"), ("LOGIN_MAX_DELAY_SECONDS", "nan")])
def test_config_refuses_a_bad_throttle_setting(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ConfigError, match=rf"^{name}=.* is not usable"):
        Config()


def test_config_refuses_a_maximum_delay_below_the_first(environment):
    environment.setenv("LOGIN_FIRST_DELAY_SECONDS", "60")
    environment.setenv("LOGIN_MAX_DELAY_SECONDS", "10")
    with pytest.raises(ConfigError, match="LOGIN_MAX_DELAY_SECONDS"):
        Config()

"""Configuration read from the environment, with safe defaults for one machine."""
from __future__ import annotations

import math
import os
import re
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent.parent


# The languages the interface speaks (a visitor's choice in the session, else the default).
SUPPORTED_LOCALES = ("zh_CN", "en")


def data_dir() -> Path:
    """Return the data directory (database, search index, uploads, keys), creating it."""
    path = Path(os.environ.get("JIUJINAN_DATA_DIR") or BASE_DIR / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_from_file(path: Path, nbytes: int = 32) -> str:
    """Read a secret kept in the data dir, generating it on first start (mode 0600)."""
    if not path.exists():
        value = secrets.token_urlsafe(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
    return path.read_text().strip()


def normalise_db_url(url: str) -> str:
    # Heroku-style URLs and bare postgresql:// should use the psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class ConfigError(ValueError):
    """A setting in the environment cannot be used; raised at start-up, naming the variable."""


def env_amount(name: str, default: str, *, maximum: Decimal = Decimal("999999999999.99")
               ) -> Decimal:
    """An amount of yuan from the environment: 0 to ``maximum``, at most two decimals."""
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if (value is None or not value.is_finite() or not 0 <= value <= maximum
            or value != value.quantize(Decimal("0.01"))):
        raise ConfigError(f"{name}={raw!r} is not usable: give an amount of yuan from 0 to "
                          f"{maximum} with at most two decimals, e.g. {default}")
    return value.quantize(Decimal("0.01"))


def env_seconds(name: str, default: float, *, maximum: float = 86400.0) -> float:
    """A positive number of seconds (at most ``maximum``) from the environment."""
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= maximum:  # also refuses nan and inf
        raise ConfigError(f"{name}={raw!r} is not usable: give a number of seconds greater "
                          f"than 0 and at most {maximum:g}, e.g. {default:g}")
    return value


def env_port(name: str, default: int) -> int:
    """A TCP port number (1 to 65535) from the environment."""
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{name}={raw!r} is not usable: give a port number from 1 to 65535, "
                          f"e.g. {default}")
    return int(raw)


def env_phone(name: str, default: str) -> str:
    """A telephone number people are told to call: mobile, landline with area code, 12345."""
    raw = os.environ.get(name, default).strip()
    if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12345", raw):
        raise ConfigError(f"{name}={raw!r} is not usable: give a mobile number, a landline "
                          "with its area code (0635-3951234) or 12345")
    return raw


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """A whole number from ``minimum`` to ``maximum`` from the environment."""
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ConfigError(f"{name}={raw!r} is not usable: give a whole number from {minimum} "
                          f"to {maximum}, e.g. {default}")
    return int(raw)


class Config:
    """Production-leaning defaults; every value can be overridden from the environment."""

    def __init__(self) -> None:
        self.DATA_DIR = data_dir()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _secret_from_file(
            self.DATA_DIR / "secret_key")
        self.FIELD_ENCRYPTION_KEY = os.environ.get("JIUJINAN_FIELD_KEY") or _secret_from_file(
            self.DATA_DIR / "field_key")
        self.PERSON_HASH_KEY = os.environ.get("JIUJINAN_HASH_KEY") or _secret_from_file(
            self.DATA_DIR / "person_hash_key")
        self.SQLALCHEMY_DATABASE_URI = normalise_db_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{self.DATA_DIR / 'jiujinan.db'}")
        self.SEARCH_URL = os.environ.get("ELASTICSEARCH_URL") or str(self.DATA_DIR / "search")
        self.UPLOAD_DIR = self.DATA_DIR / "uploads"
        self.BABEL_DEFAULT_LOCALE = os.environ.get("JIUJINAN_LANG", "zh_CN")
        # Anonymous public pages cached per data version (webapp/caching.py): in Redis when
        # REDIS_URL is set, in each process otherwise; JIUJINAN_PAGE_CACHE=0 turns it off.
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.PAGE_CACHE = os.environ.get("JIUJINAN_PAGE_CACHE", "1") != "0"
        self.PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60, minimum=0, maximum=86400)
        if os.environ.get("JIUJINAN_BACKGROUND_IN_PROCESS") == "0":
            # App servers beside dedicated `flask search sync --follow` / `flask jobs work
            # --follow` processes (docs/operations.md): no drain threads in the web workers.
            self.SEARCH_SYNC_IN_PROCESS = self.JOBS_IN_PROCESS = False
        self.MAIL_SERVER = os.environ.get("SMTP_HOST")
        self.MAIL_PORT = env_port("SMTP_PORT", 25)
        self.MAIL_USERNAME = os.environ.get("SMTP_USER")
        self.MAIL_PASSWORD = os.environ.get("SMTP_PASSWORD")
        self.MAIL_USE_TLS = os.environ.get("SMTP_TLS", "0") == "1"
        self.MAIL_FROM = os.environ.get("SMTP_FROM", "jiujinan@localhost")
        # Disbursements above this many yuan need a second officer's sign-off first.
        self.DISBURSE_SECOND_OFFICER_ABOVE = env_amount("DISBURSE_SECOND_OFFICER_ABOVE", "5000")
        # After the search engine refused a drain of the outbox, try again this much later.
        self.SEARCH_RETRY_SECONDS = env_seconds("SEARCH_RETRY_SECONDS", 30.0)
        # How many reverse proxies in front of the app append to X-Forwarded-For (werkzeug
        # ProxyFix); 0 trusts no header and uses the TCP peer as the client address.
        self.TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
        # Days personal data is kept after its case ended (webapp/services/retention.py).
        # Leads that never became a case: days after the lead was closed (or filed).
        for kind, days in (("IDENTITY", 3650), ("CONTACT", 1095), ("DOCUMENTS", 3650),
                           ("LEADS", 1095)):
            setattr(self, f"RETENTION_{kind}_DAYS",
                    env_int(f"RETENTION_{kind}_DAYS", days, minimum=0, maximum=100 * 365))
        # Login throttling (services/login_throttle.py): no hard lockout, growing delays.
        self.LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15,
                                                    minimum=1, maximum=1440)
        self.LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 3, minimum=0, maximum=100)
        self.LOGIN_FIRST_DELAY_SECONDS = env_seconds("LOGIN_FIRST_DELAY_SECONDS", 2.0,
                                                     maximum=3600.0)
        self.LOGIN_MAX_DELAY_SECONDS = env_seconds("LOGIN_MAX_DELAY_SECONDS", 300.0,
                                                   maximum=86400.0)
        if self.LOGIN_MAX_DELAY_SECONDS < self.LOGIN_FIRST_DELAY_SECONDS:
            raise ConfigError("LOGIN_MAX_DELAY_SECONDS must not be smaller than "
                              "LOGIN_FIRST_DELAY_SECONDS")
        self.LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 30,
                                                  minimum=1, maximum=100000)
        # Messages to applicants: "outbox" (local table, the default) or "sms" (HTTP gateway).
        self.MESSAGE_SENDER = os.environ.get("MESSAGE_SENDER", "outbox").strip() or "outbox"
        if self.MESSAGE_SENDER not in ("outbox", "sms"):
            raise ConfigError(f"MESSAGE_SENDER={self.MESSAGE_SENDER!r} is not usable: "
                              "give outbox or sms")
        self.SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "").strip()
        self.SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "").strip()
        self.SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "高唐县民政局").strip()
        if self.MESSAGE_SENDER == "sms" and not self.SMS_GATEWAY_URL:
            raise ConfigError("MESSAGE_SENDER=sms needs SMS_GATEWAY_URL")
        self.MESSAGE_MAX_ATTEMPTS = env_int("MESSAGE_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
        # Self-service (网上申请, 进度查询): verification codes and the flood brake.
        self.CODE_TTL_MINUTES = env_int("CODE_TTL_MINUTES", 10, minimum=1, maximum=60)
        self.CODE_MAX_ATTEMPTS = env_int("CODE_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
        self.CODES_PER_PHONE_PER_HOUR = env_int("CODES_PER_PHONE_PER_HOUR", 5, minimum=1,
                                                maximum=1000)
        self.CODES_PER_ADDRESS_PER_HOUR = env_int("CODES_PER_ADDRESS_PER_HOUR", 20, minimum=1,
                                                  maximum=100000)
        self.LEAD_CONTACT_DAYS = env_int("LEAD_CONTACT_DAYS", 1, minimum=1, maximum=30)
        self.APPEAL_DAYS = env_int("APPEAL_DAYS", 60, minimum=1, maximum=365)
        # Complaints (services/complaints.py) and the county's supervision telephone, shown
        # on every public page; a town window may have its own (TownWindow.supervision_phone).
        self.SUPERVISION_PHONE = env_phone("SUPERVISION_PHONE", "0635-3951234")
        self.COMPLAINT_ANSWER_DAYS = env_int("COMPLAINT_ANSWER_DAYS", 10, minimum=1, maximum=60)
        self.COMPLAINT_ADDRESS_LIMIT = env_int("COMPLAINT_ADDRESS_LIMIT", 3, minimum=1,
                                               maximum=1000)
        self.COMPLAINT_WINDOW_MINUTES = env_int("COMPLAINT_WINDOW_MINUTES", 60, minimum=1,
                                                maximum=10080)

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    BABEL_SUPPORTED_LOCALES = ("zh_CN", "en")
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("JIUJINAN_INSECURE_COOKIES", "0") != "1"
    SESSION_COOKIE_NAME = "jiujinan_session"
    # The data version is read from the database at most this often per process (a commit in
    # the process forgets it at once); figures over every case are recomputed after a change in
    # a background thread while the last ones are shown (webapp/caching.py, `lasting`).
    DATA_VERSION_SECONDS = 0.5
    FIGURES_IN_BACKGROUND = True
    REMEMBER_COOKIE_DURATION = 0
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    API_TOKEN_LIFETIME_HOURS = 12
    SEARCH_SYNC_IN_PROCESS = True
    JOBS_IN_PROCESS = True
    # OpenAPI / flask-smorest
    API_TITLE = "Jiujinan API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    """Local `make run`: debug off by default but cookies usable over plain http."""

    SESSION_COOKIE_SECURE = False


class TestConfig(Config):
    """Test runs: the database URL comes from the test fixture."""

    TESTING = True
    PASSWORD_HASH_CHEAP = True
    # Each test sees its own writes and the figures they change in its next request, whatever
    # wrote them (tests/webapp/test_page_cache.py turns both on to test them).
    DATA_VERSION_SECONDS = 0.0
    FIGURES_IN_BACKGROUND = False
    SESSION_COOKIE_SECURE = False
    SEARCH_SYNC_IN_PROCESS = True
    JOBS_IN_PROCESS = False

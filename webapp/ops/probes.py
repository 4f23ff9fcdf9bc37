"""Readiness checks a load balancer and an operator read: each one is a name and a verdict.

The probes only read. Thresholds come from the app config (``READY_OUTBOX_LAG_SECONDS``,
``READY_JOBS_QUEUED_MAX``) or the environment variables of the same name with a ``JIUJINAN_``
prefix; the defaults suit one county.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from search.backend import SearchError
from webapp.models import Job, SearchOutbox, utcnow
from webapp.models.jobs import JobStatus
from webapp.privacy.infrastructure.crypto import DecryptionError

DEFAULT_OUTBOX_LAG_SECONDS = 300.0
DEFAULT_JOBS_QUEUED_MAX = 500


def setting(config, name: str, default: float) -> float:
    """A numeric ops setting from the app config, else ``JIUJINAN_<name>``, else ``default``."""
    value = config.get(name)
    if value is None:
        value = os.environ.get(f"JIUJINAN_{name}") or default
    return float(value)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""  # for the operator's log and the protected metrics, never the public body
    required: bool = True  # a failing optional check marks the host degraded, not unready


@dataclass
class Readiness:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks if check.required)

    def public(self) -> dict:
        """What an unauthenticated caller sees: each check's name and verdict, nothing more."""
        def verdict(check: Check) -> str:
            return "ok" if check.ok else ("fail" if check.required else "degraded")
        return {"status": "ok" if self.ok else "unavailable",
                "checks": {c.name: verdict(c) for c in self.checks}}


def oldest_age(session: Session, column, *where) -> float | None:
    """Seconds since the oldest row's ``column`` (None when there is no row)."""
    oldest = session.scalar(select(func.min(column)).where(*where))
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # SQLite returns naive UTC from an aggregate
        oldest = oldest.replace(tzinfo=dt.UTC)
    return max(0.0, (utcnow() - oldest).total_seconds())


def check_database(session: Session) -> Check:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        session.rollback()
        return Check("database", False, type(exc).__name__)
    return Check("database", True)


def check_outbox(session: Session, max_lag: float) -> Check:
    lag = oldest_age(session, SearchOutbox.created_at)
    if lag is not None and lag > max_lag:
        return Check("outbox", False, f"oldest change waiting {lag:.0f}s (limit {max_lag:.0f}s)")
    return Check("outbox", True, f"oldest change waiting {lag or 0:.0f}s")


def check_jobs(session: Session, max_queued: int) -> Check:
    queued = session.scalar(select(func.count()).select_from(Job)
                            .where(Job.status == JobStatus.QUEUED)) or 0
    if queued > max_queued:
        return Check("jobs", False, f"{queued} jobs queued (limit {max_queued})")
    return Check("jobs", True, f"{queued} jobs queued")


def check_search(backend_factory) -> Check:
    """The index opens; its freshness is the outbox check.

    Optional: pages fall back to the database while the engine is down, so a load balancer
    must not take every host out of service for it.
    """
    try:
        health = backend_factory().health()
    except (SearchError, OSError) as exc:  # an engine that cannot even be reached
        return Check("search_index", False, type(exc).__name__, required=False)
    return Check("search_index", bool(health.ok), health.detail, required=False)


def check_keys(field_key_ring, person_hash_key: str | None) -> Check:
    """The field key seals and opens a probe value; the person-hash key is set."""
    try:
        sealed = field_key_ring().encrypt("probe")
        opened = field_key_ring().decrypt(sealed)
    except (DecryptionError, ValueError, RuntimeError) as exc:
        return Check("keys", False, type(exc).__name__)
    if opened != "probe" or not person_hash_key or person_hash_key == "unset":
        return Check("keys", False, "field or person-hash key missing")
    return Check("keys", True)


def readiness(session: Session, config, *, backend_factory, field_key_ring) -> Readiness:
    """Run every check; a failing database stops the checks that need it."""
    result = Readiness([check_database(session)])
    if result.ok:
        result.checks.append(check_outbox(
            session, setting(config, "READY_OUTBOX_LAG_SECONDS", DEFAULT_OUTBOX_LAG_SECONDS)))
        result.checks.append(check_jobs(
            session, int(setting(config, "READY_JOBS_QUEUED_MAX", DEFAULT_JOBS_QUEUED_MAX))))
    result.checks.append(check_search(backend_factory))
    result.checks.append(check_keys(field_key_ring, config.get("PERSON_HASH_KEY")))
    return result

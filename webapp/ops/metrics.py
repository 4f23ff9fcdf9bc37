"""Prometheus metrics (``prometheus_client``): request latency per route, and queue figures
read from the database at scrape time.

Request latency is labelled by the route's rule (``/cases/<int:case_id>``), never the path
or its query string, so no typed text or record number reaches the metrics. Under gunicorn
with several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (the
client's multi-process mode); ``gunicorn.conf.py`` marks exited workers dead. The database
figures are the same whichever process answers, so they are read once per scrape.
"""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Job, MatchRun, Notification, SearchOutbox, User
from webapp.models.jobs import JobStatus
from webapp.models.matching import RunStatus
from webapp.ops.probes import oldest_age

REQUEST_SECONDS = Histogram(
    "jiujinan_http_request_duration_seconds", "Time to answer a request, by route.",
    ["method", "route", "status"])
UNMATCHED = "<unmatched>"


def install(app: Flask) -> None:
    """Time every request of ``app``."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_observe)
    # Page-cache hits answered in front of Flask (webapp.caching.HitMiddleware) are timed too.
    app.extensions["jiujinan_request_metrics"] = _observe_hit


def _observe_hit(method: str, route: str, status: str, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route or UNMATCHED, status).observe(seconds)


def _start_timer() -> None:
    g.ops_request_started = time.perf_counter()


def _observe(response):
    started = g.get("ops_request_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started)
    return response


class DatabaseCollector:
    """Gauges read from the database at scrape time."""

    def __init__(self, session: Session):
        self.session = session

    def collect(self):
        s = self.session
        yield _gauge("jiujinan_outbox_pending", "Search index changes not yet applied.",
                     s.scalar(select(func.count()).select_from(SearchOutbox)) or 0)
        yield _gauge("jiujinan_outbox_lag_seconds",
                     "Age of the oldest search index change not yet applied (0 if none).",
                     oldest_age(s, SearchOutbox.created_at) or 0.0)
        jobs = GaugeMetricFamily("jiujinan_jobs", "Background jobs by status.",
                                 labels=["status"])
        counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        for status in JobStatus:
            jobs.add_metric([status.value], counts.get(status, 0))
        yield jobs
        yield _gauge("jiujinan_jobs_oldest_queued_seconds",
                     "Age of the oldest queued job (0 if none).",
                     oldest_age(s, Job.created_at, Job.status == JobStatus.QUEUED) or 0.0)
        last = s.scalars(select(MatchRun).where(MatchRun.status == RunStatus.DONE)
                         .order_by(MatchRun.id.desc()).limit(1)).first()
        yield _gauge("jiujinan_matching_last_run_seconds",
                     "Time the last finished matching batch spent in the matcher.",
                     sum(float(v) for v in (last.timings or {}).values()) if last else 0.0)
        yield _gauge("jiujinan_matching_runs_failed",
                     "Matching batches that failed.",
                     s.scalar(select(func.count()).select_from(MatchRun)
                              .where(MatchRun.status == RunStatus.FAILED)) or 0)
        yield _gauge("jiujinan_messages_unsent",
                     "Messages to users with an e-mail address not yet e-mailed.",
                     s.scalar(select(func.count()).select_from(Notification)
                              .join(User, User.id == Notification.user_id)
                              .where(Notification.emailed_at.is_(None),
                                     User.email.is_not(None))) or 0)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition(session: Session) -> tuple[bytes, str]:
    """The text a scrape receives: this process's (or all processes') metrics and the queues."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queues = CollectorRegistry()
    queues.register(DatabaseCollector(session))
    return body + generate_latest(queues), CONTENT_TYPE_LATEST

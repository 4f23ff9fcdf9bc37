"""Probes for the load balancer and the metrics endpoint for Prometheus.

``/healthz`` says the process answers; ``/readyz`` says whether this host should get traffic
(database, key availability, outbox lag, job queue depth; the search index is reported but a
failing one only degrades, since pages fall back to the database). Both are public and show
no figure or error text. ``/metrics`` answers only with ``Authorization: Bearer
<METRICS_TOKEN>``; without a configured token it does not exist (404).
"""
from __future__ import annotations

import hmac
import logging
import os

from flask import Blueprint, Response, abort, current_app, jsonify, request

from webapp.extensions import db
from webapp.models.encrypted import current_ring, set_ring_source
from webapp.ops import keyfiles
from webapp.ops.metrics import exposition
from webapp.ops.metrics import install as install_metrics
from webapp.ops.probes import readiness
from webapp.permissions import PUBLIC, access
from webapp.services.search.sync import get_backend

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)


@bp.record_once
def _setup(state) -> None:
    keyfiles.remember_start_keys(state.app)
    set_ring_source(keyfiles.field_key_ring)
    install_metrics(state.app)
    state.app.before_request(lambda: keyfiles.follow_files(state.app))


@bp.get("/healthz")
@access(PUBLIC)
def healthz():
    """The process is alive and answers (nothing else is checked)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@access(PUBLIC)
def readyz():
    """Whether this host can serve: 200 when every required check passes, else 503."""
    result = readiness(db.session, current_app.config, backend_factory=get_backend,
                       field_key_ring=current_ring)
    db.session.rollback()
    failing = [f"{c.name}: {c.detail}" for c in result.checks if not c.ok]
    if failing:
        log.warning("readiness: %s", "; ".join(failing))
    response = jsonify(result.public())
    response.status_code = 200 if result.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def metrics_token() -> str:
    return str(current_app.config.get("METRICS_TOKEN")
               or os.environ.get("JIUJINAN_METRICS_TOKEN") or "")


@bp.get("/metrics")
@access(PUBLIC)  # guarded by the token below, as a Prometheus scraper has no login
def metrics():
    """Prometheus exposition, for a scraper holding the metrics token."""
    token = metrics_token()
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("metrics token required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = exposition(db.session)
    db.session.rollback()
    return Response(body, mimetype=None, content_type=content_type)

"""``@idempotent``: an API view sent twice with one ``Idempotency-Key`` takes effect once.

Use it between ``@access`` and ``@blp.arguments``, and add ``IDEMPOTENCY_HEADER`` to the
route's ``parameters`` so the OpenAPI document shows it::

    @blp.route("/pledges/<int:pledge_id>/confirm", methods=["POST"],
               parameters=[IDEMPOTENCY_HEADER])
    @access(roles(R.OFFICER))
    @idempotent
    @blp.response(200, PledgeOut)
    def confirm(pledge_id): ...          # flushes; the decorator commits

The decorated view must not commit: the decorator commits once, so the work and the stored
first response become visible together. A retry with the same key and the same request gets
the first response again (header ``Idempotent-Replayed: true``); the same key on a different
request is refused with 422; an error response is not stored, so a retry runs afresh.
"""
from __future__ import annotations

import functools

from flask import current_app, make_response, request
from flask_login import current_user

from webapp.extensions import db
from webapp.services.ledger import idempotency

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": "重试时使用相同的键：只生效一次，并返回第一次的响应。"
                   "A retry with the same key takes effect once and returns the first response.",
}


def idempotent(view):
    """Make an API view take effect once per ``Idempotency-Key`` (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        raw = request.headers.get("Idempotency-Key")
        if raw is None:
            response = make_response(view(*args, **kwargs))
            _finish(response)
            return response
        key = idempotency.check_key(raw)
        fingerprint = idempotency.request_fingerprint(request.method, request.path,
                                                      request.get_data())
        claimed = idempotency.claim(db.session, user_id=current_user.id, key=key,
                                    endpoint=request.endpoint or "", fingerprint=fingerprint)
        if isinstance(claimed, idempotency.StoredResponse):
            db.session.rollback()
            replay = current_app.response_class(claimed.body, status=claimed.status_code,
                                                mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            idempotency.remember(db.session, claimed, status_code=response.status_code,
                                 body=response.get_data(as_text=True))
        _finish(response)
        return response

    return wrapper


def _finish(response) -> None:
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()

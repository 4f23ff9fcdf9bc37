"""How a request becomes a user: session cookie for pages, bearer token for the API."""
from __future__ import annotations

import datetime as dt

from flask import Flask, abort, request

from webapp.extensions import db, login_manager
from webapp.services import accounts


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def init(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        # The API authenticates only by bearer token, so a cookie cannot ride along (no CSRF).
        if _is_api_request():
            return None
        return accounts.load_login_session(db.session, token)

    @login_manager.request_loader
    def load_from_bearer(req):
        if not _is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return accounts.load_api_token(db.session, header[len("Bearer "):].strip())

    @login_manager.unauthorized_handler
    def unauthorized():
        abort(401)


def session_lifetime(app: Flask) -> dt.timedelta:
    return dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])

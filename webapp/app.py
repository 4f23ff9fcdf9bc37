"""The application factory."""
from __future__ import annotations

import logging
import os

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import (
    database,  # also registers the engine's event listeners
    features,
    input_guard,
)
from webapp.config import SUPPORTED_LOCALES, Config, DevelopmentConfig, TestConfig
from webapp.extensions import babel, csrf, db, login_manager, migrate, talisman
from webapp.logging_setup import install_pii_filter
from webapp.models.encrypted import set_key_source
from webapp.permissions import PUBLIC, access, rule_of
from webapp.services import events
from webapp.services.accounts import configure_hasher
from webapp.services.audit import client_address

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _config_for_env() -> Config:
    env = os.environ.get("JIUJINAN_ENV", "production")
    return DevelopmentConfig() if env == "development" else Config()


def create_app(config: dict | Config | None = None) -> Flask:
    """Create the Flask app; ``config`` is a Config object or a mapping of overrides."""
    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    _configure(app, config)
    _init_extensions(app)
    # Applicant columns are sealed with the FIELD_ENCRYPTION_KEY of whichever app is running.
    set_key_source(lambda: current_app.config["FIELD_ENCRYPTION_KEY"])
    events.register_subscribers()
    # The areas below are imported where they are wired, so this function reads as the order
    # in which the app is put together.
    from webapp.services.doors import messages as door_messages
    door_messages.configure(app.config)  # the applicants' message sender
    _init_areas(app)
    for bp in features.blueprints():
        app.register_blueprint(bp)
    from webapp.api import register_api
    from webapp.cli import register_cli
    register_api(app)
    register_cli(app)
    _install_request_hooks(app)
    return app


def _configure(app: Flask, config: dict | Config | None) -> None:
    if isinstance(config, Config):
        app.config.from_object(config)
    else:
        base = TestConfig() if config and config.get("TESTING") else _config_for_env()
        app.config.from_object(base)
        app.config.update(config or {})
    app.config.setdefault("API_SPEC_OPTIONS", {})
    if app.config.get("TRUSTED_PROXY_COUNT"):
        # Behind N reverse proxies, the client address is the N-th X-Forwarded-For entry
        # from the right; entries further left were written by the client and are ignored.
        proxies = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_pii_filter(app)
    input_guard.init(app)  # before any route: it bounds the <int:...> converter


def _init_extensions(app: Flask) -> None:
    configure_hasher(cheap=app.config.get("PASSWORD_HASH_CHEAP", False))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(os.path.join(os.path.dirname(__file__), "..",
                                                          "migrations")))
    login_manager.init_app(app)
    csrf.init_app(app)
    from webapp import caching
    caching.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    talisman.init_app(app, content_security_policy=CSP, force_https=False,
                      session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
                      strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
                      frame_options="DENY", referrer_policy="same-origin")


def _init_areas(app: Flask) -> None:
    """Background workers, login loaders, error pages and template globals."""
    from webapp import auth_loaders, background, errors, templating
    from webapp.services import jobs as jobs_service
    from webapp.services.search import sync as search_sync
    background.init(app)
    if app.config.get("JOBS_IN_PROCESS"):
        background.register_worker(app, jobs_service.WORKER,
                                   lambda: jobs_service.run_pending(db.session))
    search_sync.init_app(app)
    auth_loaders.init(app)
    errors.init(app)
    templating.init(app)


def _install_request_hooks(app: Flask) -> None:
    def _fresh_request_state():
        # An outer app context (tests, scripts) is reused by Flask for requests; it must not
        # leak a cached user or CSRF token into the next request. In production every
        # request has its own context and this clears nothing.
        for key in list(g):
            g.pop(key)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)

    @app.teardown_request
    def _remove_session(exc):
        db.session.remove()

    @app.before_request
    def _audit_context():
        client_address.set(request.remote_addr)
        g.client_address = request.remote_addr

    app.before_request(_enforce_access_rule)
    # SQLite: page reads begin DEFERRED; a GET that must write after all runs again (database).
    app.dispatch_request = database.retry_with_write_lock(  # type: ignore[method-assign]
        app.dispatch_request, db.session.rollback)
    static_view = app.view_functions["static"]
    access(PUBLIC)(static_view)


def _select_locale() -> str:
    lang = session.get("lang")
    if lang in SUPPORTED_LOCALES:
        return lang
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in SUPPORTED_LOCALES:
        return user_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _enforce_access_rule():
    """Deny any request whose endpoint declares no rule, or whose rule the user fails."""
    if request.endpoint is None:
        return  # 404/405 handled by routing
    view = current_app.view_functions.get(request.endpoint)
    rule = rule_of(view)
    if rule is None:
        current_app.logger.error("route %s has no access rule; denied", request.endpoint)
        abort(403)
    if rule.allows(current_user):
        return
    if not current_user.is_authenticated:
        abort(401)
    abort(403)

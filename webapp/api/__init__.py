"""The JSON API under /api/v1: bearer tokens, problem+json errors, a generated OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template
from flask_smorest import Api as SmorestApi

from webapp.api import openapi
from webapp.extensions import csrf
from webapp.permissions import PUBLIC, access


class Api(SmorestApi):
    """flask-smorest's Api without its own error handlers: errors.py renders problem+json."""

    def _register_error_handlers(self):
        return None


api = Api()


def api_blueprints():
    """Every API blueprint, in registration order. Each area adds its module here."""
    # Imported when the API is registered, like the page blueprints in webapp/features.py.
    from webapp.api import (
        cases,
        complaints,
        core,
        county_rules,
        delivery,
        ledger,
        matching,
        resources,
        search,
        supervision,
    )
    from webapp.api import leads as doors_leads
    from webapp.api import pledges as resource_pledges
    return [core.blp, cases.blp, ledger.blp, resources.blp, resource_pledges.blp, search.blp,
            matching.blp, doors_leads.blp, delivery.blp, complaints.blp, supervision.blp,
            county_rules.blp]


def register_api(app: Flask) -> None:
    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"].setdefault("info", {
        "description": "高唐县救急难服务平台 JSON API. Authenticate with `POST /api/v1/tokens`, "
                       "then send `Authorization: Bearer <token>`. Errors are "
                       "`application/problem+json` (RFC 9457)."})
    api.init_app(app)
    openapi.init(api)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blp in api_blueprints():
        api.register_blueprint(blp)
        csrf.exempt(blp)

    # The spec view is a bound method; replace it so it carries its access rule and serves
    # the document completed by webapp/api/openapi.py.
    spec = api.spec

    @access(PUBLIC)
    def openapi_json():
        return jsonify(openapi.document(app, spec.to_dict()))

    app.view_functions["api-docs.openapi_json"] = openapi_json

    docs = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")

    @docs.route("/docs")
    @access(PUBLIC)
    def page():
        return render_template("api/docs.html")

    app.register_blueprint(docs)

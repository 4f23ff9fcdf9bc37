"""API tokens and the current user."""
from __future__ import annotations

import datetime as dt

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from webapp.errors import problem
from webapp.extensions import db
from webapp.models import ApiToken
from webapp.permissions import LOGIN, PUBLIC, access
from webapp.services import accounts
from webapp.services.login_throttle import ThrottlePolicy

blp = Blueprint("api_core", __name__, url_prefix="/api/v1", description="认证与当前用户")


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                             load_only=True)


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Function(lambda o: o.kind.value)


class MeOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    organisation = fields.Nested(OrganisationOut)
    roles = fields.Function(lambda u: sorted(r.value for r in u.roles))


@blp.route("/tokens", methods=["POST"])
@access(PUBLIC)
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, description="用户名或密码错误")
@blp.alt_response(429, description="登录失败次数过多")
def create_token(body):
    """Exchange a username and password for a bearer token."""
    try:
        user = accounts.authenticate(
            db.session, body["username"], body["password"], address=request.remote_addr or "-",
            policy=ThrottlePolicy.from_config(current_app.config))
    except accounts.ThrottledError as exc:
        db.session.rollback()
        response = problem(429, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except accounts.AuthenticationError as exc:
        db.session.commit()  # keep the failure record for throttling
        return problem(401, exc.message)
    lifetime = dt.timedelta(hours=current_app.config["API_TOKEN_LIFETIME_HOURS"])
    token, row = accounts.issue_api_token(db.session, user, lifetime=lifetime, label="api")
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@access(LOGIN)
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
def revoke_current_token():
    """Revoke the token used for this request."""
    header = request.headers.get("Authorization", "")
    token_hash = accounts.token_hash(header[len("Bearer "):].strip())
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if row is not None:
        accounts.revoke_api_token(db.session, current_user, row)
        db.session.commit()


@blp.route("/me")
@access(LOGIN)
@blp.response(200, MeOut)
@blp.doc(security=[{"bearerAuth": []}])
def me():
    """The authenticated user, with organisation and roles."""
    return current_user

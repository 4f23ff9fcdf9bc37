"""Accounts: registration, password checks with throttling, login sessions and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from webapp.models import (
    ApiToken,
    LoginSession,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    User,
    UserRole,
    utcnow,
)
from webapp.services import ConflictError, DomainError, Msg, audit, login_throttle
from webapp.services.login_throttle import ThrottlePolicy

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verifying against this keeps the time of an unknown-user login equal to a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


def configure_hasher(cheap: bool) -> None:
    """Use argon2's cheapest profile (tests only) or its RFC 9106 default."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST if cheap else
                                             profiles.RFC_9106_LOW_MEMORY)
    _DUMMY_HASH = _hasher.hash("not a password")

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10
SELF_REGISTER_ROLES = {Role.DONOR, Role.VOLUNTEER}
ORG_REGISTER_KINDS = {OrgKind.CHARITY: Role.CHARITY_STAFF, OrgKind.ENTERPRISE: Role.FUND_MANAGER,
                      OrgKind.VOLUNTEER_TEAM: Role.VOLUNTEER}


class AuthenticationError(DomainError):
    status = 401


class ThrottledError(DomainError):
    status = 429

    def __init__(self, message: str, *, retry_after: int, **params: Any):
        super().__init__(message, **params)
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError("密码至少需要 %(minimum)s 个字符", field="password", minimum=MIN_PASSWORD)
    if len(password) > 128:
        raise DomainError("密码不能超过 128 个字符", field="password")


def authenticate(session: Session, username: str, password: str, *, address: str,
                 policy: ThrottlePolicy | None = None) -> User:
    """Return the user for these credentials, or raise; failures are recorded for throttling."""
    username = (username or "").strip()[:64]
    policy = policy or ThrottlePolicy()
    wait = login_throttle.wait_seconds(session, username, address, policy)
    if wait:
        log.warning("login throttled for an account or address (address=%s)", address)
        raise ThrottledError("登录失败次数过多，请 %(seconds)s 秒后再试", retry_after=wait,
                             seconds=wait)
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        login_throttle.record_failure(session, username, address)
        audit.record(session, user, "login.failed", object_type="users",
                     object_id=user.id if user else None)
        session.flush()
        raise AuthenticationError("用户名或密码错误")
    if not user.is_active:
        raise AuthenticationError("账户未启用或所属机构尚未通过审核")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_login_session(session: Session, user: User, *, address: str,
                        lifetime: dt.timedelta) -> str:
    """Create a server-side login session and return its secret token."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(token), user_id=user.id,
                             expires_at=utcnow() + lifetime, client_address=address))
    user.login_token = token
    audit.record(session, user, "login", user)
    session.flush()
    return token


def load_login_session(session: Session, token: str) -> User | None:
    row = session.scalars(select(LoginSession).where(
        LoginSession.token_hash == token_hash(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    user.login_token = token
    return user


def end_login_session(session: Session, user: User, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    audit.record(session, user, "logout", user)


def issue_api_token(session: Session, user: User, *, lifetime: dt.timedelta,
                    label: str | None = None) -> tuple[str, ApiToken]:
    token = "jj_" + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), user_id=user.id,
                   expires_at=utcnow() + lifetime, label=label)
    session.add(row)
    session.flush()
    audit.record(session, user, "api_token.issue", row)
    return token, row


def load_api_token(session: Session, token: str) -> User | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at < utcnow():
        return None
    return row.user if row.user.is_active else None


def revoke_api_token(session: Session, actor: User, token_row: ApiToken) -> None:
    if token_row.revoked_at is None:
        token_row.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoke", token_row)


@dataclass
class NewUser:
    username: str
    password: str
    display_name: str
    roles: set[Role]
    organisation: Organisation
    email: str | None = None


def create_user(session: Session, actor: User | None, new: NewUser) -> User:
    """Create a user after validating everything; all errors are reported together."""
    errors: dict[str, list[str | Msg]] = {}
    if not USERNAME_RE.match(new.username or ""):
        errors.setdefault("username", []).append(Msg("用户名须为 3–64 位字母、数字、下划线、点或连字符"))
    elif session.scalar(select(func.count()).select_from(User).where(
            User.username == new.username)):
        errors.setdefault("username", []).append(Msg("该用户名已被使用"))
    try:
        check_password_rules(new.password or "")
    except DomainError as exc:
        errors.setdefault("password", []).append(exc.message)
    if not (new.display_name or "").strip() or len(new.display_name) > 64:
        errors.setdefault("display_name", []).append(Msg("请填写 1–64 个字符的显示名称"))
    if not new.roles:
        errors.setdefault("roles", []).append("至少选择一个角色")
    if errors:
        raise DomainError("请更正标出的错误", errors=errors)
    user = User(username=new.username, display_name=new.display_name.strip(),
                email=new.email, password_hash=hash_password(new.password),
                organisation=new.organisation, password_changed_at=utcnow())
    user.role_rows = [UserRole(role=r) for r in sorted(new.roles, key=lambda r: r.value)]
    session.add(user)
    session.flush()
    audit.record(session, actor or user, "user.create", user,
                 summary={"roles": sorted(r.value for r in new.roles),
                          "organisation_id": new.organisation.id})
    return user


def public_organisation(session: Session) -> Organisation:
    """The organisation that holds self-registered donors and individual volunteers."""
    org = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.PUBLIC)).first()
    if org is None:
        org = Organisation(name="社会公众", kind=OrgKind.PUBLIC, status=OrgStatus.APPROVED,
                           code="public")
        session.add(org)
        session.flush()
    return org


def register_individual(session: Session, *, username: str, password: str, display_name: str,
                        role: Role, email: str | None = None) -> User:
    if role not in SELF_REGISTER_ROLES:
        raise DomainError("该角色不能自行注册", field="role")
    return create_user(session, None, NewUser(username, password, display_name, {role},
                                              public_organisation(session), email))


def register_organisation(session: Session, *, org_name: str, kind: OrgKind, contact: str,
                          username: str, password: str, display_name: str,
                          email: str | None = None) -> User:
    """Register a charity, enterprise or volunteer team; it waits for an officer's approval."""
    if kind not in ORG_REGISTER_KINDS:
        raise DomainError("该类型的机构不能自行注册", field="kind")
    org_name = (org_name or "").strip()
    if not org_name or len(org_name) > 120:
        raise DomainError("请填写 1–120 个字符的机构名称", field="org_name")
    if session.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.name == org_name)):
        raise DomainError("该机构名称已被注册", field="org_name")
    org = Organisation(name=org_name, kind=kind, status=OrgStatus.PENDING,
                       contact=(contact or "")[:200])
    session.add(org)
    session.flush()
    user = create_user(session, None, NewUser(username, password, display_name,
                                              {ORG_REGISTER_KINDS[kind]}, org, email))
    audit.record(session, user, "organisation.register", org, summary={"kind": kind.value})
    return user


def decide_organisation(session: Session, actor: User, org: Organisation, *,
                        approve: bool) -> None:
    if org.status != OrgStatus.PENDING:
        raise ConflictError("该机构不在待审核状态")
    org.status = OrgStatus.APPROVED if approve else OrgStatus.REJECTED
    audit.record(session, actor, "organisation.approve" if approve else "organisation.reject", org)


def set_roles(session: Session, actor: User, user: User, roles: set[Role]) -> None:
    if not roles:
        raise DomainError("至少选择一个角色", field="roles")
    before = sorted(r.value for r in user.roles)
    user.role_rows = [UserRole(role=r) for r in sorted(roles, key=lambda r: r.value)]
    session.flush()
    audit.record(session, actor, "user.roles", user,
                 summary={"before": before, "after": sorted(r.value for r in roles)})


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    user.active = active
    if not active:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    audit.record(session, actor, "user.activate" if active else "user.deactivate", user)


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise DomainError("当前密码不正确", field="current") from None
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    # Other browsers logged in with the old password are logged out.
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                               LoginSession.token_hash != token_hash(
                                                   user.login_token or "")))
    audit.record(session, user, "user.password", user)

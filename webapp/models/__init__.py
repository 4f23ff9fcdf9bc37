"""SQLAlchemy models, one module per aggregate; importing this registers them all."""
from webapp.models.accounts import (  # noqa: F401
    ApiToken, LoginFailure, LoginSession, Organisation, OrgKind, OrgStatus, Role, User, UserRole)
from webapp.models.audit import AuditEvent, AuditHead  # noqa: F401
from webapp.models.base import Base, utcnow  # noqa: F401

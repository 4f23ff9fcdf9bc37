"""SQLAlchemy models, one module per aggregate; importing this registers them all."""
from webapp.models.accounts import (  # noqa: F401
    ApiToken, LoginFailure, LoginSession, Organisation, OrgKind, OrgStatus, Role, User, UserRole)
from webapp.models.audit import AuditEvent, AuditHead  # noqa: F401
from webapp.models.base import Base, utcnow  # noqa: F401
from webapp.models.catalog import CATEGORY_LABELS, Category  # noqa: F401
from webapp.models.cases import Case, CaseStatus  # noqa: F401
from webapp.models.jobs import Job, JobStatus  # noqa: F401
from webapp.models.needs import NeedCard, NeedStatus  # noqa: F401
from webapp.models.resources import (  # noqa: F401
    Fund, ListingStatus, Offer, Pledge, PledgeStatus, Project, Scheme)

"""Access rules: pure predicates plus the declaration every route must carry.

A view declares who may reach it with ``@access(...)``. The app refuses any request whose
endpoint has no declared rule, and a test walks ``app.url_map`` to catch such routes early.
Object-level checks (``can_view_case`` …) live here too and are used by views, the API and
templates alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from webapp.models import Role

R = Role
STAFF_ROLES = frozenset({R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR, R.ADMIN})
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    """Who may reach a route: everyone, any logged-in user, or holders of given roles."""

    public: bool = False
    roles: frozenset[Role] = frozenset()
    any_login: bool = False

    def allows(self, user) -> bool:
        if self.public:
            return True
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if self.any_login:
            return True
        return bool(user.roles & self.roles)

    def describe(self) -> str:
        if self.public:
            return "public"
        if self.any_login:
            return "login"
        return ",".join(sorted(r.value for r in self.roles))


PUBLIC = Rule(public=True)
LOGIN = Rule(any_login=True)


def roles(*allowed: Role) -> Rule:
    return Rule(roles=frozenset(allowed))


ATTR = "_access_rule"


def access(rule: Rule) -> Callable:
    """Declare the access rule of a view function."""

    def decorate(func):
        setattr(func, ATTR, rule)
        return func

    return decorate


def rule_of(view_func) -> Rule | None:
    return getattr(view_func, ATTR, None) or getattr(
        getattr(view_func, "view_class", None), ATTR, None)


# ---- object-level predicates --------------------------------------------------------------

def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.roles & STAFF_ROLES)


def can_manage_users(user) -> bool:
    return user.has_role(R.ADMIN)


def can_approve_organisations(user) -> bool:
    return user.has_role(R.OFFICER, R.ADMIN)


def can_read_audit(user) -> bool:
    return user.has_role(R.AUDITOR, R.ADMIN, R.OFFICER)


def same_organisation(user, organisation_id: int | None) -> bool:
    return organisation_id is not None and user.organisation_id == organisation_id

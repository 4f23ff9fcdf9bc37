"""Access rules: pure predicates plus the declaration every route must carry.

A view declares who may reach it with ``@access(...)``. The app refuses any request whose
endpoint has no declared rule, and a test walks ``app.url_map`` to catch such routes early.
Object-level checks (``can_view_case`` …) live here too and are used by views, the API and
templates alike.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from webapp.models import OrgKind, Role

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


# ---- listings and pledges (resource area) -------------------------------------------------

LISTING_ROLES = {"project": frozenset({R.CHARITY_STAFF}), "fund": frozenset({R.FUND_MANAGER}),
                 "offer": frozenset({R.VOLUNTEER}),
                 "scheme": frozenset({R.OFFICER, R.DEPARTMENT_HANDLER})}


def can_create_listing(user, kind: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.roles & LISTING_ROLES[kind])


def can_manage_listing(user, listing) -> bool:
    """Only the owning organisation (or, for an individual volunteer, the volunteer) edits a
    listing; officers manage every government scheme."""
    kind = listing.kind.value
    if not can_create_listing(user, kind):
        return False
    if kind == "scheme" and user.has_role(R.OFFICER):
        return True
    if kind == "offer" and listing.volunteer_id is not None:
        return listing.volunteer_id == user.id
    return (same_organisation(user, listing.organisation_id)
            and user.organisation.kind.value != "public")


def can_review_listings(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(R.OFFICER))


def can_handle_pledge(user, pledge) -> bool:
    """The receiving organisation confirms pledges to its projects; the bureau those to needs."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(R.OFFICER):
        return True
    if pledge.project_id is not None and pledge.project is not None:
        return (user.has_role(R.CHARITY_STAFF)
                and same_organisation(user, pledge.project.organisation_id))
    return False


def can_view_pledge(user, pledge) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (pledge.donor_id == user.id or can_handle_pledge(user, pledge)
            or user.has_role(R.AUDITOR, R.ADMIN))


# ---- urgent cases (个案) -------------------------------------------------------------------

CASE_READERS = frozenset({R.INTAKE_WORKER, R.DEPARTMENT_HANDLER, R.OFFICER, R.AUDITOR})
CASE_WRITERS = frozenset({R.INTAKE_WORKER, R.OFFICER})


def town_id_of(user) -> int | None:
    """The town a user works for: their organisation, or the parent of their community."""
    org = getattr(user, "organisation", None)
    if org is None:
        return None
    if org.kind == OrgKind.TOWN:
        return org.id
    if org.kind == OrgKind.COMMUNITY:
        return org.parent_id
    return None


def is_case_town_worker(user, case) -> bool:
    return user.has_role(R.INTAKE_WORKER) and town_id_of(user) == case.town_id


def is_case_department(user, case) -> bool:
    return user.has_role(R.DEPARTMENT_HANDLER) and any(
        t.department_id == user.organisation_id for t in case.transfers)


def can_view_case(user, case) -> bool:
    """Officers and auditors see every case, town workers their town's, departments theirs."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (user.has_role(R.OFFICER, R.AUDITOR) or is_case_town_worker(user, case)
            or is_case_department(user, case))


def case_pii_limited(user, case) -> bool:
    """Whether the user sees the case only as a department: ID hidden, phone masked."""
    return not (user.has_role(R.OFFICER, R.AUDITOR) or is_case_town_worker(user, case))


def can_reveal_case(user, case) -> bool:
    """Who may show the unmasked personal data (an audited action)."""
    return can_view_case(user, case) and not case_pii_limited(user, case)


def can_view_consent(user, case) -> bool:
    """Who sees the case's 告知同意 record: those who may reveal its personal data."""
    return can_reveal_case(user, case)


def can_change_case(user, case) -> bool:
    """Who may act on a case at all; the state machine checks role and ownership per step."""
    return user.has_role(R.OFFICER) or is_case_town_worker(user, case)


def can_view_attachments(user, case) -> bool:
    return can_reveal_case(user, case)


# ---- ledger --------------------------------------------------------------------------------

LEDGER_READERS = frozenset({R.OFFICER, R.AUDITOR, R.ADMIN})
LEDGER_BALANCE_READERS = LEDGER_READERS | {R.FUND_MANAGER, R.CHARITY_STAFF}


def can_read_ledger(user) -> bool:
    """Officers, auditors and admins read every account, journal and voucher."""
    return bool(getattr(user, "is_authenticated", False) and user.roles & LEDGER_READERS)


def can_view_ledger_account(user, account) -> bool:
    """Ledger readers see every account; fund managers and charity staff their own
    organisation's fund or project accounts."""
    if can_read_ledger(user):
        return True
    return (account.kind.value in ("fund", "project") and user.has_role(
        R.FUND_MANAGER, R.CHARITY_STAFF) and same_organisation(user, account.organisation_id))


def can_move_money(user) -> bool:
    """Only Civil Affairs officers reserve, disburse, void, sign off and refund."""
    return user.has_role(R.OFFICER)


# ---- matching ------------------------------------------------------------------------------

MATCH_RESPONDER_ROLES = frozenset({R.CHARITY_STAFF, R.FUND_MANAGER, R.VOLUNTEER,
                                   R.DEPARTMENT_HANDLER, R.OFFICER})


def can_review_matches(user) -> bool:
    """Civil Affairs officers run batches and approve or reject proposals."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(R.OFFICER))


def can_respond_to_proposal(user, proposal, listing) -> bool:
    """The listing's provider accepts or declines an approved pairing: the organisation's
    staff in the listing's role, the volunteer of an individual offer, and for a government
    scheme its department (or officers, for the bureau's own schemes)."""
    if listing is None or not getattr(user, "is_authenticated", False):
        return False
    kind = proposal.resource_kind.value
    if kind == "offer" and listing.volunteer_id is not None:
        return listing.volunteer_id == user.id
    role = {"project": R.CHARITY_STAFF, "fund": R.FUND_MANAGER, "offer": R.VOLUNTEER,
            "scheme": R.DEPARTMENT_HANDLER}[kind]
    if kind == "scheme" and user.has_role(R.OFFICER):
        return same_organisation(user, listing.organisation_id)
    return user.has_role(role) and same_organisation(user, listing.organisation_id)

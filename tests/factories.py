"""Factories as fixtures returning callables (STYLE.md)."""
from __future__ import annotations

import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture
def make_user(db):
    """Create a user with the given roles in a (new or given) organisation."""
    from webapp.models import Organisation, OrgKind, OrgStatus, Role
    from webapp.services import accounts

    def make(*roles: Role, organisation=None, username=None, password="correct-horse-1",
             org_kind=OrgKind.CIVIL_AFFAIRS):
        n = next(_counter)
        if organisation is None:
            organisation = Organisation(name=f"测试机构{n}", kind=org_kind,
                                        status=OrgStatus.APPROVED)
            db.session.add(organisation)
            db.session.flush()
        user = accounts.create_user(db.session, None, accounts.NewUser(
            username or f"user{n}", password, f"测试用户{n}", set(roles) or {Role.DONOR},
            organisation))
        db.session.commit()
        return user

    return make

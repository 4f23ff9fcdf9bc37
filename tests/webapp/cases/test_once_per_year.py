"""Once per cause per year, across towns, via the keyed hash."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import ORDINARY, make_id
from webapp.models import AssistanceException, AuditEvent, CaseStatus
from webapp.services import ConflictError, DomainError
from webapp.services.cases import workflow

PERSON = make_id("19750102", 7)


def approve(db, staff, case, settings, **params):
    workflow.fire(db.session, staff["officer"], case, "approve", settings=settings, **params)
    db.session.commit()


def test_once_per_year_blocks_second_approval_in_another_town(db, reported_case, staff, settings):
    approve(db, staff, reported_case("梁村镇", ORDINARY, id_number=PERSON), settings)
    second = reported_case("清平镇", ORDINARY, id_number=PERSON)
    with pytest.raises(ConflictError, match="365 天内"):
        workflow.fire(db.session, staff["officer"], second, "approve", settings=settings)
    db.session.rollback()
    assert db.session.get(type(second), second.id).status == CaseStatus.VERIFIED


def test_once_per_year_matches_id_typed_differently(db, reported_case, staff, settings):
    approve(db, staff, reported_case("梁村镇", ORDINARY, id_number=PERSON), settings)
    second = reported_case("清平镇", ORDINARY, id_number=" " + PERSON.lower() + " ")
    with pytest.raises(ConflictError):
        workflow.fire(db.session, staff["officer"], second, "approve", settings=settings)


def test_once_per_year_exception_with_reason_allows_approval(db, reported_case, staff, settings):
    approve(db, staff, reported_case("梁村镇", ORDINARY, id_number=PERSON), settings)
    second = reported_case("清平镇", ORDINARY, id_number=PERSON)
    approve(db, staff, second, settings, exception_reason="再次遭遇火灾，经研究同意")
    assert second.status == CaseStatus.APPROVED
    row = db.session.scalars(select(AssistanceException)).one()
    assert (row.case_id, row.officer_id) == (second.id, staff["officer"].id)
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.assistance_exception")).one()


def test_once_per_year_too_short_exception_reason_is_refused(db, reported_case, staff, settings):
    approve(db, staff, reported_case("梁村镇", ORDINARY, id_number=PERSON), settings)
    second = reported_case("清平镇", ORDINARY, id_number=PERSON)
    with pytest.raises(DomainError) as exc:
        workflow.fire(db.session, staff["officer"], second, "approve", settings=settings,
                      exception_reason="同意")
    assert exc.value.field == "exception_reason"


def test_once_per_year_other_category_is_not_blocked(db, reported_case, staff, settings):
    approve(db, staff, reported_case("梁村镇", ORDINARY, id_number=PERSON), settings)
    second = reported_case("清平镇", ORDINARY, id_number=PERSON, category="fire")
    approve(db, staff, second, settings)
    assert second.status == CaseStatus.APPROVED


def test_once_per_year_after_365_days_is_allowed(db, reported_case, staff, settings):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    first = reported_case("梁村镇", ORDINARY, id_number=PERSON, now=long_ago)
    workflow.fire(db.session, staff["officer"], first, "approve", settings=settings,
                  now=long_ago)
    db.session.commit()
    second = reported_case("清平镇", ORDINARY, id_number=PERSON)
    approve(db, staff, second, settings)
    assert second.status == CaseStatus.APPROVED

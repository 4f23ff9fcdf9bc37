"""Retention purges ended cases' personal data, keeps the figures, and never an open case."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.models import Applicant, AuditEvent, Case, User, utcnow
from webapp.models.cases import TERMINAL_STATUSES
from webapp.privacy.infrastructure.crypto import person_key
from webapp.services import ConflictError, DomainError, audit, ledger, retention
from webapp.services.transparency import county_totals


def _upload(app):
    return app.config["DATA_DIR"] / "uploads"


def _officer(db):
    return db.session.scalars(select(User).where(User.username == "officer")).one()


def _cases(db, *, ended: bool):
    where = Case.status.in_(TERMINAL_STATUSES) if ended else Case.status.not_in(TERMINAL_STATUSES)
    return list(db.session.scalars(select(Case).where(where).order_by(Case.id)))


def _people(cases):
    return {c.id: (c.applicant.name, c.applicant.id_number, c.applicant.phone) for c in cases}


def test_purge_replaces_expired_data_and_keeps_totals_and_chains(app, db, demo_slice):
    ended, still_open = _cases(db, ended=True), _cases(db, ended=False)
    assert ended and still_open
    open_people = _people(still_open)
    totals = county_totals(db.session)
    later = utcnow() + dt.timedelta(days=11 * 365)
    report = retention.purge_expired(db.session, None, retention.RetentionPolicy(),
                                     upload_dir=_upload(app), now=later)
    db.session.commit()
    db.session.expire_all()
    assert report.cases == len(ended)
    for case in _cases(db, ended=True):
        assert case.applicant.name == retention.TOMBSTONE
        assert case.applicant.id_number == "" and case.applicant.phone is None
        assert case.applicant.purged_at is not None
        assert case.description == retention.TOMBSTONE
    assert _people(_cases(db, ended=False)) == open_people
    assert county_totals(db.session) == totals
    assert ledger.verify_ledger(db.session).ok
    assert audit.verify_chain(db.session).ok
    purges = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "retention.purge"))
    assert purges == len(ended)


def test_purge_keeps_each_kind_for_its_own_period(app, db, demo_slice):
    ended = _cases(db, ended=True)
    names = {c.id: c.applicant.name for c in ended}
    later = utcnow() + dt.timedelta(days=4 * 365)  # past contact (3 y), not identity (10 y)
    retention.purge_expired(db.session, None, retention.RetentionPolicy(),
                            upload_dir=_upload(app), now=later)
    db.session.commit()
    db.session.expire_all()
    for case in _cases(db, ended=True):
        assert case.applicant.phone is None and case.applicant.address is None
        assert case.applicant.name == names[case.id]
        assert case.applicant.purged_at is None


def test_purge_of_an_open_case_is_refused_and_changes_nothing(app, db, reported_case):
    case = reported_case(actions=("accept",))
    before = _people([case])
    with pytest.raises(ConflictError):
        retention.purge_case(db.session, None, case, set(retention.KINDS),
                             upload_dir=_upload(app))
    db.session.rollback()
    db.session.expire_all()
    assert _people([db.session.get(Case, case.id)]) == before


def test_policy_refuses_a_negative_period():
    with pytest.raises(ValueError, match="RETENTION_CONTACT_DAYS"):
        retention.RetentionPolicy.from_config({"RETENTION_CONTACT_DAYS": "-5"})


def test_export_holds_the_person_and_their_cases_and_is_audited(app, db, reported_case):
    case = reported_case(actions=("accept",))
    record = retention.export_person(db.session, _officer(db), case.applicant)
    db.session.commit()
    assert record["applicant"]["name"] == case.applicant.name
    assert record["applicant"]["id_number"] == case.applicant.id_number
    assert [c["number"] for c in record["cases"]] == [case.number]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.export")).one()
    assert case.applicant.name not in event.summary
    assert case.applicant.id_number not in event.summary


def test_correction_rederives_the_person_hash_and_is_audited(app, db, reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    new_id = "371526198001010019"
    changed = retention.correct_person(
        db.session, _officer(db), applicant, {"id_number": new_id, "phone": "13900000000"},
        reason="户口簿更正", hash_key=app.config["PERSON_HASH_KEY"])
    db.session.commit()
    assert changed == ["id_number", "phone"]
    db.session.expire_all()
    fresh = db.session.get(Applicant, applicant.id)
    assert fresh.id_number == new_id
    assert fresh.person_key == person_key(new_id, app.config["PERSON_HASH_KEY"])
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.correct")).one()
    assert new_id not in event.summary and '"id_number"' in event.summary


def test_correction_with_bad_input_changes_nothing(app, db, reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    before = (applicant.name, applicant.id_number)
    with pytest.raises(DomainError) as refused:
        retention.correct_person(db.session, _officer(db), applicant,
                                 {"id_number": "123", "salary": "x"}, reason="",
                                 hash_key=app.config["PERSON_HASH_KEY"])
    assert set(refused.value.errors) == {"fields", "reason", "id_number"}
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Applicant, applicant.id)
    assert (fresh.name, fresh.id_number) == before


def test_purge_cli_purges_nothing_that_has_not_expired(app, db, reported_case, runner):
    reported_case(actions=("accept", "start_verification", "withdraw"))
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 0 case(s)" in result.output

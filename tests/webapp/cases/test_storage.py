"""Applicant personal data is sealed at rest; case numbers are unique and sequential."""
import datetime as dt

from sqlalchemy import text

from tests.factories import make_id
from webapp.services.cases.numbering import format_number, next_case_number


def test_raw_database_shows_no_plaintext_personal_data(db, reported_case):
    id_number = make_id("19800305", 42)
    reported_case(id_number=id_number)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM applicants")).all()
    dump = repr(rows)
    assert id_number not in dump and id_number[-6:] not in dump
    assert "13812345678" not in dump and "王秀英" not in dump and "前王村" not in dump
    assert "1980-03-05" not in dump


def test_applicant_reads_back_decrypted(db, reported_case):
    id_number = make_id("19800305", 43)
    case = reported_case(id_number=id_number)
    db.session.expire_all()
    assert case.applicant.id_number == id_number
    assert case.applicant.birth_date == "1980-03-05"


def test_case_number_has_the_county_format(db, reported_case):
    case = reported_case(now=dt.datetime(2026, 3, 6, 2, tzinfo=dt.UTC))
    assert case.number == "GT-2026-000001"


def test_case_numbers_increase_and_restart_each_year(db):
    assert [next_case_number(db.session, 2026) for _ in range(3)] == [
        format_number(2026, 1), format_number(2026, 2), format_number(2026, 3)]
    assert next_case_number(db.session, 2027) == "GT-2027-000001"


def test_case_numbers_are_unique_under_concurrency(db, app):
    import threading

    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session
    numbers, errors = [], []

    def allocate():
        with app.app_context(), Session(db.engine) as session:
            try:
                numbers.append(next_case_number(session, 2031))
                session.commit()
            except SQLAlchemyError as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [format_number(2031, i) for i in range(1, 9)]

"""Working-day arithmetic, step deadlines and `flask deadlines check`."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from webapp.models import Notification, Step, StepDeadline
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings

FRI, SAT, MON, TUE = (dt.date(2026, 3, 6), dt.date(2026, 3, 7), dt.date(2026, 3, 9),
                      dt.date(2026, 3, 10))


def test_add_working_days_skips_the_weekend():
    assert deadlines.add_working_days(FRI, 1, CaseSettings()) == MON


def test_add_working_days_from_saturday_lands_on_monday():
    assert deadlines.add_working_days(SAT, 1, CaseSettings()) == MON


def test_add_working_days_skips_configured_holidays():
    settings = CaseSettings(holidays=frozenset({MON}))
    assert deadlines.add_working_days(FRI, 1, settings) == TUE


def test_add_working_days_counts_adjusted_working_weekend():
    settings = CaseSettings(extra_workdays=frozenset({SAT}))
    assert deadlines.add_working_days(FRI, 1, settings) == SAT


def test_add_working_days_fifteen_days_is_three_weeks():
    assert deadlines.add_working_days(FRI, 15, CaseSettings()) == dt.date(2026, 3, 27)


def test_working_days_between_ignores_weekend():
    assert deadlines.working_days_between(FRI, TUE, CaseSettings()) == 2


def test_settings_from_config_reads_limits_and_holidays():
    settings = CaseSettings.from_config({"CASE_LIMIT_VERIFICATION_DAYS": 7,
                                         "CASE_HOLIDAYS": ["2026-10-01"],
                                         "EMERGENCY_AID_CAP": 5000})
    assert settings.verification_days == 7
    assert dt.date(2026, 10, 1) in settings.holidays
    assert settings.emergency_aid_cap == 5000
    assert CaseSettings.from_config({}).procedure_days == 15


def test_report_on_friday_is_due_for_acceptance_on_monday(db, reported_case, frozen):
    case = reported_case(now=frozen)
    step = db.session.scalars(select(StepDeadline).where(StepDeadline.case_id == case.id)).one()
    assert (step.step, step.due_on) == (Step.ACCEPTANCE, MON)


def test_accept_sets_verification_and_procedure_deadlines(db, reported_case, frozen):
    case = reported_case(actions=["accept"], now=frozen)
    steps = {d.step: d.due_on for d in deadlines.open_deadlines(db.session, case)}
    assert steps == {Step.VERIFICATION: dt.date(2026, 3, 13),
                     Step.PROCEDURE: dt.date(2026, 3, 27)}
    assert case.procedure_due_on == dt.date(2026, 3, 27)


def test_newly_overdue_not_before_the_due_day_has_passed(db, reported_case, frozen):
    reported_case(now=frozen)
    monday_evening = dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC)  # 22:00 local
    assert deadlines.newly_overdue(db.session, now=monday_evening) == []


def test_newly_overdue_marks_step_after_the_weekend(db, reported_case, frozen):
    case = reported_case(now=frozen)
    tuesday = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
    marked = deadlines.newly_overdue(db.session, now=tuesday)
    assert [m.case_id for m in marked] == [case.id]
    assert deadlines.newly_overdue(db.session, now=tuesday) == []


def test_deadlines_check_notifies_owner_and_supervisor_once(db, runner, reported_case, staff,
                                                            frozen):
    reported_case(actions=["accept"], now=frozen - dt.timedelta(days=30))
    result = runner.invoke(args=["deadlines", "check"])
    assert result.exit_code == 0, result.output
    recipients = set(db.session.scalars(select(Notification.user_id)))
    assert {staff["intake"].id, staff["officer"].id} <= recipients
    count = db.session.scalar(select(func.count()).select_from(Notification))
    again = runner.invoke(args=["deadlines", "check"])
    assert "marked: 0" in again.output
    assert db.session.scalar(select(func.count()).select_from(Notification)) == count


_DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(start=_DAYS, end=_DAYS, holidays=st.frozensets(_DAYS, max_size=40),
       extra=st.frozensets(_DAYS, max_size=15))
def test_working_days_between_counts_what_walking_the_days_counts(start, end, holidays, extra):
    """The counted working days equal the day-by-day walk of the definition, whatever the
    holidays and 调休 days (weekday or weekend, overlapping each other or not)."""
    calendar = CaseSettings(holidays=holidays, extra_workdays=extra)
    walked = sum(deadlines.is_working_day(start + dt.timedelta(days=n), calendar)
                 for n in range(1, (end - start).days + 1))
    assert deadlines.working_days_between(start, end, calendar) == walked

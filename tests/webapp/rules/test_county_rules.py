"""County rules in the database: versions effective from a date, the calendar from the
``holidays`` library plus local overrides, scheme standards, and the CLI."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.models import AuditEvent, CalendarDay, CountyRule, Step, StepDeadline
from webapp.services import DomainError, county_rules
from webapp.services.cases import deadlines, workflow

TODAY = dt.date(2026, 12, 7)


def local_moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock in Gaotang on ``day``, as an aware UTC moment."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=deadlines.LOCAL_TZ
                       ).astimezone(dt.UTC)


def rows(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def load_2027(db, admin):
    """The 2027 calendar as the county loads it: the library's statutory days, then the State
    Council's arrangement as local overrides (the library has no 2027 调休 yet). 2027 has the
    weekdays of 2021, whose National Day arrangement it follows: Oct 1–7 off, work on Sunday
    Sep 26 and Saturday Oct 9."""
    loaded = county_rules.load_library_year(db.session, admin, 2027)
    for day, kind in (("2027-10-06", "holiday"), ("2027-10-07", "holiday"),
                      ("2027-09-26", "workday"), ("2027-10-09", "workday")):
        county_rules.set_override(db.session, admin, year=2027, day=day, kind=kind, today=TODAY,
                                  note="国庆节调休")
    return loaded


def test_library_2026_has_the_state_council_make_up_days():
    days, workdays, adjusted = county_rules.library_days(2026)
    assert adjusted
    assert dt.date(2026, 10, 1) in days and dt.date(2026, 10, 7) in days
    assert {dt.date(2026, 9, 20), dt.date(2026, 10, 10)} <= workdays


def test_transfer_before_national_day_2027_is_due_past_the_holiday_and_make_up_saturday(
        app, db, staff, reported_case):
    loaded = load_2027(db, staff["admin"])
    assert not loaded.adjusted and loaded.holidays > 0
    settings = county_rules.settings_on(db.session, app.config, dt.date(2027, 9, 24))
    assert settings.transfer_days == 3
    friday, thursday = dt.date(2027, 9, 24), dt.date(2027, 9, 30)   # Oct 1, 2027 is a Friday
    sent = {}
    for day in (friday, thursday):
        case = reported_case(actions=["accept"], now=local_moment(day, 9))
        workflow.fire(db.session, staff["intake"], case, "transfer", settings=settings,
                      now=local_moment(day), department_id=staff["org"]("高唐县教育和体育局").id,
                      reason="请落实教育救助")
        sent[day] = case.transfers[-1].due_on
    # Friday Sep 24: Sun 26 (make-up), Mon 27, Tue 28.
    assert sent[friday] == dt.date(2027, 9, 28)
    # The last working day before the holiday, Thu Sep 30: Oct 1–7 off, Fri Oct 8,
    # the make-up Saturday Oct 9, Mon Oct 11.
    assert sent[thursday] == dt.date(2027, 10, 11)
    step = db.session.scalars(select(StepDeadline).where(
        StepDeadline.step == Step.TRANSFER_ANSWER).order_by(StepDeadline.id.desc())).first()
    assert step.due_on == dt.date(2027, 10, 11)


def test_without_the_overrides_2027_counts_only_the_statutory_days(app, db, staff):
    county_rules.load_library_year(db.session, staff["admin"], 2027)
    settings = county_rules.settings_on(db.session, app.config, dt.date(2027, 9, 30))
    # Oct 1–5 are off by the library (3 statutory days, 2 in lieu of the weekend).
    assert deadlines.add_working_days(dt.date(2027, 9, 30), 3, settings) == dt.date(2027, 10, 8)


def test_rule_without_a_version_is_the_config_default(app, db):
    settings = county_rules.settings_on(db.session, app.config, TODAY)
    assert settings.transfer_days == int(app.config.get("CASE_LIMIT_TRANSFER_DAYS", 3))
    assert settings.second_officer_above == Decimal(str(app.config["DISBURSE_SECOND_OFFICER_ABOVE"]))


def test_seed_writes_the_config_values_once(app, db, staff):
    added = county_rules.seed_defaults(db.session, staff["admin"], app.config,
                                       effective_from=TODAY)
    assert added == len(county_rules.RULES)
    assert county_rules.seed_defaults(db.session, staff["admin"], app.config,
                                      effective_from=TODAY) == 0
    assert county_rules.rule_value_on(db.session, "limit.procedure", TODAY) == 15


def test_rule_change_applies_from_its_date(app, db, staff):
    later = TODAY + dt.timedelta(days=10)
    county_rules.set_rule(db.session, staff["admin"], "limit.verification", "2",
                          effective_from=later, today=TODAY)
    assert county_rules.settings_on(db.session, app.config, TODAY).verification_days == 5
    assert county_rules.settings_on(db.session, app.config, later).verification_days == 2
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rules.set")).one()
    assert '"limit.verification"' in event.summary


def test_running_deadline_keeps_the_rule_it_started_under(app, db, staff, reported_case):
    case = reported_case(actions=["accept"], now=local_moment(TODAY))
    before = {d.step: d.due_on for d in deadlines.open_deadlines(db.session, case)}
    county_rules.set_rule(db.session, staff["admin"], "limit.verification", "1",
                          effective_from=TODAY, today=TODAY)
    settings = county_rules.settings_on(db.session, app.config, TODAY)
    assert settings.verification_days == 1
    assert {d.step: d.due_on for d in deadlines.open_deadlines(db.session, case)} == before


def test_payment_deadline_keeps_the_limit_in_force_when_it_started(app, db, staff):
    county_rules.set_rule(db.session, staff["admin"], "green_channel.payment_days", "5",
                          effective_from=TODAY + dt.timedelta(days=1), today=TODAY)
    days_on = county_rules.payment_days_on(db.session, app.config)
    assert days_on(TODAY) == 3
    assert days_on(TODAY + dt.timedelta(days=1)) == 5


@pytest.mark.parametrize(("key", "value", "start", "message"), [
    ("limit.transfer", "-1", TODAY, "之间"),
    ("limit.transfer", "2.5", TODAY, "整数"),
    ("green_channel.cap", "abc", TODAY, "数字"),
    ("limit.transfer", "4", TODAY - dt.timedelta(days=1), "不能早于今天"),
    ("orders.supervise_after", "3", TODAY, "通报"),
])
def test_bad_rule_is_refused_and_nothing_changes(db, staff, key, value, start, message):
    before = (rows(db, CountyRule), rows(db, AuditEvent))
    with pytest.raises(DomainError) as caught:
        county_rules.set_rule(db.session, staff["admin"], key, value, effective_from=start,
                              today=TODAY)
    assert message in str(caught.value)
    assert (rows(db, CountyRule), rows(db, AuditEvent)) == before


@pytest.mark.parametrize(("year", "day", "message"), [
    (2027, "2026-12-31", "不在 2027 年内"),
    (2026, "2026-12-01", "今天以前"),
    (2027, "2027-13-01", "格式"),
])
def test_bad_calendar_override_is_refused(db, staff, year, day, message):
    before = rows(db, CalendarDay)
    with pytest.raises(DomainError) as caught:
        county_rules.set_override(db.session, staff["admin"], year=year, day=day,
                                  kind="holiday", today=TODAY)
    assert message in str(caught.value)
    assert rows(db, CalendarDay) == before


def test_local_override_wins_over_the_library(app, db, staff):
    county_rules.load_library_year(db.session, staff["admin"], 2027)
    county_rules.set_override(db.session, staff["admin"], year=2027, day="2027-10-05",
                              kind="workday", today=TODAY)
    settings = county_rules.settings_on(db.session, app.config, TODAY)
    assert deadlines.is_working_day(dt.date(2027, 10, 5), settings)
    assert not deadlines.is_working_day(dt.date(2027, 10, 4), settings)


def test_scheme_standards_change_keeps_history_and_refuses_min_above_max(db, staff,
                                                                        listed_scheme):
    scheme = listed_scheme()
    county_rules.set_scheme_standards(db.session, staff["admin"], scheme, min_amount="100",
                                      max_amount="2000", times_per_year="2",
                                      effective_from=TODAY, today=TODAY)
    assert (scheme.min_amount, scheme.max_amount, scheme.times_per_year) == (
        Decimal("100.00"), Decimal("2000.00"), 2)
    with pytest.raises(DomainError):
        county_rules.set_scheme_standards(db.session, staff["admin"], scheme, min_amount="900",
                                          max_amount="800", times_per_year="",
                                          effective_from=TODAY, today=TODAY)
    assert scheme.max_amount == Decimal("2000.00")
    assert [h.max_amount for h in county_rules.scheme_history(db.session)[scheme.id]] == [
        Decimal("2000.00")]


def test_cli_sets_a_rule_and_refuses_a_negative_limit(db, runner, staff):
    ok = runner.invoke(args=["rules", "set", "limit.transfer", "4", "--user", "admin"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(args=["rules", "set", "--user", "admin", "limit.transfer", "--", "-2"])
    assert bad.exit_code != 0 and "之间" in bad.output
    shown = runner.invoke(args=["rules", "show"])
    assert "limit.transfer" in shown.output and " 4 " in shown.output


def test_new_scheme_maximum_is_enforced_at_approval(app, db, staff, listed_scheme,
                                                    approved_case):
    from webapp.models import CaseStatus
    scheme = listed_scheme(high="3000")
    county_rules.set_scheme_standards(db.session, staff["admin"], scheme, min_amount="500",
                                      max_amount="2000", times_per_year="1",
                                      effective_from=TODAY, today=TODAY)
    case = approved_case("8000.00", status=CaseStatus.VERIFIED)
    settings = county_rules.settings_on(db.session, app.config, TODAY)
    with pytest.raises(DomainError) as caught:
        workflow.fire(db.session, staff["officer"], case, "approve", settings=settings,
                      amount="8000", scheme_id=scheme.id, assistance_amount="2500")
    assert "2,000.00" in str(caught.value)


def real_today() -> dt.date:
    return deadlines.local_date(dt.datetime.now(dt.UTC))


def test_scheme_standards_apply_to_approvals_from_their_effective_date(
        app, db, staff, listed_scheme, approved_case):
    from webapp.models import CaseStatus, LedgerAccount
    from webapp.models.ledger import AccountKind
    from webapp.services.ledger import schemes
    today = real_today()
    tomorrow = today + dt.timedelta(days=1)
    scheme = listed_scheme(high="3000")
    county_rules.set_scheme_standards(db.session, staff["admin"], scheme, min_amount="500",
                                      max_amount="2000", times_per_year="1",
                                      effective_from=tomorrow, today=today)
    # Scheduled, not in force: the listing and today's approvals keep 500–3000.
    assert scheme.max_amount == Decimal(3000)
    assert schemes.standards_on(db.session, scheme, today).max_amount == Decimal(3000)
    assert schemes.standards_on(db.session, scheme, tomorrow).max_amount == Decimal("2000.00")
    case = approved_case("8000.00", status=CaseStatus.VERIFIED)
    settings = county_rules.settings_on(db.session, app.config, today)
    workflow.fire(db.session, staff["officer"], case, "approve", settings=settings,
                  amount="8000", scheme_id=scheme.id, assistance_amount="2500")
    assert case.status == CaseStatus.APPROVED
    # From tomorrow on the same grant is refused.
    account = db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.kind == AccountKind.SCHEME, LedgerAccount.owner_id == scheme.id)).one()
    other = approved_case("8000.00", status=CaseStatus.VERIFIED)
    with pytest.raises(DomainError) as caught:
        schemes.check_scheme_grant(db.session, account, other, Decimal(2500),
                                   now=local_moment(tomorrow))
    assert "2,000.00" in str(caught.value)
    # On that day `flask deadlines check` brings the listed values along.
    assert county_rules.apply_due_scheme_standards(db.session, today) == 0
    assert county_rules.apply_due_scheme_standards(db.session, tomorrow) == 1
    assert (scheme.min_amount, scheme.max_amount, scheme.times_per_year) == (
        Decimal("500.00"), Decimal("2000.00"), 1)
    view = next(v for v in county_rules.schemes_overview(db.session, today)
                if v.scheme.id == scheme.id)
    assert [c.effective_from for c in view.scheduled] == [tomorrow]


@pytest.mark.parametrize(("change", "message"), [
    ({"effective_from": TODAY - dt.timedelta(days=1)}, "不能早于今天"),
    ({"effective_from": "2026-02-30"}, "格式"),
    ({"min_amount": "-5"}, "0 到 10000000"),
    ({"times_per_year": "0"}, "1 到 12"),
])
def test_bad_scheme_standards_are_refused_and_nothing_changes(db, staff, listed_scheme,
                                                              change, message):
    from webapp.models import SchemeStandardChange
    scheme = listed_scheme(high="3000")
    params = {"min_amount": "100", "max_amount": "2000", "times_per_year": "2",
              "effective_from": TODAY} | change
    before = (rows(db, SchemeStandardChange), rows(db, AuditEvent))
    with pytest.raises(DomainError) as caught:
        county_rules.set_scheme_standards(db.session, staff["admin"], scheme, today=TODAY,
                                          **params)
    assert message in str(caught.value)
    assert (rows(db, SchemeStandardChange), rows(db, AuditEvent)) == before
    assert scheme.max_amount == Decimal(3000)


@pytest.mark.parametrize(("limit", "due"), [
    (3, dt.date(2027, 9, 28)),    # Sun 26 (make-up), Mon 27, Tue 28
    (6, dt.date(2027, 10, 8)),    # … Wed 29, Thu 30, then Oct 1–7 off: Fri Oct 8
    (7, dt.date(2027, 10, 9)),    # the make-up Saturday counts
    (8, dt.date(2027, 10, 11)),   # Sun 10 does not: Mon Oct 11
])
def test_transfer_sent_on_the_friday_before_national_day_2027(app, db, staff, reported_case,
                                                              limit, due):
    """The county's transfer limit, set from a chosen date, counted from Friday Sep 24, 2027
    over the 2027 calendar (library days plus the State Council's arrangement as overrides)."""
    load_2027(db, staff["admin"])
    county_rules.set_rule(db.session, staff["admin"], "limit.transfer", str(limit),
                          effective_from=dt.date(2027, 9, 1), today=TODAY)
    friday = dt.date(2027, 9, 24)
    settings = county_rules.settings_on(db.session, app.config, friday)
    case = reported_case(actions=["accept"], now=local_moment(friday, 9))
    workflow.fire(db.session, staff["intake"], case, "transfer", settings=settings,
                  now=local_moment(friday), department_id=staff["org"]("高唐县教育和体育局").id,
                  reason="请落实教育救助")
    assert case.transfers[-1].due_on == due


def test_overdue_transfer_order_escalates_over_national_day_2027_under_its_own_levels(
        app, db, staff, reported_case):
    """A transfer not answered by its due day gets an order; the order escalates 提醒 → 督办
    → 通报 by overdue working days on the 2027 calendar, under the levels in force the day it
    was issued even when the county changes them later."""
    from webapp.models import OrderLevel, TransferStatus
    from webapp.services.cases import orders
    load_2027(db, staff["admin"])
    county_rules.set_rule(db.session, staff["admin"], "orders.report_after", "6",
                          effective_from=dt.date(2027, 9, 27), today=TODAY)

    def rules_on(day):
        return county_rules.settings_on(db.session, app.config, day)

    monday = dt.date(2027, 9, 20)
    case = reported_case(actions=["accept"], now=local_moment(monday, 9))
    workflow.fire(db.session, staff["intake"], case, "transfer", settings=rules_on(monday),
                  now=local_moment(monday), department_id=staff["org"]("高唐县教育和体育局").id,
                  reason="请落实教育救助")
    transfer = case.transfers[-1]
    assert transfer.due_on == dt.date(2027, 9, 23)
    overdue = deadlines.newly_overdue(db.session, now=local_moment(dt.date(2027, 9, 24)))
    assert [row.transfer_id for row in overdue] == [transfer.id]
    friday = dt.date(2027, 9, 24)
    order = orders.issue_order(db.session, staff["officer"], subject_kind="transfer",
                               subject_id=transfer.id, recipient_id=transfer.department_id,
                               request="请于节前答复", reply_due_on="2027-09-29",
                               settings=rules_on(friday), now=local_moment(friday))

    def escalate(day):
        return orders.escalate_orders(db.session, settings=rules_on(day), rules_on=rules_on,
                                      now=local_moment(day, 18))

    assert escalate(dt.date(2027, 9, 29)) == []
    assert escalate(dt.date(2027, 9, 30)) == [order]               # 1 working day late
    assert order.level == OrderLevel.SUPERVISE
    for day in (dt.date(2027, 10, 5), dt.date(2027, 10, 7), dt.date(2027, 10, 8)):
        assert escalate(day) == []                                 # holiday, then 2 days
    # The make-up Saturday is the third working day late: 通报 under the levels of Sep 24
    # (3 days), not the 6 the county set from Sep 27.
    assert escalate(dt.date(2027, 10, 9)) == [order]
    assert order.level == OrderLevel.REPORT
    assert transfer.status == TransferStatus.OPEN
    assert rules_on(dt.date(2027, 10, 9)).order_report_after == 6


def test_cli_sets_scheme_standards_from_a_date_and_refuses_the_past(db, runner, staff,
                                                                    listed_scheme):
    from webapp.models import SchemeStandardChange
    scheme = listed_scheme(high="3000")
    db.session.commit()
    later = (real_today() + dt.timedelta(days=30)).isoformat()
    ok = runner.invoke(args=["rules", "scheme", str(scheme.id), "--min", "200", "--max", "2500",
                             "--times", "2", "--from", later, "--user", "admin"])
    assert ok.exit_code == 0, ok.output
    assert f"from {later}" in ok.output
    bad = runner.invoke(args=["rules", "scheme", str(scheme.id), "--max", "2500",
                              "--from", "2020-01-01", "--user", "admin"])
    assert bad.exit_code != 0 and "不能早于今天" in bad.output
    assert rows(db, SchemeStandardChange) == 1
    db.session.refresh(scheme)
    assert scheme.max_amount == Decimal("3000.00")


def test_cli_adds_and_removes_a_calendar_override(app, db, runner, staff):
    """The documented path for a year whose 调休 the library lacks: load, then override."""
    year = real_today().year + 1
    loaded = runner.invoke(args=["rules", "calendar-load", str(year)])
    assert loaded.exit_code == 0, loaded.output
    day = dt.date(year, 10, 1) + dt.timedelta(days=(5 - dt.date(year, 10, 1).weekday()) % 7)
    added = runner.invoke(args=["rules", "calendar-override", day.isoformat(), "workday",
                                "--note", "国庆节调休", "--user", "admin"])
    assert added.exit_code == 0, added.output
    settings = county_rules.settings_on(db.session, app.config, real_today())
    assert day.weekday() == 5 and deadlines.is_working_day(day, settings)
    removed = runner.invoke(args=["rules", "calendar-remove", day.isoformat(),
                                  "--user", "admin"])
    assert removed.exit_code == 0, removed.output
    settings = county_rules.settings_on(db.session, app.config, real_today())
    assert not deadlines.is_working_day(day, settings)

"""Timeliness figures: the SQL figures equal an independent count over the recorded rows."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import replace

import pytest
from sqlalchemy import select

from webapp.models import Case, CaseStatus, MoneyTransfer, MoneyTransferStatus, StepDeadline
from webapp.services import DomainError, PermissionDeniedError
from webapp.services.cases.deadlines import local_date, working_days_between
from webapp.services.statistics import timeliness as T
from webapp.services.statistics.calendar import ensure_calendar
from webapp.services.statistics.sql import percentiles

TODAY = dt.date(2026, 5, 6)
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def at(day: str, hour: int = 9) -> dt.datetime:
    """A moment in the county (UTC+8) as aware UTC."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(dt.UTC)


@pytest.fixture
def calendar(settings):
    """Qingming (Apr 6) off, and a make-up Saturday (Mar 28) worked."""
    return replace(settings, holidays=frozenset({dt.date(2026, 4, 6)}),
                   extra_workdays=frozenset({dt.date(2026, 3, 28)}))


@pytest.fixture
def spring(case_walked_at):
    """Five cases in two towns over March and April with known step times."""
    a = case_walked_at("梁村镇", at("2026-03-02"), [("accept", at("2026-03-02", 15)),
                                                   ("emergency_aid", at("2026-03-04"))])
    b = case_walked_at("梁村镇", at("2026-03-03"), [("accept", at("2026-03-06")),
                                                   ("emergency_aid", at("2026-03-10"))])
    c = case_walked_at("清平镇", at("2026-03-05"), [
        ("accept", at("2026-03-05", 10)), ("start_verification", at("2026-03-06")),
        ("verify", at("2026-03-12")), ("approve", at("2026-03-13")),
        ("start_assistance", at("2026-03-16")), ("close", at("2026-03-30"))])
    d = case_walked_at("清平镇", at("2026-03-09"))
    e = case_walked_at("梁村镇", at("2026-04-03"), [("accept", at("2026-04-03", 11)),
                                                   ("emergency_aid", at("2026-04-08"))])
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def expected_cases(db, calendar, ids, key):
    """Independently: per key, received / helped / closed and the spreads, from ORM rows."""
    groups: dict = {}
    for case in db.session.scalars(select(Case).where(Case.id.in_(ids))):
        paid = [t.posted_at for t in db.session.scalars(select(MoneyTransfer).where(
            MoneyTransfer.case_id == case.id, MoneyTransfer.status == MoneyTransferStatus.POSTED))]
        g = groups.setdefault(key(case), {"n": 0, "help": [], "close": []})
        g["n"] += 1
        start = local_date(case.reported_at)
        if paid:
            g["help"].append(working_days_between(start, local_date(min(paid)), calendar))
        if case.status == CaseStatus.CLOSED:
            g["close"].append(working_days_between(start, local_date(case.closed_at), calendar))
    return groups


def spread(values):
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    q = statistics.quantiles(values, n=10, method="inclusive")
    return round(statistics.median(values), 2), round(q[8], 2)


def test_timeliness_case_figures_equal_recorded_times(db, staff, spring, calendar):
    filters = T.Filters(start=MARCH, end=dt.date(2026, 5, 1), by="town")
    figures = T.timeliness(db.session, staff["officer"], filters, today=TODAY,
                           settings=calendar)
    expected = expected_cases(db, calendar, [c.id for c in spring.values()],
                              lambda c: str(c.town_id))
    assert {r.key for r in figures.cases} == set(expected)
    for row in figures.cases:
        want = expected[row.key]
        assert (row.received, row.helped, row.closed) == (
            want["n"], len(want["help"]), len(want["close"]))
        assert (row.help_days.median, row.help_days.p90) == spread(want["help"])
        assert (row.closure_days.median, row.closure_days.p90) == spread(want["close"])
    assert figures.case_total.received == 5 and figures.case_total.helped == 3
    # e: Apr 3 (Fri) → Apr 8 (Wed) skips the weekend and Qingming: 2 working days.
    assert sorted(expected[str(spring["e"].town_id)]["help"]) == [2, 2, 5]
    # By month, a case counts in the month it was reported.
    by_month = T.timeliness(db.session, staff["officer"], replace(filters, by="month"),
                            today=TODAY, settings=calendar)
    assert [(r.key, r.received) for r in by_month.cases] == [("2026-03", 4), ("2026-04", 1)]
    # A town window sees its own town only; a donor sees nothing.
    window = T.timeliness(db.session, staff["intake2"], filters, today=TODAY, settings=calendar)
    assert [r.label for r in window.cases] == ["清平镇"] and window.case_total.received == 2
    with pytest.raises(PermissionDeniedError):
        T.timeliness(db.session, staff["donor"], filters, today=TODAY, settings=calendar)


def test_timeliness_step_figures_equal_the_deadline_rows_and_drill_down(db, staff, spring,
                                                                         calendar):
    figures = T.timeliness(db.session, staff["officer"],
                           T.Filters(start=MARCH, end=dt.date(2026, 5, 1), by="step"),
                           today=TODAY, settings=calendar)
    rows = db.session.scalars(select(StepDeadline).where(
        StepDeadline.case_id.in_([c.id for c in spring.values()]))).all()
    for row in figures.steps:
        mine = [r for r in rows if r.step.value == row.key]
        done = [r for r in mine if r.done_at is not None]
        on_time = [r for r in done if local_date(r.done_at) <= r.due_on]
        open_late = [r for r in mine if r.done_at is None and r.due_on < TODAY]
        assert (row.steps, row.done, row.on_time, row.open_overdue) == (
            len(mine), len(done), len(on_time), len(open_late))
        assert row.late == len(done) - len(on_time) + len(open_late)
    total = figures.step_total
    all_done = [r for r in rows if r.done_at is not None]
    assert (total.key, total.steps, total.done, total.open_overdue) == (
        "all", len(rows), len(all_done),
        len([r for r in rows if r.done_at is None and r.due_on < TODAY]))
    acceptance = next(r for r in figures.steps if r.key == "acceptance")
    assert (acceptance.on_time, acceptance.late) == (3, 2)   # b accepted late, d never
    assert acceptance.on_time_rate == 60.0
    assert not figures.has_case_table
    # The cases behind a figure: the late acceptances, the cases one town helped.
    filters = figures.filters
    late = set(db.session.scalars(T.cases_behind(staff["officer"], filters, measure="late",
                                                 key="acceptance", today=TODAY)))
    assert late == {spring["b"].id, spring["d"].id}
    by_town = replace(filters, by="town")
    helped = set(db.session.scalars(T.cases_behind(
        staff["officer"], by_town, measure="helped", key=str(spring["a"].town_id),
        today=TODAY)))
    assert helped == {spring["a"].id, spring["b"].id, spring["e"].id}
    with pytest.raises(DomainError):
        T.cases_behind(staff["officer"], filters, measure="everything", key=None, today=TODAY)


def test_parse_filters_rejects_bad_months(app):
    with pytest.raises(DomainError):
        T.parse_filters({"from": "2026-13"}, today=TODAY)
    with pytest.raises(DomainError):
        T.parse_filters({"from": "2026-05", "to": "2026-01"}, today=TODAY)
    with pytest.raises(DomainError):
        T.parse_filters({"by": "colour"}, today=TODAY)
    f = T.parse_filters({}, today=TODAY)
    assert (f.start, f.end) == (dt.date(2025, 6, 1), dt.date(2026, 6, 1))


def test_calendar_ordinals_count_working_days_and_follow_a_changed_calendar(db, calendar):
    from webapp.models import WorkingDay
    first, last = dt.date(2026, 3, 20), dt.date(2026, 4, 20)
    assert ensure_calendar(db.session, calendar, first, last)
    assert not ensure_calendar(db.session, calendar, first, last)
    ordinal = dict(db.session.execute(select(WorkingDay.day, WorkingDay.ordinal)).all())
    for a in (first, dt.date(2026, 3, 27), dt.date(2026, 4, 3)):
        for b in (dt.date(2026, 3, 30), dt.date(2026, 4, 7), last):
            if a <= b:
                assert ordinal[b] - ordinal[a] == working_days_between(a, b, calendar)
    assert ensure_calendar(db.session, replace(calendar, holidays=frozenset()), first, last)


def test_percentiles_interpolate_like_percentile_cont(db, calendar):
    from webapp.models import WorkingDay
    ensure_calendar(db.session, calendar, dt.date(2026, 1, 1), dt.date(2026, 2, 17))
    values = select(WorkingDay.day).where(WorkingDay.day >= dt.date(2026, 1, 1))
    got = percentiles(db.session, values, WorkingDay.working, WorkingDay.ordinal)
    rows = db.session.execute(select(WorkingDay.working, WorkingDay.ordinal).where(
        WorkingDay.day >= dt.date(2026, 1, 1))).all()
    for flag in (True, False):
        vals = sorted(o for w, o in rows if w == flag)
        assert got[flag].n == len(vals)
        assert (got[flag].median, got[flag].p90) == spread(vals)


def test_spread_in_python_interpolates_like_percentile_cont():
    import random

    from webapp.services.statistics.sql import Spread
    from webapp.services.statistics.sql import spread as python_spread
    rng = random.Random(16)
    for n in range(1, 40):
        values = [rng.randint(0, 30) for _ in range(n)]
        got = python_spread(values)
        assert got.n == n and (got.median, got.p90) == spread(values), values
    assert python_spread([]) == Spread(0, None, None)

"""The timing records and month histograms give the very figures the cases give.

Cases are walked through the real services (help first paid, approved and closed,
transferred to a department and left open, rejected after help first, refused and reopened
on appeal, personal data deleted by retention); the figures read from the records must equal
those computed from the cases themselves as before the records existed (the reference
below: one grouped query over the cases, their first help and the working-day calendar, and
one over the steps), for every grouping and filter; and the records kept up event by event
must equal the ones :func:`timings.rebuild` writes from scratch.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import case, func, literal, select

from webapp.models import CaseTiming, CaseTimingCount, Step, StepDeadline, StepTimingCount
from webapp.services import retention
from webapp.services.doors import appeals
from webapp.services.statistics import timeliness as T
from webapp.services.statistics import timings
from webapp.services.statistics.calendar import ensure_calendar
from webapp.services.statistics.sql import Spread, spread

TODAY = dt.date(2026, 5, 6)


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(dt.UTC)


# ---- the reference: the figures as computed from the cases before the records existed ----

def _reference_case_rows(session, filters, key_name):
    base, cols = T._case_base(filters)
    sub = base.with_only_columns(
        cols[key_name].label("k"), cols["helped"].is_not(None).label("h"),
        cols["closed"].is_not(None).label("c"), cols["help_days"].label("hd"),
        cols["closure_days"].label("cd")).subquery()
    grouped = [sub.c.k, sub.c.h, sub.c.c, sub.c.hd, sub.c.cd]
    rows = list(session.execute(select(*grouped, func.count()).group_by(*grouped)))
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)

    def summary(key, members):
        def days(index):
            return [m[index] for m in members if m[index] is not None for _ in range(m[5])]

        return T.CaseRow(key, "", sum(m[5] for m in members),
                         sum(m[5] for m in members if m[1]), spread(days(3)),
                         sum(m[5] for m in members if m[2]), spread(days(4)))

    return [summary(str(k), m) for k, m in groups.items()], summary("all", rows)


def _reference_step_rows(session, filters, key_name, today):
    cond = T._step_conditions(today)
    key = T._step_keys()[key_name] if key_name else literal("all")

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(T._step_base(filters).with_only_columns(
        key.label("k"), func.count(), func.count(StepDeadline.done_at), tally(cond["on_time"]),
        tally(cond["late_done"]), tally(cond["open_overdue"])).group_by(key)).all()
    return [T.StepRow(str(k.value if isinstance(k, Step) else k), "", n, done, int(on_time),
                      int(late) + int(overdue), int(overdue))
            for k, n, done, on_time, late, overdue in rows]


def reference(session, filters, settings, today=TODAY):
    """(case rows by key, case total, step rows by key) as the cases themselves give them."""
    ensure_calendar(session, settings, filters.start - dt.timedelta(days=1),
                    max(today, filters.end) + dt.timedelta(days=1))
    steps = {r.key: r for r in _reference_step_rows(session, filters, filters.by, today)}
    if filters.by == "step":
        return {}, T.CaseRow("all", "", 0, 0, Spread(0, None, None), 0,
                             Spread(0, None, None)), steps
    cases, total = _reference_case_rows(session, filters, filters.by)
    return {r.key: r for r in cases}, total, steps


def assert_same_figures(db, officer, filters, settings):
    want_cases, want_total, want_steps = reference(db.session, filters, settings)
    got = T.timeliness(db.session, officer, filters, today=TODAY, settings=settings)
    assert {r.key: replace(r, label="") for r in got.cases} == want_cases, filters
    assert replace(got.case_total, label="") == want_total, filters
    assert {r.key: replace(r, label="") for r in got.steps} == want_steps, filters


def stored(db):
    """Every timing record and histogram row, comparable."""
    return (sorted(tuple(r) for r in db.session.execute(select(
                CaseTiming.case_id, CaseTiming.town_id, CaseTiming.month, CaseTiming.help_days,
                CaseTiming.closure_days))),
            sorted(tuple(r) for r in db.session.execute(select(
                CaseTimingCount.month, CaseTimingCount.town_id, CaseTimingCount.measure,
                CaseTimingCount.days, CaseTimingCount.n))),
            sorted((m, t, d, s.value, late, n) for m, t, d, s, late, n in db.session.execute(
                select(StepTimingCount.month, StepTimingCount.town_id,
                       StepTimingCount.department_id, StepTimingCount.step,
                       StepTimingCount.late, StepTimingCount.n))))


@pytest.fixture
def county(db, staff, settings, door_settings, case_walked_at):
    """Cases of two towns over March and April 2026, each ending its own way."""
    helped = case_walked_at("梁村镇", at("2026-03-02"), [("accept", at("2026-03-02", 15)),
                                                       ("emergency_aid", at("2026-03-04"))])
    closed = case_walked_at("清平镇", at("2026-03-05"), [
        ("accept", at("2026-03-05", 10)), ("emergency_aid", at("2026-03-06")),
        ("start_verification", at("2026-03-06")), ("verify", at("2026-03-12")),
        ("approve", at("2026-03-13")), ("start_assistance", at("2026-03-16")),
        ("close", at("2026-03-30"))])
    late = case_walked_at("清平镇", at("2026-03-09"), [("accept", at("2026-03-16"))])
    transferred = case_walked_at("梁村镇", at("2026-03-20"), [
        ("accept", at("2026-03-20", 11)), ("start_verification", at("2026-03-23")),
        ("transfer", at("2026-03-24"))])
    rejected = case_walked_at("梁村镇", at("2026-04-01"), [
        ("accept", at("2026-04-01", 11)), ("emergency_aid", at("2026-04-02")),
        ("start_verification", at("2026-04-03")), ("verify", at("2026-04-09")),
        ("reject", at("2026-04-10"))])
    refused = case_walked_at("清平镇", at("2026-04-07"), [("refuse", at("2026-04-08"))])
    # Reopened on appeal: the refusal is overturned and the case is accepted again.
    appeal = appeals.file_appeal(db.session, staff["intake2"], refused, reason="申请人补充了住院证明",
                                 settings=door_settings, now=at("2026-04-09"))
    appeals.decide_appeal(db.session, staff["officer"], appeal, overturn=True, note="重新受理",
                          case_settings=settings, now=at("2026-04-10"))
    db.session.commit()
    open_case = case_walked_at("梁村镇", at("2026-04-27"))
    return {"helped": helped, "closed": closed, "late": late, "transferred": transferred,
            "rejected": rejected, "refused": refused, "open": open_case}


def test_figures_from_records_equal_figures_from_cases(db, staff, settings, county, tmp_path):
    """Every grouping and filter, a month and ten years; kept = rebuilt; retention; a new
    holiday."""
    officer = staff["officer"]
    department = staff["org"]("高唐县教育和体育局").id
    town = county["helped"].town_id
    periods = [(dt.date(2026, 3, 1), dt.date(2026, 4, 1)),   # a month
               (dt.date(2016, 6, 1), dt.date(2026, 6, 1))]   # ten years
    slices: list[dict[str, Any]] = [{}, {"town_id": town}, {"department_id": department},
                                    {"step": Step.TRANSFER_ANSWER, "town_id": town}]
    checked = 0
    for start, end in periods:
        for by in T.DIMENSIONS:
            for extra in slices:
                assert_same_figures(db, officer, T.Filters(start=start, end=end, by=by,
                                                           **extra), settings)
                checked += 1
    # The scenario reaches every kind of figure, so the comparisons above compare something.
    year = T.timeliness(db.session, officer, T.Filters(start=dt.date(2026, 1, 1),
                                                       end=dt.date(2026, 5, 1)),
                        today=TODAY, settings=settings)
    assert year.case_total.received == 7
    assert year.case_total.helped >= 2 and year.case_total.closed == 1
    assert year.step_total.late >= 1 and year.step_total.open_overdue >= 1
    assert year.step_total.on_time >= 1 and checked == 32

    # Kept event by event, the records are what a rebuild from the cases writes.
    kept = stored(db)
    timings.rebuild(db.session, settings)
    assert stored(db) == kept

    # Retention deletes the closed case's personal data: its figures stay as they were.
    retention.purge_case(db.session, officer, county["closed"], {"identity", "contact",
                                                                 "documents"},
                         upload_dir=tmp_path)
    db.session.commit()
    assert stored(db) == kept
    assert_same_figures(db, officer, T.Filters(start=dt.date(2026, 1, 1),
                                               end=dt.date(2026, 5, 1)), settings)

    # The calendar the figures count with changes (a holiday on a day cases were helped
    # across): the records are counted again, and still equal the cases' figures.
    by_month = T.Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 1), by="month")
    before = T.timeliness(db.session, officer, by_month, today=TODAY, settings=settings)
    holiday = replace(settings, holidays=settings.holidays | {dt.date(2026, 3, 3)})
    assert_same_figures(db, officer, by_month, holiday)
    after = T.timeliness(db.session, officer, by_month, today=TODAY, settings=holiday)
    assert after.case_total.help_days != before.case_total.help_days


def test_spread_of_counts_equals_spread_of_the_values():
    from webapp.services.statistics.sql import spread_of_counts
    for values in ([], [3], [0, 0, 1], [5, 1, 2, 2, 9, 4, 4, 4, 0, 12, 7]):
        counts: dict[int, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        assert spread_of_counts(counts) == spread(values)

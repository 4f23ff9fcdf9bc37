"""The timing record the timeliness figures read: per case and per month, in working days.

When something happens to a case (reported, accepted, helped, closed, reopened, a payment
posted or voided, a pledge received) its ``case_timings`` row is computed again from the
case's own rows — working days from the report to its first help and to its closure,
counted on the ``working_days`` calendar — and the month's histogram
(``case_timing_counts``: how many cases of a month and town were received, helped after
*d* working days, closed after *d*) moves by the difference. When a step finishes
(:func:`webapp.services.cases.deadlines.close_steps`) ``step_timing_counts`` counts it on
time or late. The figures then read a few rows a month instead of the month's cases;
since working days are whole numbers, medians and 90th percentiles taken from the
histograms are exactly those of the cases.

:func:`rebuild` rewrites all three from the cases (the migration, ``flask derived rebuild``,
the scale loader, and a change of the working-day calendar call it).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Select, and_, case, delete, func, insert, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from webapp.models import (
    Case,
    CaseStatus,
    CaseTiming,
    CaseTimingCount,
    NeedCard,
    StepDeadline,
    StepTimingCount,
    WorkingDay,
)
from webapp.models.ledger import MoneyTransfer, MoneyTransferKind, MoneyTransferStatus
from webapp.models.resources import Pledge, PledgeStatus
from webapp.services import events
from webapp.services.cases.deadlines import LOCAL_TZ, local_date
from webapp.services.cases.settings import CaseSettings
from webapp.services.statistics.sql import local_day, local_month

RECEIVED, HELPED, CLOSED = "received", "helped", "closed"


def _settings() -> CaseSettings:
    """The calendar the figures count with (the app config's, as the statistics pages)."""
    return CaseSettings.from_config(current_app.config) if has_app_context() else CaseSettings()


def _first_help() -> Any:
    """(case_id, at) of each case's first help: posted payments (help first or reserved aid)
    and money pledges the receiver confirmed as received, whichever came first, counted from
    the first day of the month the case was reported in."""
    paid = (select(MoneyTransfer.case_id.label("case_id"), MoneyTransfer.posted_at.label("at"))
            .where(MoneyTransfer.case_id.is_not(None),
                   MoneyTransfer.status == MoneyTransferStatus.POSTED,
                   MoneyTransfer.posted_at.is_not(None),
                   MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                           MoneyTransferKind.GREEN_CHANNEL])))
    pledged = (select(NeedCard.case_id.label("case_id"), Pledge.fulfilled_at.label("at"))
               .join(NeedCard, Pledge.need_id == NeedCard.id)
               .where(Pledge.status == PledgeStatus.FULFILLED, Pledge.fulfilled_at.is_not(None),
                      Pledge.amount > 0))
    return paid, pledged


def _records(case_ids: Select[Any] | None) -> Select[Any]:
    """SELECT (case_id, town_id, month, help_days, closure_days) of the given cases (all when
    ``case_ids`` is None), set-based."""
    paid, pledged = _first_help()
    if case_ids is not None:
        paid = paid.where(MoneyTransfer.case_id.in_(case_ids))
        pledged = pledged.where(NeedCard.case_id.in_(case_ids))
    both = paid.union_all(pledged).subquery()
    # Help counts from the first day of the report's month, as the figures of a period that
    # starts with that month count it (help never comes before the report).
    reported_month = local_month(Case.reported_at)
    help_at = (select(both.c.case_id, func.min(both.c.at).label("at"))
               .join(Case, Case.id == both.c.case_id)
               .where(local_month(both.c.at) >= reported_month)
               .group_by(both.c.case_id).subquery("first_help"))
    reported, helped, closed = (aliased(WorkingDay, name=n) for n in ("wd_r", "wd_h", "wd_c"))
    stmt = (select(Case.id.label("case_id"), Case.town_id.label("town_id"),
                   reported_month.label("month"),
                   _non_negative(helped.ordinal - reported.ordinal).label("help_days"),
                   _non_negative(closed.ordinal - reported.ordinal).label("closure_days"))
            .join(reported, reported.day == local_day(Case.reported_at))
            .outerjoin(help_at, help_at.c.case_id == Case.id)
            .outerjoin(helped, helped.day == local_day(help_at.c.at))
            .outerjoin(closed, and_(closed.day == local_day(Case.closed_at),
                                    Case.status == CaseStatus.CLOSED)))
    if case_ids is not None:
        stmt = stmt.where(Case.id.in_(case_ids))
    return stmt


def _non_negative(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((expr < 0, 0), else_=expr)


def _ensure_days(session: Session, first: dt.date | None,
                 settings: CaseSettings | None = None) -> None:
    """The calendar table holds the days from ``first`` to tomorrow (as the figures count)."""
    from webapp.services.statistics.calendar import ensure_calendar
    if first is not None:
        today = local_date(dt.datetime.now(dt.UTC))
        ensure_calendar(session, settings or _settings(), first - dt.timedelta(days=1),
                        max(today, first) + dt.timedelta(days=1))


def _upsert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _move(session: Session, deltas: Counter[tuple[str, int, str, int]]) -> None:
    """Add ``deltas`` to the month histograms, in key order (two writers lock alike)."""
    insert_ = _upsert(session)
    for (month, town_id, measure, days), n in sorted(deltas.items()):
        if not n:
            continue
        stmt = insert_(CaseTimingCount).values(month=month, town_id=town_id, measure=measure,
                                               days=days, n=n)
        session.execute(stmt.on_conflict_do_update(
            index_elements=[CaseTimingCount.month, CaseTimingCount.town_id,
                            CaseTimingCount.measure, CaseTimingCount.days],
            set_={"n": CaseTimingCount.n + stmt.excluded.n}))
        if n < 0:  # a bar that fell to nothing goes
            session.execute(delete(CaseTimingCount).where(
                CaseTimingCount.month == month, CaseTimingCount.town_id == town_id,
                CaseTimingCount.measure == measure, CaseTimingCount.days == days,
                CaseTimingCount.n <= 0))


def _histogram_keys(month: str, town_id: int, help_days: int | None,
                    closure_days: int | None) -> list[tuple[str, int, str, int]]:
    keys = [(month, town_id, RECEIVED, 0)]
    if help_days is not None:
        keys.append((month, town_id, HELPED, help_days))
    if closure_days is not None:
        keys.append((month, town_id, CLOSED, closure_days))
    return keys


def refresh(session: Session, case_ids: Iterable[int]) -> None:
    """Compute the timing record of these cases again and move the histograms to match."""
    ids = sorted({int(i) for i in case_ids if i is not None})
    if not ids:
        return
    session.flush()
    # One writer per case at a time (PostgreSQL; SQLite has one writer anyway).
    first = session.scalar(select(func.min(Case.reported_at)).where(Case.id.in_(ids)))
    session.execute(select(Case.id).where(Case.id.in_(ids)).with_for_update())
    # From the first of January: the calendar's rows of a year are computed once a process.
    _ensure_days(session, local_date(first).replace(month=1, day=1) if first is not None
                 else None)
    old = {r.case_id: r for r in session.scalars(
        select(CaseTiming).where(CaseTiming.case_id.in_(ids)))}
    new = {row[0]: row for row in session.execute(_records(select(Case.id).where(
        Case.id.in_(ids))))}
    deltas: Counter[tuple[str, int, str, int]] = Counter()
    for case_id in ids:
        before, after = old.get(case_id), new.get(case_id)
        if before is not None:
            key = (before.month, before.town_id, before.help_days, before.closure_days)
            if after is not None and key == (after.month, after.town_id, after.help_days,
                                             after.closure_days):
                continue
            for k in _histogram_keys(*key):
                deltas[k] -= 1
        if after is None:
            if before is not None:
                session.delete(before)
            continue
        town_id, month = after.town_id, after.month
        help_days, closure_days = after.help_days, after.closure_days
        for k in _histogram_keys(month, town_id, help_days, closure_days):
            deltas[k] += 1
        if before is None:
            session.add(CaseTiming(case_id=case_id, town_id=town_id, month=month,
                                   help_days=help_days, closure_days=closure_days))
        else:
            before.town_id, before.month = town_id, month
            before.help_days, before.closure_days = help_days, closure_days
    session.flush()
    _move(session, deltas)


def step_finished(session: Session, rows: Iterable[StepDeadline]) -> None:
    """Count finished steps in their month's totals, on time or late (once, as they finish)."""
    counts: Counter[tuple[str, int, int, Any, bool]] = Counter()
    for row in rows:
        if row.done_at is None:
            continue
        started = row.started_at.astimezone(LOCAL_TZ)
        counts[(started.strftime("%Y-%m"), row.town_id, row.department_id or 0,
                row.step.value, local_date(row.done_at) > row.due_on)] += 1
    insert_ = _upsert(session)
    for (month, town_id, department_id, step, late), n in sorted(counts.items()):
        stmt = insert_(StepTimingCount).values(month=month, town_id=town_id,
                                               department_id=department_id, step=step,
                                               late=late, n=n)
        session.execute(stmt.on_conflict_do_update(
            index_elements=[StepTimingCount.month, StepTimingCount.town_id,
                            StepTimingCount.department_id, StepTimingCount.step,
                            StepTimingCount.late],
            set_={"n": StepTimingCount.n + stmt.excluded.n}))


def rebuild(session: Session, settings: CaseSettings | None = None, echo: Any = None) -> int:
    """Rewrite the timing records and both histograms from the cases, counting working days
    with ``settings``' calendar (default: the app's); how many cases."""
    first = session.scalar(select(func.min(Case.reported_at)))
    _ensure_days(session, local_date(first) if first is not None else None, settings)
    session.execute(delete(CaseTimingCount))
    session.execute(delete(StepTimingCount))
    session.execute(delete(CaseTiming))
    session.execute(insert(CaseTiming).from_select(
        ["case_id", "town_id", "month", "help_days", "closure_days"], _records(None)))
    t = CaseTiming
    received = select(t.month, t.town_id, literal(RECEIVED), literal(0), func.count()
                      ).group_by(t.month, t.town_id)
    helped = select(t.month, t.town_id, literal(HELPED), t.help_days, func.count()
                    ).where(t.help_days.is_not(None)).group_by(t.month, t.town_id, t.help_days)
    closed = (select(t.month, t.town_id, literal(CLOSED), t.closure_days, func.count())
              .where(t.closure_days.is_not(None))
              .group_by(t.month, t.town_id, t.closure_days))
    for part in (received, helped, closed):
        session.execute(insert(CaseTimingCount).from_select(
            ["month", "town_id", "measure", "days", "n"], part))
    s = StepDeadline
    late = local_day(s.done_at) > s.due_on
    month, department = local_month(s.started_at), func.coalesce(s.department_id, 0)
    session.execute(insert(StepTimingCount).from_select(
        ["month", "town_id", "department_id", "step", "late", "n"],
        select(month, s.town_id, department, s.step, late, func.count())
        .where(s.done_at.is_not(None)).group_by(month, s.town_id, department, s.step, late)))
    session.flush()
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics for the planner
        session.execute(text("ANALYZE case_timings, case_timing_counts, step_timing_counts"))
    n = session.scalar(select(func.count()).select_from(CaseTiming)) or 0
    if echo is not None:
        echo(f"timing records of {n:,} cases")
    return n


# ---- the events that move a case's record ----------------------------------------------------

def on_case_changed(session: Session, event: events.CaseChanged) -> None:
    refresh(session, [event.case.id])


def on_payment_posted(session: Session, event: events.PaymentPosted) -> None:
    if event.case is not None:
        refresh(session, [event.case.id])


def on_pledge_changed(session: Session, event: events.PledgeChanged) -> None:
    if event.need_id is not None:
        case_id = session.scalar(select(NeedCard.case_id).where(NeedCard.id == event.need_id))
        if case_id is not None:
            refresh(session, [case_id])

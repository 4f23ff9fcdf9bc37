"""Time limits (限时办结): working-day arithmetic and the deadline of each step.

A working day is Monday to Friday, minus the configured holidays, plus the configured
adjusted working weekend days (调休). Dates are local dates in China Standard Time. A step
due on day D is overdue from the first moment of D+1.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from webapp.models import Case, Step, StepDeadline, utcnow
from webapp.services import audit
from webapp.services.cases.settings import CaseSettings

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in the county of an aware UTC moment."""
    return moment.astimezone(LOCAL_TZ).date()


def is_working_day(day: dt.date, settings: CaseSettings) -> bool:
    if day in settings.extra_workdays:
        return True
    return day.weekday() < 5 and day not in settings.holidays


def add_working_days(start: dt.date, days: int, settings: CaseSettings) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current, left = start, days
    while left:
        current += dt.timedelta(days=1)
        if is_working_day(current, settings):
            left -= 1
    return current


@functools.lru_cache(maxsize=16)
def _exceptions(holidays: frozenset[dt.date], extra_workdays: frozenset[dt.date]
                ) -> tuple[list[dt.date], list[dt.date]]:
    """The calendar's exceptions to Monday–Friday, sorted: holidays on weekdays (that no 调休
    makes a working day again) and working weekend days."""
    off = sorted(d for d in holidays if d.weekday() < 5 and d not in extra_workdays)
    on = sorted(d for d in extra_workdays if d.weekday() >= 5)
    return off, on


def _weekdays_through(day: dt.date) -> int:
    """Monday–Friday dates from a fixed Monday (0001-01-01) up to and including ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)  # ordinal 1 is a Monday
    return weeks * 5 + min(rest, 5)


def working_days_between(start: dt.date, end: dt.date, settings: CaseSettings) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``).

    Counted, not walked: the weekdays in the range, less the holidays on weekdays, plus the
    working weekend days (the supervision board asks this for every open step, and a late
    step's range grows by the day).
    """
    if end <= start:
        return 0
    off, on = _exceptions(settings.holidays, settings.extra_workdays)
    return (_weekdays_through(end) - _weekdays_through(start)
            - (bisect.bisect_right(off, end) - bisect.bisect_right(off, start))
            + (bisect.bisect_right(on, end) - bisect.bisect_right(on, start)))


def step_limit(step: Step, settings: CaseSettings) -> int:
    return {Step.ACCEPTANCE: settings.acceptance_days,
            Step.VERIFICATION: settings.verification_days,
            Step.TRANSFER_ANSWER: settings.transfer_days,
            Step.PROCEDURE: settings.procedure_days}[step]


def case_limit(case: Case, step: Step, settings: CaseSettings) -> int:
    """The limit of a step for this case: shortened for a high-impact (重大敏感) case."""
    limit = step_limit(step, settings)
    if not case.high_impact or limit == 0:
        return limit
    return max(1, -(-limit * settings.high_impact_percent // 100))


def open_step(session: Session, case: Case, step: Step, *, settings: CaseSettings,
              now: dt.datetime, responsible_id: int | None = None,
              department_id: int | None = None, transfer_id: int | None = None,
              due_on: dt.date | None = None) -> StepDeadline:
    """Start the clock of a step; an open deadline of the same step is kept, not duplicated."""
    if transfer_id is None:
        existing = session.scalars(select(StepDeadline).where(
            StepDeadline.case_id == case.id, StepDeadline.step == step,
            StepDeadline.done_at.is_(None))).first()
        if existing is not None:
            return existing
    due = due_on or add_working_days(local_date(now), case_limit(case, step, settings), settings)
    row = StepDeadline(case_id=case.id, step=step, town_id=case.town_id, started_at=now,
                       due_on=due, responsible_id=responsible_id, department_id=department_id,
                       transfer_id=transfer_id)
    session.add(row)
    session.flush()
    return row


def close_steps(session: Session, case: Case, steps: tuple[Step, ...] | None, *,
                now: dt.datetime, transfer_id: int | None = None) -> None:
    """Stop the clock of the given open steps of a case (all open steps when ``steps`` is None)."""
    stmt = select(StepDeadline).where(StepDeadline.case_id == case.id,
                                      StepDeadline.done_at.is_(None))
    if steps is not None:
        stmt = stmt.where(StepDeadline.step.in_(steps))
    if transfer_id is not None:
        stmt = stmt.where(StepDeadline.transfer_id == transfer_id)
    from webapp.services.statistics import timings
    finished = list(session.scalars(stmt))
    for row in finished:
        row.done_at = now
    session.flush()
    timings.step_finished(session, finished)  # counted on time or late, once


def reassign_steps(session: Session, case: Case, responsible_id: int | None) -> None:
    """After a handover the open steps of the case belong to the new owner."""
    for row in session.scalars(select(StepDeadline).where(
            StepDeadline.case_id == case.id, StepDeadline.done_at.is_(None),
            StepDeadline.department_id.is_(None))):
        row.responsible_id = responsible_id
    session.flush()


def open_deadlines(session: Session, case: Case) -> list[StepDeadline]:
    return list(session.scalars(select(StepDeadline).where(
        StepDeadline.case_id == case.id, StepDeadline.done_at.is_(None))
        .order_by(StepDeadline.due_on)))


def overdue_stmt(today: dt.date) -> Select[tuple[StepDeadline]]:
    """Open steps whose due date has passed, oldest first (the supervision board)."""
    return (select(StepDeadline).where(StepDeadline.done_at.is_(None),
                                       StepDeadline.due_on < today)
            .order_by(StepDeadline.due_on, StepDeadline.id))


def newly_overdue(session: Session, *, now: dt.datetime | None = None) -> list[StepDeadline]:
    """Mark open steps past their due date as overdue; returns only those marked now."""
    now = now or utcnow()
    rows = list(session.scalars(overdue_stmt(local_date(now))
                                .where(StepDeadline.overdue_at.is_(None))))
    for row in rows:
        row.overdue_at = now
        audit.record(session, None, "case.step_overdue", row.case,
                     summary={"step": row.step.value, "due_on": row.due_on.isoformat(),
                              "deadline_id": row.id})
    session.flush()
    return rows

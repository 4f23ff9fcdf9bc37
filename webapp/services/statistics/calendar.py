"""The working-day calendar as a table, so figures count working days inside SQL.

Each day's ``ordinal`` is the number of working days after :data:`EPOCH` up to and including
it (by :func:`webapp.services.cases.deadlines.is_working_day`), hence
``ordinal(b) - ordinal(a) == working_days_between(a, b, settings)`` for ``a <= b``.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.models import WorkingDay
from webapp.services.cases.deadlines import is_working_day
from webapp.services.cases.settings import CaseSettings

EPOCH = dt.date(2000, 1, 1)


def expected_rows(settings: CaseSettings, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The calendar rows of ``first`` … ``last`` under ``settings``."""
    return list(_expected(settings.holidays, settings.extra_workdays, first, last)[0])


@functools.lru_cache(maxsize=64)
def _expected(holidays: frozenset[dt.date], extra_workdays: frozenset[dt.date], first: dt.date,
              last: dt.date) -> tuple[tuple[dict[str, Any], ...], tuple[int, int, int]]:
    """The rows and their checksum (count, sum of ordinals, working days), computed once per
    calendar and range in a process."""
    settings = CaseSettings(holidays=holidays, extra_workdays=extra_workdays)
    first = max(first, EPOCH)
    ordinal, day = 0, EPOCH
    rows: list[dict[str, Any]] = []
    total = working_days = 0
    while day <= last:
        working = is_working_day(day, settings) and day > EPOCH
        ordinal += working
        if day >= first:
            rows.append({"day": day, "ordinal": ordinal, "working": working})
            total, working_days = total + ordinal, working_days + working
        day += dt.timedelta(days=1)
    checksum = (len(rows), total, working_days)
    return tuple(rows), checksum


def ensure_calendar(session: Session, settings: CaseSettings, first: dt.date,
                    last: dt.date) -> bool:
    """Make the table hold ``first`` … ``last`` as ``settings`` count them; True if it wrote.

    A checksum over the range decides; writes are upserts, so two requests doing this at once
    both succeed with the same rows.
    """
    rows, checksum = _expected(settings.holidays, settings.extra_workdays, first, last)
    if not rows:
        return False
    lo, hi = rows[0]["day"], rows[-1]["day"]
    found = session.execute(select(
        func.count(), func.coalesce(func.sum(WorkingDay.ordinal), 0),
        func.coalesce(func.sum(func.cast(WorkingDay.working, WorkingDay.ordinal.type)), 0))
        .where(WorkingDay.day.between(lo, hi))).one()
    if tuple(found) == checksum:
        return False
    # Days already there that the calendar now counts otherwise (a holiday added, a 调休
    # working weekend): the timing records counted with the old ordinals.
    wanted = {row["day"]: (row["ordinal"], bool(row["working"])) for row in rows}
    changed = found[0] > 0 and any(
        (ordinal, bool(working)) != wanted[day]
        for day, ordinal, working in session.execute(select(
            WorkingDay.day, WorkingDay.ordinal, WorkingDay.working).where(
            WorkingDay.day.between(lo, hi))))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 1000):
        stmt = insert(WorkingDay).values(list(rows[start:start + 1000]))
        session.execute(stmt.on_conflict_do_update(
            index_elements=[WorkingDay.day],
            set_={"ordinal": stmt.excluded.ordinal, "working": stmt.excluded.working}))
    session.flush()
    if changed:
        from webapp.services.statistics import timings
        timings.rebuild(session, settings)
    return True

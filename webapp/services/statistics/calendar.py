"""The working-day calendar as a table, so figures count working days inside SQL.

Each day's ``ordinal`` is the number of working days after :data:`EPOCH` up to and including
it (by :func:`webapp.services.cases.deadlines.is_working_day`), hence
``ordinal(b) - ordinal(a) == working_days_between(a, b, settings)`` for ``a <= b``.
"""
from __future__ import annotations

import datetime as dt
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
    first = max(first, EPOCH)
    ordinal, day, rows = 0, EPOCH, []
    while day <= last:
        working = is_working_day(day, settings) and day > EPOCH
        ordinal += working
        if day >= first:
            rows.append({"day": day, "ordinal": ordinal, "working": working})
        day += dt.timedelta(days=1)
    return rows


def ensure_calendar(session: Session, settings: CaseSettings, first: dt.date,
                    last: dt.date) -> bool:
    """Make the table hold ``first`` … ``last`` as ``settings`` count them; True if it wrote.

    A checksum over the range decides; writes are upserts, so two requests doing this at once
    both succeed with the same rows.
    """
    rows = expected_rows(settings, first, last)
    if not rows:
        return False
    lo, hi = rows[0]["day"], rows[-1]["day"]
    count, total, working = session.execute(select(
        func.count(), func.coalesce(func.sum(WorkingDay.ordinal), 0),
        func.coalesce(func.sum(func.cast(WorkingDay.working, WorkingDay.ordinal.type)), 0))
        .where(WorkingDay.day.between(lo, hi))).one()
    if (count, total, working) == (len(rows), sum(r["ordinal"] for r in rows),
                                   sum(r["working"] for r in rows)):
        return False
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 1000):
        stmt = insert(WorkingDay).values(rows[start:start + 1000])
        session.execute(stmt.on_conflict_do_update(
            index_elements=[WorkingDay.day],
            set_={"ordinal": stmt.excluded.ordinal, "working": stmt.excluded.working}))
    session.flush()
    return True

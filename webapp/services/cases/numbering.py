"""Case numbers ``GT-<year>-<six digits>``, allocated by an atomic counter update so two
concurrent intakes never get the same number."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import CaseNumberCounter

PREFIX = "GT"


def format_number(year: int, seq: int) -> str:
    return f"{PREFIX}-{year}-{seq:06d}"


def next_case_number(session: Session, year: int) -> str:
    """Allocate the next number of ``year``; the counter row is locked until commit."""
    for _attempt in range(3):
        seq = session.scalar(update(CaseNumberCounter).where(CaseNumberCounter.year == year)
                             .values(last=CaseNumberCounter.last + 1)
                             .returning(CaseNumberCounter.last))
        if seq is not None:
            return format_number(year, seq)
        try:
            with session.begin_nested():
                session.add(CaseNumberCounter(year=year, last=0))
        except IntegrityError:
            continue  # another transaction created the row first; increment theirs
    row = session.scalars(select(CaseNumberCounter).where(CaseNumberCounter.year == year)
                          .with_for_update()).one()
    row.last += 1
    session.flush()
    return format_number(year, row.last)

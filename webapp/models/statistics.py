"""Statistics: the working-day calendar the figures count with, and the monthly reports (月报).

``working_days`` is derived from the county's calendar (weekdays, holidays, 调休 working
weekends): ``ordinal`` counts the working days since a fixed epoch, so the working days between
two dates are one subtraction inside a GROUP BY. ``flask derived rebuild`` and the statistics
service rewrite it whenever the calendar changes; losing it loses nothing.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Step


class WorkingDay(Base):
    """One calendar day and the number of working days from the epoch up to and including it."""

    __tablename__ = "working_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    ordinal: Mapped[int]
    working: Mapped[bool]


class ReportStage(str, enum.Enum):
    QUEUED = "queued"
    FIGURES = "figures"
    SPREADSHEET = "spreadsheet"
    PDF = "pdf"
    DONE = "done"
    FAILED = "failed"


class MonthlyReport(Base):
    """One generated monthly report: its month, its background job, its stage and its files."""

    __tablename__ = "monthly_reports"
    __table_args__ = (Index("ix_monthly_reports_period", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    stage: Mapped[ReportStage] = mapped_column(StrEnum(ReportStage), default=ReportStage.QUEUED)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    xlsx_name: Mapped[str | None] = mapped_column(String(80))
    pdf_name: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)


class CaseTiming(Base):
    """One case's timeliness in whole working days, written when its steps happen.

    ``month`` is the county's month of the report; ``help_days`` the working days from the
    report to the first help (``None``: no help yet), ``closure_days`` to the closure
    (``None``: not closed). :mod:`webapp.services.statistics.timings` writes it and the
    counts below; ``flask derived rebuild`` rewrites both from the cases.
    """

    __tablename__ = "case_timings"
    __table_args__ = (Index("ix_case_timings_month_town", "month", "town_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True,
                                         autoincrement=False)
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    month: Mapped[str] = mapped_column(String(7))
    help_days: Mapped[int | None]
    closure_days: Mapped[int | None]


class CaseTimingCount(Base):
    """How many cases of a month and town were received (``measure`` received, ``days`` 0),
    got their first help or were closed after ``days`` working days: a histogram per month,
    so the figures read a few rows a month instead of the month's cases."""

    __tablename__ = "case_timing_counts"

    # In this order, the view by month reads the rows in key order (no sort).
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    days: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    town_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int]


class StepTimingCount(Base):
    """How many finished steps of one kind started in a month, by town and department
    (0: none), on time (``late`` false) or late, counted when each step finished."""

    __tablename__ = "step_timing_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    town_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    step: Mapped[Step] = mapped_column(StrEnum(Step), primary_key=True)
    late: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int]

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

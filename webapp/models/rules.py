"""County rules (the county's own limits, calendar and standards) and supervision orders.

A rule is versioned: each change is a new :class:`CountyRule` row effective from a date, so the
value in force on any day can be read back and a deadline keeps the rule it started under. The
holiday calendar holds only the exceptions to Monday–Friday: rows loaded from the statutory
calendar library (``source='library'``) and the county's own overrides (``source='local'``),
which win over the library on the same day.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Case


class CountyRule(Base):
    """One version of one rule: ``key`` has ``value`` from ``effective_from`` on."""

    __tablename__ = "county_rules"
    __table_args__ = (Index("ix_county_rules_key_effective", "key", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()


class DayKind(str, enum.Enum):
    HOLIDAY = "holiday"   # no work, even on a weekday
    WORKDAY = "workday"   # work, even on a weekend (调休)


class CalendarDay(Base):
    """A day that is not what its weekday says: a holiday or a make-up working day."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("day", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[DayKind] = mapped_column(StrEnum(DayKind))
    source: Mapped[str] = mapped_column(String(10))  # library | local
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SchemeStandardChange(Base):
    """The history of a scheme's standards (amount range, times per year) set by the county."""

    __tablename__ = "scheme_standard_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    min_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    times_per_year: Mapped[int | None]
    effective_from: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()


class OrderLevel(str, enum.Enum):
    REMIND = "remind"        # 提醒
    SUPERVISE = "supervise"  # 督办
    REPORT = "report"        # 通报


class OrderStatus(str, enum.Enum):
    OPEN = "open"
    REPLIED = "replied"
    CLOSED = "closed"


class SupervisionOrder(Base):
    """A supervision order (督办单) about one subject (``subject_kind`` + ``subject_id``: a case,
    a transfer, a help-first payment …) sent to the organisation responsible for it."""

    __tablename__ = "supervision_orders"
    __table_args__ = (Index("ix_supervision_orders_status_due", "status", "reply_due_on"),
                      Index("ix_supervision_orders_subject", "subject_kind", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reply_due_on: Mapped[dt.date] = mapped_column(Date)
    request: Mapped[str] = mapped_column(String(1000))
    level: Mapped[OrderLevel] = mapped_column(StrEnum(OrderLevel), default=OrderLevel.REMIND)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[OrderStatus] = mapped_column(StrEnum(OrderStatus), default=OrderStatus.OPEN)
    reply: Mapped[str | None] = mapped_column(String(2000))
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case | None] = relationship()
    recipient: Mapped[Organisation] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

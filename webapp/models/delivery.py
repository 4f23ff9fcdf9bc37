"""What help was actually delivered: service sessions logged against a pairing, and the
structured outcome an officer records when a case is closed."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.matching import Proposal


class ServiceSession(Base):
    """One session of volunteer service delivered under an accepted pairing (hours)."""

    __tablename__ = "service_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("match_proposals.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    note: Mapped[str] = mapped_column(String(200), default="")
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    logged_by: Mapped[User] = relationship()


class OutcomeResult(str, enum.Enum):
    RESOLVED = "resolved"
    PARTLY = "partly_resolved"
    NOT_RESOLVED = "not_resolved"
    REFERRED = "referred_on"


class CaseOutcome(Base):
    """The structured, publishable outcome of a closed case: one per case."""

    __tablename__ = "case_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    result: Mapped[OutcomeResult] = mapped_column(StrEnum(OutcomeResult))
    story: Mapped[str] = mapped_column(Text)   # passed the redaction gate of the need card
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

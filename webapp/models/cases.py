"""Urgent cases (急难个案): skeleton shared by every area; the case area owns and extends it."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.catalog import Category


class CaseStatus(str, enum.Enum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EMERGENCY_AID = "emergency_aid"
    VERIFYING = "verifying"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    IN_ASSISTANCE = "in_assistance"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # GT-2026-000123
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    category: Mapped[Category] = mapped_column(StrEnum(Category), index=True)
    urgency: Mapped[int] = mapped_column(default=2)  # 1 (low) – 4 (critical)
    amount_needed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    status: Mapped[CaseStatus] = mapped_column(StrEnum(CaseStatus), index=True,
                                               default=CaseStatus.REPORTED)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    town: Mapped[Organisation] = relationship(foreign_keys=[town_id])
    village: Mapped[Organisation | None] = relationship(foreign_keys=[village_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

"""Help sources (charity projects, company relief funds, volunteer offers, government schemes)
and donor pledges. Skeleton shared by every area; the resource area owns and extends it."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow


class ListingStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    LISTED = "listed"
    PAUSED = "paused"
    CLOSED = "closed"


class ListingMixin:
    """Columns every listing has. ``categories``/``towns`` hold comma-separated codes/ids;
    empty ``towns`` means county-wide and empty ``categories`` means any cause."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[str] = mapped_column(String(200), default="")
    towns: Mapped[str] = mapped_column(String(400), default="")
    status: Mapped[ListingStatus] = mapped_column(StrEnum(ListingStatus), index=True,
                                                  default=ListingStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Project(ListingMixin, Base):
    """A charity project (慈善项目)."""

    __tablename__ = "projects"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    per_case_cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    requires: Mapped[str] = mapped_column(String(200), default="")  # household flags
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()


class Fund(ListingMixin, Base):
    """A company relief fund (救急难公益基金)."""

    __tablename__ = "funds"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    capital: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    per_case_cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    organisation: Mapped[Organisation] = relationship()


class Offer(ListingMixin, Base):
    """A volunteer's or team's service offer (志愿服务)."""

    __tablename__ = "offers"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    services: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[str] = mapped_column(String(200), default="")
    hours_per_week: Mapped[int] = mapped_column(default=4)
    max_cases: Mapped[int] = mapped_column(default=1)
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    available_until: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()
    volunteer: Mapped[User | None] = relationship()


class Scheme(ListingMixin, Base):
    """A government assistance scheme (临时救助, 医疗救助 …)."""

    __tablename__ = "schemes"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    min_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    annual_budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    requires: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship()


class PledgeStatus(str, enum.Enum):
    PLEDGED = "pledged"
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class Pledge(Base):
    """A donor's offer of money or service to a published need or to a project."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need_cards.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    service: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[PledgeStatus] = mapped_column(StrEnum(PledgeStatus), index=True,
                                                 default=PledgeStatus.PLEDGED)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    donor: Mapped[User] = relationship()

"""Help sources (charity projects, company relief funds, volunteer offers, government schemes),
the officer review of listings, and donor pledges. The resource area owns this module."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.catalog import Category
from webapp.models.needs import NeedCard


class ListingStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    LISTED = "listed"
    PAUSED = "paused"
    CLOSED = "closed"


class ListingKind(str, enum.Enum):
    PROJECT = "project"
    FUND = "fund"
    OFFER = "offer"
    SCHEME = "scheme"


def split_ids(text: str) -> list[int]:
    """Parse a comma-separated id list, skipping blanks."""
    return [int(part) for part in (text or "").split(",") if part.strip()]


def split_codes(text: str) -> list[str]:
    """Parse a comma-separated code list, skipping blanks."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


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
    review_note: Mapped[str | None] = mapped_column(String(500))  # last rejection reason
    listed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    if TYPE_CHECKING:  # each listing model declares its own column and kind
        organisation_id: Mapped[int]
        kind: ListingKind

        def __init__(self, **kwargs: Any) -> None: ...

    @property
    def town_ids(self) -> frozenset[int]:
        """Town organisation ids served; empty means the whole county."""
        return frozenset(split_ids(self.towns))

    @property
    def category_set(self) -> frozenset[Category]:
        """Causes covered; empty means any cause."""
        return frozenset(Category(c) for c in split_codes(self.categories))

    def serves_town(self, town_id: int | None) -> bool:
        return not self.towns or (town_id is not None and town_id in self.town_ids)

    def covers(self, category: Category) -> bool:
        return not self.categories or category in self.category_set

    @property
    def is_public(self) -> bool:
        return self.status == ListingStatus.LISTED


class Project(ListingMixin, Base):
    """A charity project (慈善项目)."""

    __tablename__ = "projects"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    per_case_cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    requires: Mapped[str] = mapped_column(String(200), default="")  # household flags
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    featured: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation] = relationship()
    kind = ListingKind.PROJECT


class Fund(ListingMixin, Base):
    """A company relief fund (救急难公益基金)."""

    __tablename__ = "funds"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    capital: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    per_case_cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    organisation: Mapped[Organisation] = relationship()
    kind = ListingKind.FUND


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
    kind = ListingKind.OFFER

    @property
    def service_list(self) -> list[str]:
        return split_codes(self.services)


class Scheme(ListingMixin, Base):
    """A government assistance scheme (临时救助, 医疗救助 …)."""

    __tablename__ = "schemes"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    min_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    annual_budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    requires: Mapped[str] = mapped_column(String(200), default="")
    times_per_year: Mapped[int | None]  # how often one person may receive it

    organisation: Mapped[Organisation] = relationship()
    kind = ListingKind.SCHEME


Listing = Project | Fund | Offer | Scheme
"""Any of the four kinds of listing."""

LISTING_MODELS: dict[ListingKind, type[ListingMixin]] = {
    ListingKind.PROJECT: Project, ListingKind.FUND: Fund, ListingKind.OFFER: Offer,
    ListingKind.SCHEME: Scheme}


class ReviewDecision(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ListingReview(Base):
    """One submission of a listing to the officers' review queue and its decision."""

    __tablename__ = "listing_reviews"
    __table_args__ = (Index("ix_listing_reviews_kind_listing", "kind", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListingKind] = mapped_column(StrEnum(ListingKind))
    listing_id: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(StrEnum(ReviewDecision), index=True,
                                                     default=ReviewDecision.PENDING)
    changed_fields: Mapped[str] = mapped_column(String(400), default="")  # "" = new listing
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(500))

    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class PledgeStatus(str, enum.Enum):
    PLEDGED = "pledged"
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class Pledge(Base):
    """A donor's offer of money or service to a published need or to a project."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)  # shown to the donor
    donor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need_cards.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    service: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[PledgeStatus] = mapped_column(StrEnum(PledgeStatus), index=True,
                                                 default=PledgeStatus.PLEDGED)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Which need the received money went to (a project pledge used for one of its cases);
    # None once received: used by the pledged need or project itself.
    used_need_id: Mapped[int | None] = mapped_column(ForeignKey("need_cards.id"))

    donor: Mapped[User] = relationship(foreign_keys=[donor_id])
    need: Mapped[NeedCard | None] = relationship(foreign_keys=[need_id])
    used_need: Mapped[NeedCard | None] = relationship(foreign_keys=[used_need_id])
    project: Mapped[Project | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in (PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED,
                               PledgeStatus.FULFILLED)

"""The anonymized need card: the only face of a case that donors, charities and search see."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Case
from webapp.models.catalog import Category


class NeedStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class NeedCard(Base):
    """One reviewed, anonymized card per case. Holds no personal data by construction."""

    __tablename__ = "need_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    # Public need number, XQ-2026-0041: a sequence of its own, never derived from the case.
    number: Mapped[str | None] = mapped_column(String(16), unique=True, index=True)
    status: Mapped[NeedStatus] = mapped_column(StrEnum(NeedStatus), index=True,
                                               default=NeedStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(120))
    story: Mapped[str] = mapped_column(Text)
    category: Mapped[Category] = mapped_column(StrEnum(Category), index=True)
    area: Mapped[str] = mapped_column(String(40))          # town name, or the county
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # None = county
    age_band: Mapped[str | None] = mapped_column(String(20))
    household: Mapped[str | None] = mapped_column(String(200))
    # k-anonymity generalisation level of the published card (webapp.privacy.publishing.card.LEVEL_*)
    level: Mapped[int] = mapped_column(default=0)
    title_edited: Mapped[bool] = mapped_column(default=False)  # officer's title, not generated
    # What the generated words above are made of, as codes (category, event, age and size
    # ranges, household flags, the title's form: webapp.privacy.publishing.card.card_words),
    # so that each reader reads them in their own language (webapp.generated_words).
    words: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    urgency: Mapped[int] = mapped_column(default=2)
    amount_needed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    services: Mapped[str] = mapped_column(String(200), default="")  # comma separated
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    # What the need has received and still lacks is not stored here: it is the need's one
    # account of help, webapp.services.need_account.help_accounts.

    @property
    def label(self) -> str:
        """How staff and donors name the need: its public number, or its id before it has one."""
        return self.number or f"#{self.id}"

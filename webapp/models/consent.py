"""The notice of how an applicant's personal data is used (告知同意, PIPL Arts. 14, 17) and
the record that an applicant was told and agreed.

A notice is versioned: publishing a new text makes a new :class:`ConsentNotice` row effective
from a date; published rows are never edited, so what each applicant agreed to can be read
back word for word. A :class:`ConsentRecord` is personal data (it may name the person who
acted for the applicant) and is sealed and purged like the applicant's own columns.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Case
from webapp.models.encrypted import EncryptedText
from webapp.models.leads import Lead


class ConsentNotice(Base):
    """One published version of the notice text; read-only once published."""

    __tablename__ = "consent_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[dt.date] = mapped_column(Date, index=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    published_by: Mapped[User | None] = relationship()


class ConsentMethod(str, enum.Enum):
    PAPER = "paper"            # 书面告知，申请人签字
    READ_ALOUD = "read_aloud"  # 工作人员宣读，申请人口头同意
    ONLINE = "online"          # 网上申请时阅读并勾选同意


class ConsentRecord(Base):
    """That the applicant, or someone acting for them, was shown and agreed to a notice."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("consent_notices.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    method: Mapped[ConsentMethod] = mapped_column(StrEnum(ConsentMethod))
    # Set only when someone agreed for the applicant: who, and how they are related.
    proxy_name: Mapped[str | None] = mapped_column(EncryptedText())
    proxy_relation: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: online
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    notice: Mapped[ConsentNotice] = relationship()
    case: Mapped[Case | None] = relationship()
    lead: Mapped[Lead | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

"""The town window's public face (一明显三上墙) and the public's complaints (投诉/监督).

A complaint's text and the complainant's contact are encrypted at rest like an applicant's
data; ``address_key`` (a keyed hash of the client address) only counts recent complaints from
one address, so a flood can be refused without storing where anyone wrote from.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.encrypted import EncryptedText


class TownWindow(Base):
    """The service window of one town: where it is, when it is open, whom to call."""

    __tablename__ = "town_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    opening_hours: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    supervision_phone: Mapped[str | None] = mapped_column(String(20))  # None: the county's
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    town: Mapped[Organisation] = relationship()


class ComplaintTopic(str, enum.Enum):
    DELAY = "delay"            # 办理超时、无人答复
    SHIRKING = "shirking"      # 推诿、不予受理
    ATTITUDE = "attitude"      # 服务态度
    FAIRNESS = "fairness"      # 优亲厚友、不公正
    OTHER = "other"


class ComplaintStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"


class Complaint(Base):
    """A complaint to the county bureau, tracked to a written answer by its due date."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # TS-2026-00012
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    topic: Mapped[ComplaintTopic] = mapped_column(StrEnum(ComplaintTopic))
    content: Mapped[str] = mapped_column(EncryptedText())
    case_number: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(EncryptedText())
    contact_phone: Mapped[str | None] = mapped_column(EncryptedText())
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(StrEnum(ComplaintStatus), index=True,
                                                    default=ComplaintStatus.OPEN)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    town: Mapped[Organisation | None] = relationship()
    answered_by: Mapped[User | None] = relationship()

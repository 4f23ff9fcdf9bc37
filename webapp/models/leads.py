"""Every door in: leads (线索) from whoever finds hardship, the verification codes of the public
self-service pages, appeals (复核申请) against a refusal, and the messages sent to applicants.

Personal data given with a lead (name, phone, address, what happened) is sealed like an
applicant's; ``phone_key`` (a keyed hash of the phone) lets a status lookup and the flood
brake find rows without decrypting.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Case
from webapp.models.encrypted import EncryptedText


class LeadStatus(str, enum.Enum):
    OPEN = "open"            # waiting for the town window's first contact
    CONVERTED = "converted"  # turned into a case
    CLOSED = "closed"        # closed with a reason


class LeadCloseReason(str, enum.Enum):
    REFERRED = "referred"            # 已转介
    NOT_ELIGIBLE = "not_eligible"    # 不符合条件
    DUPLICATE = "duplicate"          # 重复线索
    UNREACHABLE = "unreachable"      # 无法联系


class LeadChannel(str, enum.Enum):
    STAFF = "staff"    # filed by a logged-in finder (村居, 社工, 志愿者, 部门, 救助站)
    ONLINE = "online"  # a resident's self-application (网上申请)


class Lead(Base):
    """A first report of hardship, waiting in a town window's queue."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # XS-2026-000012
    channel: Mapped[LeadChannel] = mapped_column(StrEnum(LeadChannel), index=True)
    status: Mapped[LeadStatus] = mapped_column(StrEnum(LeadStatus), index=True,
                                               default=LeadStatus.OPEN)
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    address: Mapped[str | None] = mapped_column(EncryptedText())
    description: Mapped[str] = mapped_column(EncryptedText())
    phone_key: Mapped[str | None] = mapped_column(String(64), index=True)
    urgency: Mapped[int] = mapped_column(default=2)  # 1 (low) – 4 (critical)
    on_behalf: Mapped[bool] = mapped_column(default=False)  # filed by someone for the person
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reporter_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)  # first contact (首问) due
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[LeadCloseReason | None] = mapped_column(StrEnum(LeadCloseReason))
    close_note: Mapped[str | None] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)

    town: Mapped[Organisation] = relationship(foreign_keys=[town_id])
    village: Mapped[Organisation | None] = relationship(foreign_keys=[village_id])
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    reporter_org: Mapped[Organisation | None] = relationship(foreign_keys=[reporter_org_id])
    case: Mapped[Case | None] = relationship()


class CodePurpose(str, enum.Enum):
    APPLY = "apply"    # confirm a self-application
    LOOKUP = "lookup"  # open a status lookup


class VerificationCode(Base):
    """A one-time code sent to a phone. Only its keyed hash is kept; ``payload`` (sealed)
    holds what the code confirms (the application, or the number looked up)."""

    __tablename__ = "verification_codes"
    __table_args__ = (
        Index("ix_verification_codes_phone_key_created_at", "phone_key", "created_at"),
        Index("ix_verification_codes_address_created_at", "client_address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(43), unique=True)  # names the request in forms
    purpose: Mapped[CodePurpose] = mapped_column(StrEnum(CodePurpose))
    phone_key: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(EncryptedText())
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AppealStatus(str, enum.Enum):
    OPEN = "open"
    UPHELD = "upheld"          # the refusal stands (维持原决定)
    OVERTURNED = "overturned"  # the case is reopened (撤销原决定)


class Appeal(Base):
    """An applicant's request to review a refusal or rejection (复核申请)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[AppealStatus] = mapped_column(StrEnum(AppealStatus), index=True,
                                                 default=AppealStatus.OPEN)
    reason: Mapped[str] = mapped_column(EncryptedText())
    by_applicant: Mapped[bool] = mapped_column(default=True)  # else a window on their behalf
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refused_status: Mapped[str] = mapped_column(String(20))  # the CaseStatus appealed against
    original_decider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    original_decider: Mapped[User | None] = relationship(foreign_keys=[original_decider_id])


class MessageStatus(str, enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    RETRYING = "retrying"  # the last attempt failed; another is due at ``next_attempt_at``
    FAILED = "failed"      # gave up after the last allowed attempt


class OutboundMessage(Base):
    """A short text to an applicant's phone, and what became of it. With the default local
    sender this table *is* the outbox that developers and tests read."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # code, lead, accepted, approved …
    phone: Mapped[str] = mapped_column(EncryptedText())
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(EncryptedText())
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    status: Mapped[MessageStatus] = mapped_column(StrEnum(MessageStatus),
                                                  default=MessageStatus.QUEUED)
    sender: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

"""Urgent cases (急难个案): applicant, household, the case, its timeline, attachments, transfers,
step deadlines, once-per-year exceptions and the joint conference.

Applicant personal data is sealed at rest with :class:`EncryptedText`; ``person_key`` (a keyed
hash of the resident ID) finds the same person across cases and towns without decrypting, and
``name_key`` (a keyed hash of the full name) lets staff find an applicant by name.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import Organisation, User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.catalog import Category
from webapp.models.encrypted import EncryptedText


class CaseStatus(str, enum.Enum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EMERGENCY_AID = "emergency_aid"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    IN_ASSISTANCE = "in_assistance"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


TERMINAL_STATUSES = frozenset({CaseStatus.REFUSED, CaseStatus.REJECTED, CaseStatus.CLOSED,
                               CaseStatus.WITHDRAWN})


class CaseSource(str, enum.Enum):
    WINDOW = "window"            # 窗口受理
    OUTREACH = "outreach"        # 社区主动发现
    HOTLINE = "hotline"          # 热线
    REFERRAL = "referral"        # 部门转介
    RESCUE_STATION = "rescue_station"  # 救助管理站
    LEAD = "lead"                # 线索转个案
    ONLINE = "online"            # 网上申请


class Applicant(Base):
    """The person in crisis. Every identifying column is encrypted at rest."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedText())
    id_number: Mapped[str] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    address: Mapped[str | None] = mapped_column(EncryptedText())
    birth_date: Mapped[str | None] = mapped_column(EncryptedText())  # ISO date, sealed
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    name_key: Mapped[str | None] = mapped_column(String(64), index=True)  # blind index of name
    local_hukou: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the retention period ran out and the personal columns were replaced.
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Case(Base):
    __tablename__ = "cases"
    # The case list's order (high-impact first, then urgency, newest), county-wide and by town.
    __table_args__ = (Index("ix_cases_list_order", "high_impact", "urgency", "id"),
                      Index("ix_cases_town_list_order", "town_id", "high_impact", "urgency",
                            "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # GT-2026-000123
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    category: Mapped[Category] = mapped_column(StrEnum(Category), index=True)
    urgency: Mapped[int] = mapped_column(default=2)  # 1 (low) – 4 (critical)
    amount_needed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    status: Mapped[CaseStatus] = mapped_column(StrEnum(CaseStatus), index=True,
                                               default=CaseStatus.REPORTED)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    source: Mapped[CaseSource] = mapped_column(StrEnum(CaseSource), default=CaseSource.WINDOW)
    services: Mapped[str] = mapped_column(String(200), default="")  # comma separated
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    external_ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    emergency_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    procedure_due_on: Mapped[dt.date | None] = mapped_column(Date)
    high_impact: Mapped[bool] = mapped_column(default=False, index=True)  # 重大敏感
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    referred_to: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(1000))

    town: Mapped[Organisation] = relationship(foreign_keys=[town_id])
    village: Mapped[Organisation | None] = relationship(foreign_keys=[village_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    applicant: Mapped[Applicant | None] = relationship()
    household: Mapped[Household | None] = relationship(back_populates="case", uselist=False)
    members: Mapped[list[HouseholdMember]] = relationship(order_by="HouseholdMember.id",
                                                          back_populates="case")
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id",
                                                   back_populates="case")
    transfers: Mapped[list[Transfer]] = relationship(order_by="Transfer.id",
                                                     back_populates="case")

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def service_list(self) -> list[str]:
        return [s for s in self.services.split(",") if s]


class Household(Base):
    """The applicant's household at the time of the case (size, vulnerable members, status)."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    size: Mapped[int] = mapped_column(default=1)
    disability: Mapped[bool] = mapped_column(default=False)
    elderly: Mapped[bool] = mapped_column(default=False)
    minor: Mapped[bool] = mapped_column(default=False)
    serious_illness: Mapped[bool] = mapped_column(default=False)
    dibao: Mapped[bool] = mapped_column(default=False)   # 低保
    tekun: Mapped[bool] = mapped_column(default=False)   # 特困

    case: Mapped[Case] = relationship(back_populates="household")

    FLAGS = ("disability", "elderly", "minor", "serious_illness", "dibao", "tekun")

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(f for f in self.FLAGS if getattr(self, f))


class Relation(str, enum.Enum):
    """How a household member is related to the applicant."""

    SPOUSE = "spouse"            # 配偶
    CHILD = "child"              # 子女
    PARENT = "parent"            # 父母
    GRANDPARENT = "grandparent"  # (外)祖父母
    GRANDCHILD = "grandchild"    # (外)孙子女
    SIBLING = "sibling"          # 兄弟姐妹
    OTHER = "other"              # 其他共同生活人员


class HouseholdMember(Base):
    """One member of the applicant's household, sealed like the applicant: the name and the
    optional resident ID are encrypted; ``person_key`` (keyed hash of the ID) finds the same
    person in another case's household or as another case's applicant."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedText())
    relation: Mapped[Relation] = mapped_column(StrEnum(Relation))
    id_number: Mapped[str | None] = mapped_column(EncryptedText())
    person_key: Mapped[str | None] = mapped_column(String(64), index=True)
    disability: Mapped[bool] = mapped_column(default=False)
    elderly: Mapped[bool] = mapped_column(default=False)
    minor: Mapped[bool] = mapped_column(default=False)
    serious_illness: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="members")

    FLAGS = ("disability", "elderly", "minor", "serious_illness")

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(f for f in self.FLAGS if getattr(self, f))


class CaseEvent(Base):
    """One line of a case's timeline: who did what, from which state to which."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[CaseStatus | None] = mapped_column(StrEnum(CaseStatus))
    to_status: Mapped[CaseStatus | None] = mapped_column(StrEnum(CaseStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    # A note the system words: its message key and values (webapp.services.cases.notes),
    # shown in the reader's language; ``note`` then holds only what a person typed.
    note_key: Mapped[str | None] = mapped_column(String(40))
    note_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Attachment(Base):
    """A proof document (hospital bill, certificate) stored under the data dir by random name."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TransferStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"


class Transfer(Base):
    """A case sent to a department (转办) with a reason and a due date, until it answers."""

    __tablename__ = "case_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    due_on: Mapped[dt.date] = mapped_column(Date)
    from_status: Mapped[CaseStatus] = mapped_column(StrEnum(CaseStatus))
    status: Mapped[TransferStatus] = mapped_column(StrEnum(TransferStatus), index=True,
                                                   default=TransferStatus.OPEN)
    answer: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="transfers")
    department: Mapped[Organisation] = relationship()


class Step(str, enum.Enum):
    ACCEPTANCE = "acceptance"
    VERIFICATION = "verification"
    TRANSFER_ANSWER = "transfer_answer"
    PROCEDURE = "procedure"


class StepDeadline(Base):
    """The time limit of one step (限时办结); ``overdue_at`` is set by ``flask deadlines check``."""

    __tablename__ = "case_step_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[Step] = mapped_column(StrEnum(Step))
    town_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("case_transfers.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    town: Mapped[Organisation] = relationship(foreign_keys=[town_id])
    department: Mapped[Organisation | None] = relationship(foreign_keys=[department_id])
    responsible: Mapped[User | None] = relationship()


class AssistanceException(Base):
    """An officer's recorded exception to the once-per-cause-per-year rule."""

    __tablename__ = "assistance_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    earlier_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseNumberCounter(Base):
    """The last case number handed out per year; incremented atomically."""

    __tablename__ = "case_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class ConferenceStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    HELD = "held"


class Conference(Base):
    """A joint conference of departments (联席会议) deciding escalated cases."""

    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    scheduled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[ConferenceStatus] = mapped_column(StrEnum(ConferenceStatus),
                                                     default=ConferenceStatus.SCHEDULED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The minutes (纪要) once the meeting was held; a past meeting without them is overdue.
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    minutes_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[AgendaItem]] = relationship(order_by="AgendaItem.id",
                                                   back_populates="conference")
    attendance: Mapped[list[ConferenceAttendance]] = relationship(
        order_by="ConferenceAttendance.id", back_populates="conference")


class ConferenceMember(Base):
    """A member department of the joint conference (联席会议成员单位)."""

    __tablename__ = "conference_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ConferenceAttendance(Base):
    """Whether a member department attended one meeting, and who represented it."""

    __tablename__ = "conference_attendance"
    __table_args__ = (UniqueConstraint("conference_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    present: Mapped[bool] = mapped_column(default=True)
    representative: Mapped[str] = mapped_column(String(60), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship(back_populates="attendance")
    organisation: Mapped[Organisation] = relationship()


class Decision(str, enum.Enum):
    APPROVE = "approve"
    REJECT = "reject"
    ASSIGN = "assign"


class AgendaItem(Base):
    """One escalated case on a conference's agenda, and the decision taken on it."""

    __tablename__ = "conference_agenda_items"
    __table_args__ = (UniqueConstraint("conference_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision: Mapped[Decision | None] = mapped_column(StrEnum(Decision))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    departments: Mapped[str] = mapped_column(String(200), default="")  # organisation ids
    note: Mapped[str] = mapped_column(String(1000), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    conference: Mapped[Conference] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()

"""Matching runs and the proposals they write: which resource should help which published need,
how much, why (per-feature contributions), and what officers and resource owners decided.

Officers' approve/reject decisions are the training data of the learned scorer, so a proposal
keeps the raw feature values it was scored on next to the explanation shown to people.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.needs import NeedCard
from webapp.models.resources import ListingKind


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"


class MatchRun(Base):
    """One batch over all open needs and listed resources, with its report."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[RunStatus] = mapped_column(StrEnum(RunStatus), index=True,
                                              default=RunStatus.QUEUED)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    scorer: Mapped[str | None] = mapped_column(String(20))         # default | learned
    scorer_reason: Mapped[str | None] = mapped_column(String(200))
    n_needs: Mapped[int] = mapped_column(default=0)
    n_resources: Mapped[int] = mapped_column(default=0)
    n_candidates: Mapped[int] = mapped_column(default=0)
    n_proposals: Mapped[int] = mapped_column(default=0)
    n_superseded: Mapped[int] = mapped_column(default=0)
    objective: Mapped[float | None]
    greedy_objective: Mapped[float | None]
    skipped: Mapped[list] = mapped_column(JSON, default=list)        # [{kind, id, title, reason}]
    unmet_need_ids: Mapped[list] = mapped_column(JSON, default=list)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)         # stage → seconds
    # [{town, category, n_open, share_proposed(_greedy), median_covered(_greedy)}]
    fairness: Mapped[list | None] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship()


class ProposalStatus(str, enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACCEPTED = "accepted"      # the resource's organisation took the case on
    DECLINED = "declined"      # … or declined it (a money reservation is released)
    SUPERSEDED = "superseded"  # a newer run or suggestion replaced an undecided proposal
    CANCELLED = "cancelled"    # the case ended before the pairing was carried out


OPEN_STATUSES = frozenset({ProposalStatus.PROPOSED})
ACTIVE_STATUSES = frozenset({ProposalStatus.APPROVED, ProposalStatus.ACCEPTED})


class RejectReason(str, enum.Enum):
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_HELPED = "already_helped"
    INSUFFICIENT = "insufficient_resource"
    FALSE_INFO = "false_info"
    OTHER = "other"


REJECT_REASON_LABELS = {
    RejectReason.NOT_ELIGIBLE: "不符合条件", RejectReason.ALREADY_HELPED: "已获救助",
    RejectReason.INSUFFICIENT: "资源不足", RejectReason.FALSE_INFO: "信息不实",
    RejectReason.OTHER: "其他",
}


class Proposal(Base):
    """A proposed pairing of a published need with one listing, and its decisions."""

    __tablename__ = "match_proposals"
    __table_args__ = (
        Index("ix_match_proposals_need_card_id_status", "need_card_id", "status"),
        Index("ix_match_proposals_resource", "resource_kind", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id"), index=True)
    need_card_id: Mapped[int] = mapped_column(ForeignKey("need_cards.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    resource_kind: Mapped[ListingKind] = mapped_column(StrEnum(ListingKind))
    resource_id: Mapped[int]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    unit: Mapped[str] = mapped_column(String(8))                   # yuan | hours | cases
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))       # proposed
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    score: Mapped[float]
    explanation: Mapped[dict] = mapped_column(JSON, default=dict)  # feature → contribution
    features: Mapped[dict] = mapped_column(JSON, default=dict)     # feature → raw value
    status: Mapped[ProposalStatus] = mapped_column(StrEnum(ProposalStatus), index=True,
                                                   default=ProposalStatus.PROPOSED)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason_code: Mapped[RejectReason | None] = mapped_column(StrEnum(RejectReason))
    note: Mapped[str | None] = mapped_column(String(500))
    money_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("money_transfers.id"))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_note: Mapped[str | None] = mapped_column(String(500))

    run: Mapped[MatchRun | None] = relationship()
    need: Mapped[NeedCard] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_money(self) -> bool:
        return self.unit == "yuan"

    @property
    def proposed_by_id(self) -> int | None:
        """Whoever started the run that proposed this pairing (``None``: the system)."""
        return self.run.created_by_id if self.run is not None else None

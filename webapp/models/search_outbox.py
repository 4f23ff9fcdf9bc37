"""The search outbox: one row per change of a searchable record, written in the same
transaction as the change and removed once the search engine has applied it."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow


class OutboxOp(str, enum.Enum):
    UPSERT = "upsert"
    DELETE = "delete"


class SearchOutbox(Base):
    """A pending index update of one record (``kind`` is a search document kind).

    ``op`` records what the change asked for; the indexer re-reads the record when it applies
    the row, so a later change always wins over an earlier one.
    """

    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_kind_object_id", "kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int]
    op: Mapped[OutboxOp] = mapped_column(StrEnum(OutboxOp, 8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

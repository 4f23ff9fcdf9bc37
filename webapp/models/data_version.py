"""The data's version: one row, bumped in the same transaction as any change to the data, so
that cached public pages keyed to it are never served after the data they show changed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, UTCDateTime, utcnow


class DataVersion(Base):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""Fixtures of the case tests (the case factories are in tests/factories.py)."""
from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def frozen():
    """A fixed moment: Friday 2026-03-06 10:00 in Gaotang (02:00 UTC)."""
    return dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)

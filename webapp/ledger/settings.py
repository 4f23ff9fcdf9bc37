"""Ledger settings read from the app config."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app

DEFAULT_SECOND_OFFICER_ABOVE = Decimal(5000)


def second_officer_threshold() -> Decimal:
    """Disbursements above this many yuan need a second officer (DISBURSE_SECOND_OFFICER_ABOVE)."""
    value = current_app.config.get("DISBURSE_SECOND_OFFICER_ABOVE", DEFAULT_SECOND_OFFICER_ABOVE)
    return Decimal(str(value))

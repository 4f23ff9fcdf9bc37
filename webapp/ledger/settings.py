"""Ledger settings read from the app config (defaults and validation: webapp/config.py)."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app


def second_officer_threshold() -> Decimal:
    """Disbursements above this many yuan need a second officer (DISBURSE_SECOND_OFFICER_ABOVE)."""
    return Decimal(str(current_app.config["DISBURSE_SECOND_OFFICER_ABOVE"]))

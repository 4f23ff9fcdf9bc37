"""Ledger settings: the county's rules in the database over the app config defaults."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app

from webapp.extensions import db
from webapp.models import utcnow
from webapp.services import county_rules
from webapp.services.cases.deadlines import local_date


def second_officer_threshold() -> Decimal:
    """Disbursements above this many yuan need a second officer (the county rule
    ``disburse.second_officer_above``; DISBURSE_SECOND_OFFICER_ABOVE until the county sets it)."""
    value = county_rules.rule_value_on(db.session, "disburse.second_officer_above",
                                       local_date(utcnow()))
    if value is None:
        return Decimal(str(current_app.config["DISBURSE_SECOND_OFFICER_ABOVE"]))
    return Decimal(value)

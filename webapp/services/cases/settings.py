"""The workflow's tunable limits, passed in explicitly.

:meth:`CaseSettings.from_config` reads the app config only (the initial defaults); the values
in force are the county's rules stored in the database, which
``webapp.services.county_rules.settings_on`` lays over these defaults.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def _dates(values: Iterable[object] | None) -> frozenset[dt.date]:
    return frozenset(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
                     for v in values or ())


@dataclass(frozen=True)
class CaseSettings:
    """Per-step limits in working days, the calendar, and the green-channel cap."""

    acceptance_days: int = 1
    verification_days: int = 5
    transfer_days: int = 3
    procedure_days: int = 15
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休 weekends
    emergency_aid_cap: Decimal = Decimal(3000)
    emergency_payment_days: int = 3  # a confirmed help-first payment is paid within these
    max_amount: Decimal = Decimal(10000000)
    person_hash_key: str = "unset"
    anonymity_k: int = 5
    second_officer_above: Decimal = Decimal(5000)
    high_impact_percent: int = 50  # a 重大敏感 case gets this share of each limit
    order_reply_days: int = 3  # a supervision order's default reply deadline
    order_supervise_after: int = 1  # overdue working days before 提醒 becomes 督办
    order_report_after: int = 3  # … and 督办 becomes 通报

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CaseSettings:
        """Build from a Flask config mapping; missing keys keep the defaults."""
        get = config.get
        return cls(
            acceptance_days=int(get("CASE_LIMIT_ACCEPTANCE_DAYS", 1)),
            verification_days=int(get("CASE_LIMIT_VERIFICATION_DAYS", 5)),
            transfer_days=int(get("CASE_LIMIT_TRANSFER_DAYS", 3)),
            procedure_days=int(get("CASE_LIMIT_PROCEDURE_DAYS", 15)),
            holidays=_dates(get("CASE_HOLIDAYS")),
            extra_workdays=_dates(get("CASE_EXTRA_WORKDAYS")),
            emergency_aid_cap=Decimal(str(get("EMERGENCY_AID_CAP", "3000"))),
            emergency_payment_days=int(get("EMERGENCY_PAYMENT_DAYS", 3)),
            person_hash_key=str(get("PERSON_HASH_KEY", "unset")),
            second_officer_above=Decimal(str(get("DISBURSE_SECOND_OFFICER_ABOVE", "5000"))),
        )

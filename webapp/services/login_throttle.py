"""Login throttling that slows a password guesser without locking out the account's owner.

Following the OWASP Authentication Cheat Sheet ("Login Throttling", "Account Lockout"): there
is no hard lockout. Two independent brakes, both counted from recorded failed logins within
a sliding window:

* per account: after ``free_failures`` failures on one username, each further attempt on that
  username *from an address that itself failed on it* must wait a delay that doubles with every
  failure (``first_delay`` … ``max_delay``). A correct password from an address that has not
  failed on the account is always checked, so an attacker elsewhere cannot lock the owner out;
* per address: an address (the real client address, see ``TRUSTED_PROXY_COUNT``) with
  ``address_limit`` failures in the window is refused until the oldest one leaves the window.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import LoginFailure, utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 3
    first_delay_seconds: float = 2.0
    max_delay_seconds: float = 300.0
    address_limit: int = 30
    window_minutes: int = 15

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottlePolicy:
        return cls(free_failures=config["LOGIN_FREE_FAILURES"],
                   first_delay_seconds=config["LOGIN_FIRST_DELAY_SECONDS"],
                   max_delay_seconds=config["LOGIN_MAX_DELAY_SECONDS"],
                   address_limit=config["LOGIN_ADDRESS_MAX_FAILURES"],
                   window_minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])

    def delay_after(self, failures: int) -> float:
        """Seconds an address that failed must wait after the account's ``failures``-th failure."""
        if failures < self.free_failures:
            return 0.0
        exponent = min(failures - self.free_failures, 40)
        return float(min(self.first_delay_seconds * 2 ** exponent, self.max_delay_seconds))


def wait_seconds(session: Session, username: str, address: str, policy: ThrottlePolicy,
                 now: dt.datetime | None = None) -> int:
    """Whole seconds this address must wait before trying this username again (0: go ahead)."""
    now = now or utcnow()
    since = now - dt.timedelta(minutes=policy.window_minutes)
    waits = [0.0]
    by_addr = session.execute(select(func.count(), func.min(LoginFailure.at)).where(
        LoginFailure.client_address == address, LoginFailure.at >= since)).one()
    if by_addr[0] >= policy.address_limit:
        waits.append((by_addr[1] + dt.timedelta(minutes=policy.window_minutes)
                       - now).total_seconds())
    pair_failed = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.client_address == address,
        LoginFailure.at >= since))
    if pair_failed:
        count, last = session.execute(select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.username == username, LoginFailure.at >= since)).one()
        delay = policy.delay_after(count)
        if delay:
            waits.append((last + dt.timedelta(seconds=delay) - now).total_seconds())
    return max(0, math.ceil(max(waits)))


def record_failure(session: Session, username: str, address: str) -> None:
    session.add(LoginFailure(username=username, client_address=address))

"""One-time verification codes for the public pages: random, hashed at rest, single-use,
expiring, a few attempts each, and a flood brake per phone and per client address.

The brake counts the codes issued in the last hour, like the login throttle counts failures
(webapp/services/login_throttle.py): rows in the database, so every web host sees the same
count. A code is only ever stored as an HMAC keyed with the person-hash key and salted with
its random ticket.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import CodePurpose, VerificationCode, utcnow
from webapp.services import DomainError
from webapp.services.doors.settings import DoorSettings

MOBILE = re.compile(r"1[3-9]\d{9}")


class FloodError(DomainError):
    """Too many codes asked for from one phone or one address."""

    status = 429


class WrongCodeError(DomainError):
    """The code did not match; the attempt is counted and must be committed by the caller."""


def normalise_mobile(phone: str) -> str:
    return re.sub(r"[\s\-()（）]", "", phone or "")


def phone_key(phone: str, key: str) -> str:
    """Keyed hash of a mobile number, domain-separated from the person and name keys."""
    return hmac.new(key.encode(), b"phone\x00" + normalise_mobile(phone).encode(),
                    hashlib.sha256).hexdigest()


def _code_hash(ticket: str, code: str, key: str) -> str:
    return hmac.new(key.encode(), f"code\x00{ticket}\x00{code}".encode(),
                    hashlib.sha256).hexdigest()


def check_flood(session: Session, *, phone: str, address: str, settings: DoorSettings,
                now: dt.datetime) -> None:
    """Refuse when this phone or this address asked for too many codes in the last hour."""
    since = now - dt.timedelta(hours=1)
    by_phone = session.scalar(select(func.count()).select_from(VerificationCode).where(
        VerificationCode.phone_key == phone_key(phone, settings.hash_key),
        VerificationCode.created_at >= since)) or 0
    if by_phone >= settings.codes_per_phone_per_hour:
        raise FloodError("这个手机号码在一小时内获取验证码的次数太多了，请过一小时再试，"
                         "或直接到镇（街道）受理窗口办理")
    by_address = session.scalar(select(func.count()).select_from(VerificationCode).where(
        VerificationCode.client_address == address,
        VerificationCode.created_at >= since)) or 0
    if by_address >= settings.codes_per_address_per_hour:
        raise FloodError("从您所在的网络提交的次数太多了，请过一小时再试，"
                         "或直接到镇（街道）受理窗口办理")


def issue(session: Session, *, purpose: CodePurpose, phone: str, address: str,
          payload: dict[str, Any], settings: DoorSettings,
          now: dt.datetime | None = None) -> tuple[VerificationCode, str]:
    """Create a code for ``phone``; return the row and the plain code (to be sent, never kept)."""
    now = now or utcnow()
    check_flood(session, phone=phone, address=address, settings=settings, now=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    ticket = secrets.token_urlsafe(24)
    row = VerificationCode(ticket=ticket, purpose=purpose,
                           phone_key=phone_key(phone, settings.hash_key),
                           client_address=address[:64],
                           code_hash=_code_hash(ticket, code, settings.hash_key),
                           payload=json.dumps(payload, ensure_ascii=False), created_at=now,
                           expires_at=now + dt.timedelta(minutes=settings.code_ttl_minutes))
    session.add(row)
    session.flush()
    return row, code


def find(session: Session, ticket: str, purpose: CodePurpose) -> VerificationCode:
    row = session.scalars(select(VerificationCode).where(
        VerificationCode.ticket == (ticket or "")[:43],
        VerificationCode.purpose == purpose)).first()
    if row is None:
        raise DomainError("验证码已失效，请重新获取")
    return row


def redeem(session: Session, ticket: str, code: str, purpose: CodePurpose, *,
           settings: DoorSettings, now: dt.datetime | None = None
           ) -> tuple[VerificationCode, dict[str, Any]]:
    """Use a code once: return its row and payload, or raise. A wrong code raises
    :class:`WrongCodeError` after counting the attempt; the caller commits that count."""
    now = now or utcnow()
    row = find(session, ticket, purpose)
    if row.used_at is not None or row.expires_at <= now:
        raise DomainError("验证码已失效，请重新获取")
    if row.attempts >= settings.code_max_attempts:
        raise DomainError("验证码输错次数太多，请重新获取")
    row.attempts += 1
    given = re.sub(r"\s", "", code or "")
    if not hmac.compare_digest(row.code_hash, _code_hash(row.ticket, given, settings.hash_key)):
        session.flush()
        left = settings.code_max_attempts - row.attempts
        if left <= 0:
            raise WrongCodeError("验证码输错次数太多，请重新获取")
        raise WrongCodeError("验证码不正确，还可以再试 %(left)s 次", field="code", left=left)
    row.used_at = now
    session.flush()
    payload: dict[str, Any] = json.loads(row.payload)
    return row, payload

"""Government assistance under a scheme: its own standard checked before its money is reserved.

A reservation from a scheme's account (an approval of 临时救助, 医疗救助 …) is refused, naming
the scheme, when the amount is outside the scheme's minimum and maximum, or when the same
person (keyed hash of the resident ID) has already received the scheme ``times_per_year``
times within 365 days. The standards are those in force on the day of the approval: the
county's latest change effective on or before it (:class:`SchemeStandardChange`, set on the
rules page), else the scheme's own listed values — unless the joint conference (联席会议) decided to approve the case,
in which case the decision is recorded on the reservation's audit event and its amount, when
the conference set one, is the limit instead.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import AgendaItem, Applicant, Case, Decision, Scheme, SchemeStandardChange
from webapp.models.ledger import (
    AccountKind,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
)
from webapp.services import DomainError, Msg
from webapp.services.cases.deadlines import local_date

WINDOW = dt.timedelta(days=365)


@dataclass(frozen=True)
class Standards:
    """A scheme's amount range and times per year in force on one day."""

    min_amount: Decimal | None
    max_amount: Decimal | None
    times_per_year: int | None
    since: dt.date | None  # None: the scheme's own listed values, no county change yet


def standards_on(session: Session, scheme: Scheme, day: dt.date) -> Standards:
    """The standards of ``scheme`` in force on ``day``."""
    change = session.scalars(select(SchemeStandardChange).where(
        SchemeStandardChange.scheme_id == scheme.id, SchemeStandardChange.effective_from <= day)
        .order_by(SchemeStandardChange.effective_from.desc(), SchemeStandardChange.id.desc())
    ).first()
    if change is None:
        return Standards(scheme.min_amount, scheme.max_amount, scheme.times_per_year, None)
    return Standards(change.min_amount, change.max_amount, change.times_per_year,
                     change.effective_from)


def conference_decision(session: Session, case: Case) -> AgendaItem | None:
    """The joint conference's latest decision to approve this case, if any."""
    return session.scalars(select(AgendaItem).where(
        AgendaItem.case_id == case.id, AgendaItem.decision == Decision.APPROVE,
        AgendaItem.decided_at.is_not(None)).order_by(AgendaItem.decided_at.desc())).first()


def times_received(session: Session, scheme_account: LedgerAccount, case: Case, *,
                   now: dt.datetime) -> int:
    """How many other cases of the same person got money from this scheme in 365 days."""
    if case.applicant_id is None:
        return 0
    person = select(Applicant.person_key).where(Applicant.id == case.applicant_id)
    same_person = select(Case.id).join(Applicant, Case.applicant_id == Applicant.id).where(
        Applicant.person_key == person.scalar_subquery(), Case.id != case.id)
    return session.scalar(select(func.count(func.distinct(MoneyTransfer.case_id))).where(
        MoneyTransfer.debit_account_id == scheme_account.id,
        MoneyTransfer.kind == MoneyTransferKind.RESERVATION,
        MoneyTransfer.status != MoneyTransferStatus.VOIDED,
        MoneyTransfer.case_id.in_(same_person),
        MoneyTransfer.created_at > now - WINDOW)) or 0


def check_scheme_grant(session: Session, account: LedgerAccount, case: Case, amount: Decimal,
                       *, now: dt.datetime) -> AgendaItem | None:
    """Refuse a grant outside the scheme's standard; return the conference decision that
    allowed one beyond it (None when the standard was met)."""
    if account.kind is not AccountKind.SCHEME:
        return None
    scheme = session.get(Scheme, account.owner_id)
    if scheme is None:
        return None
    name = scheme.title
    standard = standards_on(session, scheme, local_date(now))
    problems: list[Msg] = []
    if standard.min_amount is not None and amount < standard.min_amount:
        problems.append(Msg("低于「%(scheme)s」的救助标准下限 %(amount)s 元", scheme=name,
                            amount=f"{standard.min_amount:,.2f}"))
    if standard.max_amount is not None and amount > standard.max_amount:
        problems.append(Msg("超过「%(scheme)s」的救助标准上限 %(amount)s 元", scheme=name,
                            amount=f"{standard.max_amount:,.2f}"))
    if standard.times_per_year:
        received = times_received(session, account, case, now=now)
        if received >= standard.times_per_year:
            problems.append(Msg("同一救助对象 365 天内已获「%(scheme)s」救助 %(received)s 次，"
                                "已达每年 %(limit)s 次的上限", scheme=name, received=received,
                                limit=standard.times_per_year))
    if not problems:
        return None
    decision = conference_decision(session, case)
    if decision is None:
        raise DomainError("%(problems)s。如确需突破标准，请提交联席会议研究决定。",
                          field="amount", problems=problems)
    if decision.amount is not None and amount > decision.amount:
        raise DomainError("超过联席会议决定的救助金额 %(amount)s 元",
                          field="amount", amount=f"{decision.amount:,.2f}")
    return decision

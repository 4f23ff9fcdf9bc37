"""Disbursed money as help records for the public transparency totals (aggregates only)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from webapp.models.cases import Case
from webapp.models.ledger import (
    AccountKind,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
)
from webapp.services.transparency import HelpRecord, register_help_source

# The help-first reserve is government money (临时救助备用金).
_SOURCE_OF_ACCOUNT = {AccountKind.FUND: "fund", AccountKind.PROJECT: "project",
                      AccountKind.SCHEME: "scheme", AccountKind.RESERVE: "scheme"}


@register_help_source
def disbursed_transfers(session: Session) -> Iterable[HelpRecord]:
    """Posted reservations and help-first payments: money that reached a family."""
    source = aliased(LedgerAccount)
    rows = session.execute(
        select(source.kind, MoneyTransfer.amount, MoneyTransfer.posted_at,
               MoneyTransfer.case_id, Case.town_id)
        .join(source, MoneyTransfer.debit_account_id == source.id)
        .join(Case, MoneyTransfer.case_id == Case.id)
        .where(MoneyTransfer.status == MoneyTransferStatus.POSTED,
               MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                       MoneyTransferKind.GREEN_CHANNEL]),
               MoneyTransfer.posted_at.is_not(None)))
    for kind, amount, at, case_id, town_id in rows:
        label = _SOURCE_OF_ACCOUNT.get(kind)
        if label is not None:
            yield HelpRecord(label, amount, at, case_id, town_id)

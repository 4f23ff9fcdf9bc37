"""Disbursed money (net of refunds) as help records for the public transparency totals
(aggregates only)."""
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
    """Posted reservations and help-first payments (money that reached a family), less the
    refunds made of them, with the case's town and category."""
    source, target = aliased(LedgerAccount), aliased(LedgerAccount)
    rows = session.execute(
        select(MoneyTransfer.kind, source.kind, target.kind, MoneyTransfer.amount,
               MoneyTransfer.posted_at, MoneyTransfer.created_at, MoneyTransfer.case_id,
               Case.town_id, Case.category)
        .join(source, MoneyTransfer.debit_account_id == source.id)
        .join(target, MoneyTransfer.credit_account_id == target.id)
        .join(Case, MoneyTransfer.case_id == Case.id)
        .where(MoneyTransfer.status == MoneyTransferStatus.POSTED,
               MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                       MoneyTransferKind.GREEN_CHANNEL,
                                       MoneyTransferKind.REFUND])))
    for kind, debit_kind, credit_kind, amount, posted, created, case_id, town_id, cat in rows:
        refund = kind is MoneyTransferKind.REFUND
        label = _SOURCE_OF_ACCOUNT.get(credit_kind if refund else debit_kind)
        if label is not None:
            yield HelpRecord(label, -amount if refund else amount, posted or created, case_id,
                             town_id, cat.value if cat is not None else None)

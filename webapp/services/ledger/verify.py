"""Recompute every balance from the journal (and again from the transfers) and report any
difference from the stored totals, any unbalanced entry and any broken invariant."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models.ledger import (
    AccountKind,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferStatus,
    Phase,
    Side,
)
from webapp.services.ledger.journal import COLUMNS

ZERO = Decimal("0.00")


@dataclass
class LedgerReport:
    accounts: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _journal_totals(session: Session) -> dict[tuple[int, str], Decimal]:
    rows = session.execute(select(JournalLine.account_id, JournalLine.side, JournalLine.phase,
                                  func.sum(JournalLine.amount))
                           .group_by(JournalLine.account_id, JournalLine.side, JournalLine.phase))
    return {(account_id, COLUMNS[(side, phase)]): Decimal(total or 0)
            for account_id, side, phase, total in rows}


def _transfer_totals(session: Session) -> dict[tuple[int, str], Decimal]:
    totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(select(MoneyTransfer.debit_account_id, MoneyTransfer.credit_account_id,
                                  MoneyTransfer.status, func.sum(MoneyTransfer.amount))
                           .where(MoneyTransfer.status != MoneyTransferStatus.VOIDED)
                           .group_by(MoneyTransfer.debit_account_id,
                                     MoneyTransfer.credit_account_id, MoneyTransfer.status))
    for debit_id, credit_id, status, total in rows:
        phase = Phase.PENDING if status is MoneyTransferStatus.PENDING else Phase.POSTED
        totals[(debit_id, COLUMNS[(Side.DEBIT, phase)])] += Decimal(total)
        totals[(credit_id, COLUMNS[(Side.CREDIT, phase)])] += Decimal(total)
    return totals


def _unbalanced_entries(session: Session) -> list[int]:
    signed = func.sum(JournalLine.amount)
    rows = session.execute(select(JournalLine.entry_id, JournalLine.phase, JournalLine.side,
                                  signed)
                           .group_by(JournalLine.entry_id, JournalLine.phase, JournalLine.side))
    sums: dict[tuple[int, Phase], Decimal] = defaultdict(lambda: ZERO)
    for entry_id, phase, side, total in rows:
        sums[(entry_id, phase)] += Decimal(total) if side is Side.DEBIT else -Decimal(total)
    return sorted({entry_id for (entry_id, _), diff in sums.items() if diff != 0})


def verify_ledger(session: Session) -> LedgerReport:
    """Check the stored totals of every account against the journal and the transfers."""
    report = LedgerReport()
    from_journal = _journal_totals(session)
    from_transfers = _transfer_totals(session)
    grand: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for account in session.scalars(select(LedgerAccount).order_by(LedgerAccount.id)):
        report.accounts += 1
        for column in COLUMNS.values():
            stored = getattr(account, column)
            grand[column] += stored
            journal_value = from_journal.get((account.id, column), ZERO)
            transfer_value = from_transfers.get((account.id, column), ZERO)
            if journal_value != stored:
                report.problems.append(
                    f"account {account.id} ({account.kind.value}) {column}: stored {stored}, "
                    f"journal {journal_value}")
            if transfer_value != stored:
                report.problems.append(
                    f"account {account.id} ({account.kind.value}) {column}: stored {stored}, "
                    f"transfers {transfer_value}")
        if account.kind is not AccountKind.EXTERNAL and account.available < 0:
            report.problems.append(f"account {account.id} is overdrawn: {account.available}")
        if account.needed is not None and account.approved_total > account.needed:
            report.problems.append(f"account {account.id} granted {account.approved_total} "
                                   f"beyond the need {account.needed}")
    for phase in ("pending", "posted"):
        if grand[f"debits_{phase}"] != grand[f"credits_{phase}"]:
            report.problems.append(f"{phase} debits {grand[f'debits_{phase}']} differ from "
                                   f"{phase} credits {grand[f'credits_{phase}']}")
    for entry_id in _unbalanced_entries(session):
        report.problems.append(f"journal entry {entry_id} is not balanced")
    report.entries = session.scalar(select(func.count()).select_from(JournalEntry)) or 0
    return report

"""The double-entry money ledger: accounts, transfers, journal entries and lines, vouchers, and
the idempotency keys that make retried API calls take effect once.

Every account keeps four running totals, as in TigerBeetle: money debited or credited, pending
(reserved) or posted (disbursed). A transfer moves one amount from a debit account to a credit
account; it is pending when an approval reserves money, posted when it is paid and voided when
the reservation is released. Each change of a transfer appends one balanced journal entry, and
the stored totals are updated in the same transaction, so ``flask ledger verify`` can recompute
every balance from the journal. CHECK constraints keep the stored totals honest even against
direct SQL: a source account can never pay out more than it received, and a case account can
never be granted more than the case needs.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.accounts import User
from webapp.models.base import Base, StrEnum, UTCDateTime, utcnow
from webapp.models.cases import Case
from webapp.models.encrypted import EncryptedText

ZERO = Decimal("0.00")
Money = Numeric(14, 2)


class AccountKind(str, enum.Enum):
    FUND = "fund"          # a company relief fund (公益基金)
    PROJECT = "project"    # a charity project budget (慈善项目预算)
    SCHEME = "scheme"      # a government assistance scheme budget
    RESERVE = "reserve"    # the help-first reserve (临时救助备用金)
    CASE = "case"          # what one urgent case has been granted
    EXTERNAL = "external"  # the world outside the ledger: where money comes from


SOURCE_KINDS = frozenset({AccountKind.FUND, AccountKind.PROJECT, AccountKind.SCHEME,
                          AccountKind.RESERVE})


class LedgerAccount(Base):
    """One ledger account; ``owner_id`` is the fund/project/scheme/case id, or 0 for the
    reserve and the external account, of which there is one each."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("kind", "owner_id"),
        CheckConstraint("debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 "
                        "AND credits_posted >= 0", name="totals_not_negative"),
        # available = total - disbursed - reserved >= 0, unless the account is the outside world.
        CheckConstraint("kind = 'external' OR "
                        "debits_pending + debits_posted <= credits_posted",
                        name="not_overdrawn"),
        # A case is never granted (reserved or paid, net of refunds) more than it needs.
        CheckConstraint("needed IS NULL OR "
                        "credits_pending + credits_posted - debits_posted <= needed",
                        name="within_need"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(StrEnum(AccountKind), index=True)
    owner_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(160))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    needed: Mapped[Decimal | None] = mapped_column(Money)
    debits_pending: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    debits_posted: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    credits_pending: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    credits_posted: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    case: Mapped[Case | None] = relationship()

    # Source accounts (fund, project, scheme, reserve) as their managers read them.
    @property
    def total(self) -> Decimal:
        return self.credits_posted

    @property
    def reserved(self) -> Decimal:
        return self.debits_pending

    @property
    def disbursed(self) -> Decimal:
        return self.debits_posted

    @property
    def available(self) -> Decimal:
        return self.credits_posted - self.debits_posted - self.debits_pending

    # Case accounts.
    @property
    def approved_total(self) -> Decimal:
        return self.credits_pending + self.credits_posted - self.debits_posted


class MoneyTransferKind(str, enum.Enum):
    OPENING = "opening"            # opening balance of a fund, budget or the reserve
    TOP_UP = "top_up"              # more money into a source account
    RESERVATION = "reservation"    # an approved pairing reserves money for a case
    GREEN_CHANNEL = "green_channel"  # help-first payment from the reserve (先行救助)
    REFUND = "refund"              # money returned from a case to its source


class MoneyTransferStatus(str, enum.Enum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"


class Verification(str, enum.Enum):
    """Where a green-channel payment stands after the case was verified."""

    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    REVERSED = "reversed"


class PaymentMethod(str, enum.Enum):
    BANK_TRANSFER = "bank_transfer"
    HOSPITAL_SETTLEMENT = "hospital_settlement"
    CASH = "cash"
    IN_KIND = "in_kind"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: "银行转账", PaymentMethod.HOSPITAL_SETTLEMENT: "医院直接结算",
    PaymentMethod.CASH: "现金", PaymentMethod.IN_KIND: "实物",
}


class MoneyTransfer(Base):
    """One movement of money between two ledger accounts, with its life cycle."""

    __tablename__ = "money_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="distinct_accounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MoneyTransferKind] = mapped_column(StrEnum(MoneyTransferKind), index=True)
    status: Mapped[MoneyTransferStatus] = mapped_column(StrEnum(MoneyTransferStatus),
                                                        index=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    reference: Mapped[str] = mapped_column(String(120), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    second_approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    void_reason: Mapped[str | None] = mapped_column(String(500))
    verification: Mapped[Verification | None] = mapped_column(StrEnum(Verification))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("money_transfers.id"))

    debit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[credit_account_id])
    case: Mapped[Case | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    voucher: Mapped[Voucher | None] = relationship(back_populates="transfer", uselist=False)


class JournalEntry(Base):
    """One balanced, append-only record of a change to a transfer."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("money_transfers.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # open, top_up, reserve, post, void, refund
    amount: Mapped[Decimal] = mapped_column(Money)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    transfer: Mapped[MoneyTransfer] = relationship()
    lines: Mapped[list[JournalLine]] = relationship(back_populates="entry",
                                                    order_by="JournalLine.id")


class Side(str, enum.Enum):
    DEBIT = "debit"
    CREDIT = "credit"


class Phase(str, enum.Enum):
    PENDING = "pending"
    POSTED = "posted"


class JournalLine(Base):
    """A signed change to one of an account's four totals (side × phase)."""

    __tablename__ = "journal_lines"
    __table_args__ = (Index("ix_journal_lines_account_entry", "account_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    side: Mapped[Side] = mapped_column(StrEnum(Side, 8))
    phase: Mapped[Phase] = mapped_column(StrEnum(Phase, 8))
    amount: Mapped[Decimal] = mapped_column(Money)

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")
    account: Mapped[LedgerAccount] = relationship()


class Voucher(Base):
    """The payment voucher (凭证) of a disbursement. ``payee`` may name a person: it is sealed
    at rest and shown to officers only, never exported."""

    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("money_transfers.id"), unique=True)
    method: Mapped[PaymentMethod] = mapped_column(StrEnum(PaymentMethod))
    payee: Mapped[str] = mapped_column(EncryptedText())
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    transfer: Mapped[MoneyTransfer] = relationship(back_populates="voucher")


class IdempotencyKey(Base):
    """The first response to a request sent with an ``Idempotency-Key`` header."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    endpoint: Mapped[str] = mapped_column(String(120))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""The money ledger: accounts, reservations and payments, verification, idempotency.

Other areas call these names; the modules underneath are the ledger's own business.
"""
from webapp.services.ledger import help_records  # feeds the transparency page
from webapp.services.ledger.accounts import (
    balances,
    balances_for,
    case_account,
    held_and_promised,
    open_all_listing_accounts,
    open_listing_account,
    reserve_account,
    serialize_writes,
)
from webapp.services.ledger.amounts import parse_amount
from webapp.services.ledger.releases import (
    RELEASE_REASONS,
    pending_transfers,
    release_case_reservations,
)
from webapp.services.ledger.transfers import (
    disburse,
    get_transfer,
    refund,
    refunded_amount,
    reserve_for_case,
    second_approve,
    top_up,
    void,
)
from webapp.services.ledger.verify import verify_ledger

__all__ = [
    "RELEASE_REASONS",
    "balances",
    "balances_for",
    "case_account",
    "disburse",
    "get_transfer",
    "held_and_promised",
    "help_records",
    "open_all_listing_accounts",
    "open_listing_account",
    "parse_amount",
    "pending_transfers",
    "refund",
    "refunded_amount",
    "release_case_reservations",
    "reserve_account",
    "reserve_for_case",
    "second_approve",
    "serialize_writes",
    "top_up",
    "verify_ledger",
    "void",
]

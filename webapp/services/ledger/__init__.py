"""The money ledger: accounts, reservations and payments, verification, idempotency.

Other areas call these names; the modules underneath are the ledger's own business.
"""
from webapp.services.ledger import (
    green_channel,  # noqa: F401  (subscribes to case events)
    help_records,  # noqa: F401  (feeds the transparency page)
    releases,  # noqa: F401  (subscribes to case events)
)
from webapp.services.ledger.accounts import (  # noqa: F401
    balances,
    balances_for,
    case_account,
    held_and_promised,
    open_all_listing_accounts,
    open_listing_account,
    reserve_account,
    serialize_writes,
)
from webapp.services.ledger.amounts import parse_amount  # noqa: F401
from webapp.services.ledger.releases import (  # noqa: F401
    RELEASE_REASONS,
    pending_transfers,
    release_case_reservations,
)
from webapp.services.ledger.transfers import (  # noqa: F401
    disburse,
    get_transfer,
    refund,
    refunded_amount,
    reserve_for_case,
    second_approve,
    top_up,
    void,
)
from webapp.services.ledger.verify import verify_ledger  # noqa: F401

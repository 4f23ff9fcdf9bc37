"""The help-first reserve (临时救助备用金) replenished from a scheme's budget.

Help-first payments are made from the reserve; when it runs low an officer moves money into
it from the budget of a government scheme (临时救助 …) by one posted, journalled transfer that
names the finance document it follows. The budget's account goes down by what the reserve
goes up: no money is created, and ``flask ledger verify`` recomputes both from the journal.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.models import Role, User
from webapp.models.ledger import AccountKind, MoneyTransfer, MoneyTransferKind
from webapp.services import DomainError, PermissionDeniedError, audit
from webapp.services.ledger import accounts, journal
from webapp.services.ledger.amounts import parse_amount

REFERENCE_LIMITS = (4, 120)


def replenish_reserve(session: Session, actor: User | None, *, scheme_id: object,
                      amount: object, reference: str | None) -> MoneyTransfer:
    """Move ``amount`` from a scheme's budget into the reserve (officers; the CLI as system)."""
    if actor is not None and not actor.has_role(Role.OFFICER):
        raise PermissionDeniedError("只有民政部门工作人员可以补充备用金")
    text = (reference or "").strip()
    if not REFERENCE_LIMITS[0] <= len(text) <= REFERENCE_LIMITS[1]:
        raise DomainError("请填写拨款依据（如财政拨款文号），4–120 个字", field="reference")
    value = parse_amount(amount, field="amount")
    try:
        owner = int(str(scheme_id))
    except ValueError:
        raise DomainError("请选择救助政策", field="scheme_id") from None
    accounts.serialize_writes(session)
    budget = accounts.find_account(session, AccountKind.SCHEME, owner)
    if budget is None:
        raise DomainError("该救助政策还没有资金账户", field="scheme_id")
    reserve = accounts.reserve_account(session)
    accounts.lock_accounts(session, budget, reserve)
    if value > budget.available:
        raise DomainError("超过该救助政策的可用余额 %(available)s 元", field="amount",
                          available=f"{budget.available:,.2f}")
    transfer = journal.posted_transfer(session, actor, MoneyTransferKind.TOP_UP, budget, reserve,
                                       value, action="reserve_top_up", reference=text)
    audit.record(session, actor, "ledger.reserve_top_up", transfer, summary={
        "from_account_id": budget.id, "to_account_id": reserve.id, "amount": str(value)})
    return transfer

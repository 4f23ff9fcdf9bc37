"""Reading money amounts: Decimal yuan, positive, at most two decimals."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from webapp.services import DomainError
from webapp.services.amount_text import amount_text

MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """Return ``value`` as a Decimal amount of yuan or raise DomainError in plain Chinese."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        # Floats cannot hold cents exactly; callers pass strings, ints or Decimals.
        if isinstance(value, float):
            value = repr(value)
        else:
            raise DomainError("请填写金额", field=field)
    try:
        amount = Decimal(amount_text(value))
    except (InvalidOperation, ValueError):
        raise DomainError("金额格式不正确", field=field) from None
    if not amount.is_finite():
        raise DomainError("金额格式不正确", field=field)
    if amount <= 0:
        raise DomainError("金额必须大于零", field=field)
    if int(amount.as_tuple().exponent) < -2 and amount != amount.quantize(Decimal("0.01")):
        raise DomainError("金额最多保留两位小数", field=field)
    if amount > MAX_AMOUNT:
        raise DomainError("金额超出允许范围", field=field)
    return amount.quantize(Decimal("0.01"))

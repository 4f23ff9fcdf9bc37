"""Parsing amounts of yuan: Decimal, at most two decimals, within sane bounds."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from webapp.services import DomainError
from webapp.services.amount_text import amount_text


def parse_amount(value: object, *, field: str, maximum: Decimal, allow_zero: bool = False
                 ) -> Decimal:
    """A positive amount in yuan (zero too with ``allow_zero``: a case that needs only
    services), or a DomainError naming ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError("请填写金额", field=field)
    try:
        amount = Decimal(amount_text(value).replace(",", ""))
    except InvalidOperation:
        raise DomainError("金额格式不正确", field=field) from None
    if not amount.is_finite():
        raise DomainError("金额格式不正确", field=field)
    if int(amount.as_tuple().exponent) < -2:
        raise DomainError("金额最多保留两位小数", field=field)
    if amount < 0 and allow_zero:
        raise DomainError("金额不能为负数", field=field)
    if amount <= 0 and not allow_zero:
        raise DomainError("金额必须大于零", field=field)
    if amount > maximum:
        raise DomainError("金额不能超过 %(maximum)s 元", field=field, maximum=f"{maximum:,.2f}")
    return amount.quantize(Decimal("0.01"))

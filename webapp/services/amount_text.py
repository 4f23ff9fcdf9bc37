"""How every amount parser reads the text of an amount of yuan.

Decided once for the whole app: full-width characters typed with a Chinese input method
("１０００．５０", "－５") are normalised to their ASCII forms (Unicode NFKC) before parsing,
in forms and the API alike, so "１０００" is read as 1000.00 everywhere. Each parser then
applies its own sign rule with a message that states it ("必须大于零" where zero is refused,
"不能为负数" where zero is allowed).
"""
from __future__ import annotations

import unicodedata


def amount_text(value: object) -> str:
    """``value`` as plain ASCII amount text: NFKC-normalised and stripped."""
    if isinstance(value, float):
        value = repr(value)  # floats cannot hold cents exactly; read their shortest text
    return unicodedata.normalize("NFKC", str(value)).strip()

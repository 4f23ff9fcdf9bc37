"""The span record every detector returns, the PII types and shared character classes."""

from __future__ import annotations

from dataclasses import dataclass

ID_NUMBER = "id_number"
PHONE = "phone"
LANDLINE = "landline"
BANK_CARD = "bank_card"
EMAIL = "email"
QQ = "qq"
WECHAT = "wechat"
PLATE = "plate"
MEDICAL_RECORD = "medical_record"
BIRTH_DATE = "birth_date"
ADDRESS = "address"
NAME = "name"

PII_TYPES = (
    ID_NUMBER, PHONE, LANDLINE, BANK_CARD, EMAIL, QQ, WECHAT, PLATE, MEDICAL_RECORD,
    BIRTH_DATE, ADDRESS, NAME,
)

# Placeholders shown to readers in place of a redacted span.
PLACEHOLDERS = {
    ID_NUMBER: "【身份证号】",
    PHONE: "【手机号】",
    LANDLINE: "【电话】",
    BANK_CARD: "【银行卡号】",
    EMAIL: "【邮箱】",
    QQ: "【QQ】",
    WECHAT: "【微信】",
    PLATE: "【车牌】",
    MEDICAL_RECORD: "【病案号】",
    BIRTH_DATE: "【出生日期】",
    ADDRESS: "【地址】",
    NAME: "【姓名】",
}

# CJK unified ideographs (basic block and extension A) as a regex character class body.
HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# Stands in for an already detected character so later detectors do not see it again.
MASK = "\ue000"


def is_han(ch: str) -> bool:
    """Whether ch is a CJK ideograph."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@dataclass(frozen=True, slots=True)
class Span:
    """A detected piece of personal data: half-open [start, end) offsets into the text."""

    start: int
    end: int
    type: str
    text: str
    confidence: float

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.type]

"""Detectors for numbers and handles: ID numbers, phones, bank cards, e-mail, QQ, WeChat,
licence plates, medical record numbers and exact birth dates.

Every detector takes the detection view of a normalised text (see ``detect.detection_view``)
and returns spans; they are pattern based and never raise on odd input.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

from webapp.privacy.detection.spans import (
    BANK_CARD,
    BIRTH_DATE,
    EMAIL,
    ID_NUMBER,
    LANDLINE,
    MEDICAL_RECORD,
    PHONE,
    PLATE,
    QQ,
    WECHAT,
    Span,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"]
)

# Between two digits of a number people type spaces, dashes, dots or slashes.
_SEP = r"[ \-.·/_\n]{0,3}"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"


def id_check_code(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CODES[total % 11]


def _plausible_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= _dt.date.today().year


def valid_resident_id(value: str) -> bool:
    """Whether value is a valid 18-character resident ID number (GB 11643-1999 mod 11-2).

    Spaces and full-width characters are tolerated; the province code, the birth date and the
    check character must all be valid. Old 15-digit numbers are not accepted: they were all
    replaced by 2013.
    """
    if not isinstance(value, str):
        return False
    s = unicodedata.normalize("NFKC", value).replace(" ", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    if s[:2] not in _PROVINCES:
        return False
    if not _plausible_date(int(s[6:10]), int(s[10:12]), int(s[12:14])):
        return False
    return id_check_code(s[:17]) == s[17]


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by bank card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit() or ch in "Xx").upper()


def _span(m: re.Match[str], group: int | str, kind: str, confidence: float) -> Span:
    start, end = m.span(group)
    return Span(start, end, kind, m.string[start:end], confidence)


_ID18 = re.compile(_NOT_ALNUM_BEFORE + r"[1-9](?:" + _SEP + r"\d){16}" + _SEP + r"[\dXx]"
                   + _NOT_ALNUM_AFTER)
_ID15 = re.compile(_NOT_ALNUM_BEFORE + r"[1-9](?:" + _SEP + r"\d){14}" + _NOT_ALNUM_AFTER)


def detect_id_numbers(text: str) -> list[Span]:
    """18-digit resident ID numbers (checksum right or wrong) and old 15-digit ones."""
    spans = []
    for m in _ID18.finditer(text):
        s = _digits(m.group())
        if id_check_code(s[:17]) == s[17]:
            spans.append(_span(m, 0, ID_NUMBER, 0.99))
        elif s.endswith("X") or (s[:2] in _PROVINCES and _plausible_date(
                int(s[6:10]), int(s[10:12]), int(s[12:14]))):
            spans.append(_span(m, 0, ID_NUMBER, 0.9))
        # Anything else of this length is left to the long-number rule (bank card).
    taken = [(sp.start, sp.end) for sp in spans]
    for m in _ID15.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        s = _digits(m.group())
        if s[:2] in _PROVINCES and _plausible_date(1900 + int(s[6:8]), int(s[8:10]),
                                                  int(s[10:12])):
            spans.append(_span(m, 0, ID_NUMBER, 0.85))
    return spans


_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"(?:(?:(?:\+|00)\s?86|\(\s?\+?\s?86\s?\)|86(?=[ \-./]?1[3-9]))[ \-./]{0,2})?"
    r"1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9}" + _NOT_ALNUM_AFTER
)


def detect_mobiles(text: str) -> list[Span]:
    """Mainland mobile numbers, with +86/0086, and spaces, dashes or dots inside."""
    return [_span(m, 0, PHONE, 0.97) for m in _MOBILE.finditer(text)]


_AREA = r"(?:\(\s?0\d{2,3}\s?\)|0(?:[12]\d|[3-9]\d{2}))"
_LANDLINE = re.compile(
    _NOT_ALNUM_BEFORE + _AREA + r"[ \-]{0,2}[2-9]\d{2,3}[ \-]?\d{4}"
    r"(?:\s?(?:-|转|ext\.?)\s?\d{1,5})?" + _NOT_ALNUM_AFTER
)
_LANDLINE_CUE = re.compile(
    r"(?:电话|座机|固话|宅电|家电|手机|联系方式|联系电话|tel|TEL|Tel)[\s:：是为号码]{0,5}"
    r"([2-9]\d{2,3}[ \-]?\d{4})" + _NOT_ALNUM_AFTER
)


def detect_landlines(text: str) -> list[Span]:
    """Landline numbers with an area code (0635-8123456), or after a 电话/座机 cue."""
    spans = [_span(m, 0, LANDLINE, 0.9) for m in _LANDLINE.finditer(text)]
    spans += [_span(m, 1, LANDLINE, 0.8) for m in _LANDLINE_CUE.finditer(text)]
    return spans


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*\s?"
    r"(?:@|\(\s?at\s?\)|\[\s?at\s?\]|\s(?:at|AT)\s|＠)\s?"
    r"[A-Za-z0-9][A-Za-z0-9\-]*(?:\s?(?:\.|点|\(\s?dot\s?\)|\[\s?dot\s?\]|\s(?:dot|DOT)\s)\s?"
    r"[A-Za-z0-9\-]+)*\s?(?:\.|点|\(\s?dot\s?\)|\[\s?dot\s?\]|\s(?:dot|DOT)\s)\s?[A-Za-z]{2,6}"
    r"(?![A-Za-z0-9])"
)


def detect_emails(text: str) -> list[Span]:
    """E-mail addresses, also written with (at)/(dot) or 点."""
    return [_span(m, 0, EMAIL, 0.95) for m in _EMAIL.finditer(text)]


_LABEL_FILL = r"[\s:：号码是为的账帐户名称（(]{0,6}"
_QQ = re.compile(
    r"(?:(?<![A-Za-z])(?:QQ|qq|Qq|qQ)(?![A-Za-z])|扣扣|企鹅号?)" + _LABEL_FILL
    + r"([1-9](?:[ \-]?\d){4,10})" + _NOT_ALNUM_AFTER
)
_WECHAT = re.compile(
    r"(?:微信|薇信|威信|V信|v信|(?<![A-Za-z])(?:vx|VX|Vx|vX|wx|WX|Wx|weixin|Weixin|WeChat|wechat"
    r"|Wechat)(?![A-Za-z]))" + _LABEL_FILL
    + r"([A-Za-z0-9][A-Za-z0-9_\-]{4,19})(?![A-Za-z0-9_\-])(?!\s?(?:元|块|万|人|次|个|年|月|日|岁))"
)


def detect_qq(text: str) -> list[Span]:
    """QQ numbers: 5-11 digits right after a QQ/扣扣 label."""
    return [_span(m, 1, QQ, 0.9) for m in _QQ.finditer(text)]


def detect_wechat(text: str) -> list[Span]:
    """WeChat ids after a 微信/vx/wx label."""
    return [_span(m, 1, WECHAT, 0.85) for m in _WECHAT.finditer(text)]


_MEDICAL = re.compile(
    r"(?:住院号|住院号码|住院编号|病案号|病案编号|病历号|病历编号|门诊号|门诊编号|就诊号|就诊卡号|"
    r"诊疗卡号|医保卡号|医保号|社保卡号|社保号|病人ID|患者ID|病人编号|患者编号|登记号|检查号|"
    r"影像号|住院登记号|床位号)" + _LABEL_FILL
    + r"([A-Za-z]{0,4}-?\d[A-Za-z0-9\-]{2,24})" + _NOT_ALNUM_AFTER
)


def detect_medical_records(text: str) -> list[Span]:
    """Hospital admission, medical record and outpatient numbers after their label."""
    return [_span(m, 1, MEDICAL_RECORD, 0.9) for m in _MEDICAL.finditer(text)]


_BANK_CUE = re.compile(
    r"(?:银行卡|卡号|账号|帐号|账户|帐户|存折|收款账|开户行|银行账)[^\d\n。；;]{0,14}?"
    r"(\d(?:[ \-./]?\d){7,})" + _NOT_ALNUM_AFTER
)
# A reference number such as JJN-2026-03-000456 (letters, then dash-joined digit groups) is a
# case or file number, not an account.
_LONG_RUN = re.compile(_NOT_ALNUM_BEFORE + r"(?<![A-Za-z][\-_/])[\d*](?:[ \-]?[\d*]){11,}"
                       + _NOT_ALNUM_AFTER)


_GROUPED_CARD = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][ \-./])\d{4}(?:([ \-./])\d{4})(?:\1\d{4})+(?:\1\d{1,4})?"
    + _NOT_ALNUM_AFTER
)


_ID_INSIDE = re.compile(r"(?=(\d{17}[\dXx]))")


def detect_embedded_ids(text: str) -> list[Span]:
    """Fully valid 18-character ID numbers inside a longer run of letters and digits
    (残疾证号 = ID number + two digits). Runs after every other number detector, so it only
    sees what none of them claimed; the checksum, province and birth date must all agree."""
    spans: list[Span] = []
    for m in _ID_INSIDE.finditer(text):
        start = m.start(1)
        candidate = m.group(1)
        if valid_resident_id(candidate) and not any(s.start < start + 18 and start < s.end
                                                      for s in spans):
            spans.append(Span(start, start + 18, ID_NUMBER, candidate, 0.85))
    return spans


def detect_grouped_cards(text: str) -> list[Span]:
    """Card numbers typed in groups of four (6222 0212 3456 7890 123), found before phones
    so that a phone-shaped tail of the card is not taken for a phone."""
    spans = []
    for m in _GROUPED_CARD.finditer(text):
        if len(_digits(m.group())) >= 15:
            spans.append(_span(m, 0, BANK_CARD, 0.9))
    return spans


def detect_bank_cards(text: str) -> list[Span]:
    """Bank card and account numbers: after a 卡号/账号 cue, or any run of 12+ digits."""
    spans = []
    for m in _BANK_CUE.finditer(text):
        spans.append(_span(m, 1, BANK_CARD, 0.9))
    for m in _LONG_RUN.finditer(text):
        digits = _digits(m.group())
        if len(digits) < 8:
            continue  # mostly asterisks: already masked by someone
        confidence = 0.95 if "*" not in m.group() and luhn_valid(digits) else 0.75
        spans.append(_span(m, 0, BANK_CARD, confidence))
    return spans


_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"\s?[A-Za-z]\s?[·.\- ]?\s?([A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[挂学警港澳])(?![A-Za-z0-9])"
)


def detect_plates(text: str) -> list[Span]:
    """Licence plates: 鲁P·12345, new-energy 鲁PD12345, trailer and learner plates."""
    spans = []
    for m in _PLATE.finditer(text):
        tail = m.group(1)
        digits = sum(ch.isdigit() for ch in tail)
        if digits >= 3 and len(tail) - digits <= 3:
            spans.append(_span(m, 0, PLATE, 0.9))
    return spans


_CN_NUM = "一二三四五六七八九十"
_MONTH = rf"(?:1[0-2]|0?[1-9]|十[一二]?|[{_CN_NUM[:9]}])"
_DAY = rf"(?:3[01]|[12]\d|0?[1-9]|[二三]?十[{_CN_NUM[:9]}]?|[{_CN_NUM[:9]}])"
_DATE_FORMS = (
    rf"(?:19|20)\d{{2}}\s?年\s?{_MONTH}\s?月\s?{_DAY}\s?[日号]?",
    r"(?:19|20)\d{2}\s?([-/.])\s?(?:1[0-2]|0?[1-9])\s?\1\s?(?:3[01]|[12]\d|0?[1-9])(?!\d)",
    r"(?:19|20)\d{2}(?:1[0-2]|0[1-9])(?:3[01]|[12]\d|0[1-9])(?!\d)",
    rf"\d{{2}}\s?年\s?{_MONTH}\s?月\s?{_DAY}\s?[日号]",  # 85年3月5日, with a birth cue only
)
_DATE = re.compile(r"(?<!\d)(?:" + "|".join(_DATE_FORMS) + ")")
_BIRTH_BEFORE = re.compile(r"出生|生于|生日|诞生|生辰|出世|生年月|DOB|dob|Birth|birth")
_BIRTH_AFTER = re.compile(
    r"^\s?[)）]?\s?(?:出生|生人|出世|降生|诞生|生(?![病活意产气命存长育计效前怕]))"
)
_MONTH_DAY_CUE = re.compile(
    rf"(?:生日|出生日期|出生于|生于)[\s:：是为在]{{0,3}}({_MONTH}\s?月\s?{_DAY}\s?[日号])"
)
_CLAUSE_END = re.compile(r"[。；;！!？?\n，,]")


def detect_birth_dates(text: str) -> list[Span]:
    """Exact dates (year, month and day) that a nearby cue marks as a date of birth."""
    spans = []
    for m in _DATE.finditer(text):
        start, end = m.span()
        before = text[max(0, start - 14):start]
        cut = None
        for cut in _CLAUSE_END.finditer(before):
            pass
        if cut is not None:
            before = before[cut.end():]
        if _BIRTH_BEFORE.search(before) or _BIRTH_AFTER.match(text[end:end + 6]):
            spans.append(Span(start, end, BIRTH_DATE, m.group(), 0.9))
    spans += [_span(m, 1, BIRTH_DATE, 0.85) for m in _MONTH_DAY_CUE.finditer(text)]
    return spans


"""PII detection: runs every detector over a normalised text and returns typed spans.

Detectors run from the most specific to the loosest. Each one sees the text with the spans
found so far masked out, so a phone number inside an e-mail address stays an e-mail, an ID
number is not also read as a bank card, and the jieba name net does not re-read an address.
Offsets are always offsets into the text passed in (the normalised text; see
:mod:`webapp.privacy.detection.normalize`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from webapp.privacy.detection.addresses import detect_addresses
from webapp.privacy.detection.identifiers import (
    detect_bank_cards,
    detect_birth_dates,
    detect_emails,
    detect_embedded_ids,
    detect_grouped_cards,
    detect_id_numbers,
    detect_landlines,
    detect_medical_records,
    detect_mobiles,
    detect_plates,
    detect_qq,
    detect_wechat,
    luhn_valid,
    valid_resident_id,
)
from webapp.privacy.detection.names import detect_known_names, detect_names
from webapp.privacy.detection.normalize import normalize
from webapp.privacy.detection.spans import MASK, PII_TYPES, Span

__all__ = [
    "PII_TYPES",
    "Span",
    "detect",
    "detect_raw",
    "detection_view",
    "luhn_valid",
    "valid_resident_id",
]

_CN_DIGIT = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
             "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_RUN = re.compile("[〇零一幺二两三四五六七八九](?:[ \\-]?[〇零一幺二两三四五六七八九]){3,}")
_HOMOGLYPH = re.compile(r"(?<=\d)[OoIl|](?=[\dOoIl|]*\d)")
_HOMOGLYPH_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}


def detection_view(text: str) -> str:
    """The text detectors read: same length, digits spelled in Chinese or with look-alike
    letters (一三八…, 138O…) turned into ASCII digits, so number detectors see them."""
    text = _CN_RUN.sub(lambda m: "".join(_CN_DIGIT.get(c, c) for c in m.group()), text)
    return _HOMOGLYPH.sub(lambda m: _HOMOGLYPH_DIGIT[m.group()], text)


def _mask(text: str, spans: Iterable[Span]) -> str:
    chars = list(text)
    for span in spans:
        chars[span.start:span.end] = MASK * (span.end - span.start)
    return "".join(chars)


def _dedupe(spans: list[Span]) -> list[Span]:
    """Merge overlapping spans of the same type found by one detector."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            last = out[-1]
            if span.end > last.end:
                out[-1] = Span(last.start, span.end, last.type, "", max(last.confidence,
                                                                        span.confidence))
            continue
        out.append(span)
    return out


def detect_raw(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """Detect PII in already normalised text; spans are sorted and never overlap."""
    names = tuple(known_names)
    view = detection_view(text)
    stages: list[Callable[[str], list[Span]]] = [
        detect_emails,
        detect_id_numbers,
        detect_grouped_cards,
        detect_mobiles,
        detect_landlines,
        detect_medical_records,
        detect_qq,
        detect_wechat,
        detect_bank_cards,
        detect_embedded_ids,
        detect_plates,
        detect_birth_dates,
        lambda t: detect_known_names(t, names),
        detect_addresses,
        detect_names,
    ]
    found: list[Span] = []
    for stage in stages:
        new = [s for s in stage(view) if s.end > s.start]
        new = [s for s in new if MASK not in view[s.start:s.end]] + [
            trimmed for s in new if MASK in view[s.start:s.end]
            for trimmed in _unmasked_parts(view, s)
        ]
        new = _dedupe(new)
        if new:
            found.extend(new)
            view = _mask(view, new)
    found.sort(key=lambda s: s.start)
    return [Span(s.start, s.end, s.type, text[s.start:s.end], s.confidence) for s in found]


def _unmasked_parts(view: str, span: Span) -> list[Span]:
    """The pieces of a span that earlier detectors have not already claimed."""
    parts = []
    start = None
    for i in range(span.start, span.end + 1):
        free = i < span.end and view[i] != MASK
        if free and start is None:
            start = i
        elif not free and start is not None:
            if view[start:i].strip():
                parts.append(Span(start, i, span.type, "", span.confidence))
            start = None
    return parts


def detect(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """Normalise text and detect PII; offsets refer to the normalised text."""
    return detect_raw(normalize(text).text, known_names)

"""Redaction and masking: what the web layer calls before anything is published.

``redact`` normalises the text (see :mod:`webapp.privacy.detection.normalize`), detects PII and
replaces each merged span with a typed Chinese placeholder such as 【手机号】. The published
text is the normalised one. ``contains_pii`` is the publication gate: run it on every edit of
an anonymized card and refuse to publish while it returns anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from webapp.privacy.detection.detect import detect_raw
from webapp.privacy.detection.lexicon import COMPOUND_SURNAMES
from webapp.privacy.detection.normalize import normalize
from webapp.privacy.detection.spans import PII_TYPES, PLACEHOLDERS, Span

# When merged spans disagree on type, the placeholder of the more specific type wins.
_PRIORITY = {kind: i for i, kind in enumerate(PII_TYPES)}


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One replaced span: offsets in the normalised input, in the original input, and in the
    redacted output (for highlighting the placeholder)."""

    start: int
    end: int
    original_start: int
    original_end: int
    output_start: int
    output_end: int
    type: str
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    spans: tuple[RedactedSpan, ...]
    normalized: str

    @property
    def changed(self) -> bool:
        return bool(self.spans)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans, and touching ones of the same type; the merged span takes
    the most specific type."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and (span.start < merged[-1].end
                       or (span.start == merged[-1].end and span.type == merged[-1].type)):
            last = merged[-1]
            kind = min(last.type, span.type, key=_PRIORITY.__getitem__)
            end = max(last.end, span.end)
            merged[-1] = Span(last.start, end, kind, "", max(last.confidence, span.confidence))
        else:
            merged.append(span)
    return merged


def redact(text: str, *, known_names: Iterable[str] = ()) -> Redaction:
    """Normalise text and replace every piece of detected PII with a typed placeholder."""
    norm = normalize(text if isinstance(text, str) else str(text))
    source = norm.text
    spans = merge_spans(detect_raw(source, known_names))
    out: list[str] = []
    done: list[RedactedSpan] = []
    pos = 0
    length = 0
    for span in spans:
        out.append(source[pos:span.start])
        length += span.start - pos
        placeholder = PLACEHOLDERS[span.type]
        o_start, o_end = norm.to_original(span.start, span.end)
        done.append(RedactedSpan(span.start, span.end, o_start, o_end, length,
                                 length + len(placeholder), span.type,
                                 source[span.start:span.end], span.confidence))
        out.append(placeholder)
        length += len(placeholder)
        pos = span.end
    out.append(source[pos:])
    return Redaction("".join(out), tuple(done), source)


def contains_pii(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """The PII spans (in normalised text) still present; empty means safe to publish.

    Placeholders left by ``redact`` are not PII, so a redacted text passes.
    """
    return detect_raw(normalize(text).text, known_names)


def mask_phone(phone: str) -> str:
    """'13812345678' → '138****5678'; keeps only the first three and last four digits."""
    digits = "".join(ch for ch in normalize(phone).text if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(number: str) -> str:
    """'371526198003051234' → '3715**********1234'; keeps the first four and last four."""
    chars = "".join(ch for ch in normalize(number).text.upper() if ch.isdigit() or ch == "X")
    if len(chars) < 8:
        return "*" * len(chars)
    return chars[:4] + "*" * (len(chars) - 8) + chars[-4:]


def mask_name(name: str) -> str:
    """'张三丰' → '张**'; keeps the surname (both characters of a compound one)."""
    clean = "".join(normalize(name).text.split())
    if not clean:
        return ""
    keep = 2 if clean[:2] in COMPOUND_SURNAMES and len(clean) > 2 else 1
    return clean[:keep] + "*" * (len(clean) - keep)

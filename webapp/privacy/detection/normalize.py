"""Text normalisation run before PII detection, with a map back to the original offsets.

Decision: detection runs on the normalised text and redaction is applied to the normalised
text, which is what gets published. Normalisation only ever makes text cleaner (no control or
zero-width characters, half-width digits and letters, single spaces), so publishing it loses
nothing a reader needs. Full-width Chinese punctuation (，：；（）！？ …) is kept as it is so a
story still reads naturally; detectors accept both widths of those. The offset map lets an
officer's review screen highlight the same spans in the text as it was typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Full-width punctuation that Chinese prose uses as its normal punctuation. Everything else in
# the full-width block (digits, letters, ＋－．＠／＿ …) is folded to ASCII by NFKC.
_KEEP_WIDE = frozenset("！＂＇（），：；＜＞？［］｛｝～｀＾｜＄￥")

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d")
_DOTS = frozenset("\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65")
_NEWLINES = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_DROP_EXTRA = frozenset("\ufffd\ufffc")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, for every character of it, the index of its source character."""

    text: str
    original: str
    offsets: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the original text."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def _fold(ch: str) -> str:
    """Return the replacement of one character ('' drops it, ' ' or '\\n' is whitespace)."""
    if ch in _NEWLINES:
        return "\n"
    if ch == "\t" or ch == "\u3000" or (ch.isspace() and ch not in _NEWLINES):
        return " "
    if ch in _DASHES:
        return "-"
    if ch in _DOTS:
        return "·"
    if ch in _DROP_EXTRA:
        return ""
    category = unicodedata.category(ch)
    # Cc control, Cf format (zero-width space/joiner, BOM, soft hyphen, bidi marks), Cs lone
    # surrogates from a bad decode: none of them carries meaning for a reader.
    if category in ("Cc", "Cf", "Cs"):
        return ""
    if ch in _KEEP_WIDE:
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        # NFKC may itself produce spaces or dashes (e.g. '⑴' → '(1)'); fold those again.
        return "".join(_fold(c) if c != ch else c for c in folded)
    return ch


_CACHE: dict[str, str] = {}


def _fold_cached(ch: str) -> str:
    out = _CACHE.get(ch)
    if out is None:
        out = _fold(ch)
        if len(_CACHE) < 65536:
            _CACHE[ch] = out
    return out


def normalize(text: str) -> Normalized:
    """Normalise text for detection and publication, keeping a map to original offsets.

    NFKC folding (full-width digits and letters to ASCII), control and zero-width characters
    removed, every run of horizontal whitespace collapsed to one space, more than two
    consecutive line breaks collapsed to two, leading and trailing whitespace trimmed.
    """
    if not isinstance(text, str):
        raise TypeError("normalize() expects str")
    out: list[str] = []
    offsets: list[int] = []
    newline_run = 0
    for index, ch in enumerate(text):
        if ch.isascii() and ch.isprintable():
            folded = ch
        else:
            folded = _fold_cached(ch)
        for piece in folded:
            if piece == " ":
                if not out or out[-1] in (" ", "\n"):
                    continue
            elif piece == "\n":
                if out and out[-1] == " ":
                    out.pop()
                    offsets.pop()
                if not out:
                    continue
                newline_run = newline_run + 1 if out[-1] == "\n" else 1
                if newline_run > 2:
                    continue
            out.append(piece)
            offsets.append(index)
    while out and out[-1] in (" ", "\n"):
        out.pop()
        offsets.pop()
    return Normalized("".join(out), text, tuple(offsets))


def clean(text: str) -> str:
    """Return only the normalised text."""
    return normalize(text).text

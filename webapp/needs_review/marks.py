"""Highlighting a card's text for review: placeholders left by redaction, and personal data
still detected, each wrapped in <mark> with everything else escaped."""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from webapp.privacy.detection.normalize import normalize
from webapp.privacy.detection.spans import PLACEHOLDERS, Span

_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS.values())))
_TYPE_OF = {placeholder: kind for kind, placeholder in PLACEHOLDERS.items()}


def highlight(text: str, findings: Iterable[Span] = ()) -> Markup:
    """The text as reviewed: redactions as <mark class="redaction">, detected personal data
    as <mark class="pii">. With findings, offsets are into the normalised text, so that is
    the text shown."""
    findings = sorted(findings, key=lambda s: s.start)
    shown = normalize(text).text if findings else text
    marks: list[tuple[int, int, str, str]] = [
        (m.start(), m.end(), "redaction", _TYPE_OF[m.group()])
        for m in _PLACEHOLDER.finditer(shown)]
    marks += [(s.start, s.end, "pii", s.type) for s in findings]
    out, pos = [], 0
    for start, end, css, kind in sorted(marks):
        if start < pos:
            continue
        out.append(escape(shown[pos:start]))
        out.append(Markup('<mark class="{}" data-type="{}">{}</mark>').format(
            css, kind, shown[start:end]))
        pos = end
    out.append(escape(shown[pos:]))
    return Markup("").join(out)

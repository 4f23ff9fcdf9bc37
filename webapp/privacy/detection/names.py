"""Detector for person names: the public entry points and the order the nets run in.

Three nets, from surest to loosest: names known from the case record (also spaced out, as
surname + 某 and as the given name alone); names introduced by a label or a role word
(姓名：…, 患者…, 母亲…) or written as X某某 or with spaces between the characters; and any
other token that jieba's part-of-speech tagger calls a person name (nr), filtered by a
surname check and an allow-list of domain words so roles and places are not taken for names.

Known names are matched here; the cue and pattern nets are in cued_names.py, the nets over
jieba's tags in tagged_names.py, and the checks they share in name_shape.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from webapp.privacy.detection.cued_names import (
    _cue_names,
    _dotted_names,
    _listed_names,
    _mou_names,
    _spaced_names,
)
from webapp.privacy.detection.lexicon import COMPOUND_SURNAMES
from webapp.privacy.detection.spans import MASK, NAME, Span, is_han
from webapp.privacy.detection.tagged_names import (
    PARTY_SUFFIXES,  # noqa: F401  (public)
    _split_names,
    _tagger_names,
    _title_names,
)
from webapp.privacy.detection.tagging import tag as _tag
from webapp.privacy.detection.tagging import warm_up  # noqa: F401  (public: load jieba early)
from webapp.privacy.detection.variants import variants

_NAME_SEP = r"[\s·*_\-.]{0,2}"


# Known names ---------------------------------------------------------------------------------

def _char_class(ch: str) -> str:
    """A regex matching ch in its simplified or traditional form."""
    forms = variants(ch)
    return re.escape(ch) if len(forms) == 1 else f"[{forms}]"


def _known_patterns(known_names: Iterable[str]) -> list[tuple[str, float]]:
    patterns: list[tuple[str, float]] = []
    for raw in known_names:
        name = re.sub(r"[\s·•・*_\-.\u200b-\u200f\ufeff]", "", str(raw or ""))
        if len(name) < 2:
            continue
        if not all(is_han(ch) for ch in name):
            words = str(raw).split()
            patterns.append((r"(?i)\b" + r"\s+".join(map(re.escape, words)) + r"\b", 0.95))
            continue
        patterns.append((_NAME_SEP.join(map(_char_class, name)), 0.99))
        sl = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
        surname, given = name[:sl], name[sl:]
        patterns.append(("".join(map(_char_class, surname)) + r"某{1,2}", 0.9))
        if len(given) >= 2:
            patterns.append((_NAME_SEP.join(map(_char_class, given)), 0.85))
    return patterns


def detect_known_names(text: str, known_names: Iterable[str]) -> list[Span]:
    """Every occurrence of a name from the case record, spaced, as X某 or as given name."""
    spans = []
    for pattern, confidence in _known_patterns(known_names):
        for m in re.finditer(pattern, text):
            spans.append(Span(m.start(), m.end(), NAME, m.group(), confidence))
    return spans


def detect_names(text: str, known_names: Iterable[str] = ()) -> list[Span]:
    """Person names: known ones, cue- and pattern-introduced ones, and jieba's nr tokens."""
    spans = detect_known_names(text, known_names)
    spans += _mou_names(text) + _spaced_names(text)
    if any(is_han(ch) for ch in text):
        jieba_text = text.replace(MASK, " ")
        tagged = _tag(jieba_text)
        tokens = {pos: (word, flag) for pos, word, flag in tagged}
        spans += _cue_names(text, tokens)
        spans += _tagger_names(text, tagged)
        spans += _title_names(text, tagged)
        spans += _split_names(text, tagged)
        spans += _dotted_names(text)
        spans += _listed_names(text, spans, tokens)
    else:
        spans += _cue_names(text, {})
    return spans

"""Text normalisation shared by indexing, querying, highlighting and suggestions.

Every text is brought to NFKC form, lower-cased and stripped of zero-width characters before
it is segmented, so full-width letters, compatibility ideographs and invisible joiners typed
or pasted by users find the same words as the documents' plain text.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalize"]

# Characters that render as nothing but split words: zero-width space/joiners, word
# joiner, BOM, soft hyphen, Mongolian vowel separator.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
_FULL_WIDTH_MARKS = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，；：！？（）")
# Characters NFKC leaves alone and never composes with a neighbour: ASCII, CJK unified
# ideographs, and 、。—‘’“”《》「」『』.
_NFKC_STABLE = "\x00-\x7f\u4e00-\u9fff\u3001\u3002\u2014\u2018\u2019\u201c\u201d\u300a-\u300f"
_NFKC_RUN = re.compile(f".?[^{_NFKC_STABLE}]+", re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _nfkc(run: str) -> str:
    return unicodedata.normalize("NFKC", run)


def _nfkc_match(match: re.Match[str]) -> str:
    return _nfkc(match.group())


def normalize(text: str) -> str:
    """Return ``text`` in NFKC form, lower-cased, without zero-width characters."""
    if text.isascii():
        return text.lower()
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    # Same result as NFKC over the whole text, about twice as fast on Chinese prose: the
    # common full-width marks are swapped by str.replace, and only runs of characters
    # outside ASCII, CJK ideographs and stable CJK marks go through unicodedata, together
    # with the character before each run, the only one a combining mark could join.
    for wide, narrow in _FULL_WIDTH_MARKS:
        if wide in text:
            text = text.replace(wide, narrow)
    return _NFKC_RUN.sub(_nfkc_match, text).lower()

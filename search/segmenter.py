"""The Chinese word segmenter and its domain dictionary.

Segmentation is jieba's dictionary-driven cut (HMM off, so the same text always yields the
same words whatever surrounds it) plus the package's domain dictionary and every thesaurus
term (see :mod:`search.thesaurus`), so a term is one word wherever it appears.

Two implementations of the same jieba algorithm and dictionary are supported: ``rjieba``
(jieba-rs, about 20x faster) when installed, else a private ``jieba.Tokenizer``. Set
``JIUJINAN_SEGMENTER=jieba`` or ``=rjieba`` to force one. ``ANALYZER_ID`` names the engine
and dictionary so an index can tell when it was built with a different analysis.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from importlib import resources
from typing import Protocol

from .thesaurus import Thesaurus, thesaurus_text

__all__ = ["ANALYZER_ID", "Segmenter", "domain_words", "get_segmenter"]


class Segmenter(Protocol):
    """What analysis needs of a segmenter engine."""

    name: str

    def cut(self, text: str) -> list[str]: ...

    def has_word(self, word: str) -> bool: ...


def _read_domain_dict() -> list[tuple[str, int | None, str | None]]:
    """The domain dictionary's entries, then the thesaurus terms it lacks (as nouns)."""
    entries = _read_domain_file()
    known = {word for word, _, _ in entries}
    entries.extend((term, _THESAURUS_FREQ, "n") for term in _thesaurus_words() if term not in known)
    return entries


# Thesaurus terms are segmenter words, so each is one index token wherever it appears.
_THESAURUS_FREQ = 20000


@functools.lru_cache(maxsize=1)
def _thesaurus_words() -> tuple[str, ...]:
    return tuple(t for t in Thesaurus(thesaurus_text()).words if len(t) > 1)


def _read_domain_file() -> list[tuple[str, int | None, str | None]]:
    entries = []
    text = resources.files("search").joinpath("data/domain.dict").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        entries.append((parts[0], freq, tag))
    return entries


class _RJieba:
    name = "rjieba"

    def __init__(self, entries: list[tuple[str, int | None, str | None]]) -> None:
        import rjieba  # optional: only the engine in use is loaded

        self._jieba = rjieba.Jieba()
        for word, freq, tag in entries:
            self._jieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, False)

    def has_word(self, word: str) -> bool:
        return self._jieba.has_word(word)


class _PyJieba:
    name = "jieba"

    def __init__(self, entries: list[tuple[str, int | None, str | None]]) -> None:
        import jieba  # seconds to import: only when this engine is chosen

        tokenizer = jieba.Tokenizer()
        # The default cache lands in the system temp dir shared by every user; keep ours apart.
        cache_dir = os.path.join(tempfile.gettempdir(), f"jiujinan-jieba-{os.getuid()}")
        os.makedirs(cache_dir, exist_ok=True)
        tokenizer.tmp_dir = cache_dir
        tokenizer.initialize()
        for word, freq, tag in entries:
            tokenizer.add_word(word, freq, tag)
        self._tokenizer = tokenizer
        self._freq = tokenizer.FREQ

    def cut(self, text: str) -> list[str]:
        words: list[str] = self._tokenizer.lcut(text, HMM=False)
        return words

    def has_word(self, word: str) -> bool:
        # jieba keeps every word prefix in FREQ with frequency 0; only positive ones are words.
        return bool(self._freq.get(word))


_lock = threading.Lock()
_segmenter: Segmenter | None = None


def _choose_engine() -> str:
    wanted = os.environ.get("JIUJINAN_SEGMENTER", "").strip().lower()
    if wanted in ("jieba", "rjieba"):
        return wanted
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


def get_segmenter() -> Segmenter:
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                entries = _read_domain_dict()
                engine = _RJieba if _choose_engine() == "rjieba" else _PyJieba
                _segmenter = engine(entries)
    return _segmenter


def _dict_fingerprint() -> str:
    raw = resources.files("search").joinpath("data/domain.dict").read_bytes()
    # The thesaurus shapes the index: its words segmentation, its links the concept tokens
    # written beside each term (see Thesaurus.concepts).

    raw += thesaurus_text().encode("utf-8")
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:10]


ANALYZER_ID = f"jieba-search-nohmm/{_dict_fingerprint()}"


def domain_words() -> list[str]:
    """Return the words of the shipped domain dictionary."""
    return [word for word, _, _ in _read_domain_file()]


"""jieba part-of-speech tagging for the name net: a private, lazily built tagger, bounded in
cost on long or hostile input (pure Python, no Flask imports)."""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from webapp.privacy.detection.lexicon import ADMIN_AREAS, JIEBA_NR_COMMON_WORDS, NAME_ALLOW
from webapp.privacy.detection.spans import HAN, is_han

_tagger_lock = threading.Lock()
_tagger: Any = None  # jieba.posseg.POSTokenizer (jieba ships no types)
_hmm_chars: dict[str, Any] = {}


def pos_tagger() -> Any:
    """A private jieba POS tokenizer, built on first use (about a second)."""
    global _tagger, _hmm_chars
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                # jieba takes seconds to import; only the first tagging pays for it.
                import jieba
                import jieba.posseg

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tagger = jieba.posseg.POSTokenizer(tokenizer)
                for word in ADMIN_AREAS:
                    tokenizer.add_word(word, 2000, "ns")
                for word in NAME_ALLOW:
                    tokenizer.add_word(word, 2000, "n")
                for word in JIEBA_NR_COMMON_WORDS:
                    tokenizer.add_word(word, tokenizer.FREQ.get(word) or 2000, "n")
                tokenizer.initialize()
                _hmm_chars = jieba.posseg.char_state_tab_P
                _tagger = tagger
    return _tagger


def warm_up() -> None:
    """Load the jieba dictionary now rather than on the first detection."""
    pos_tagger()


def vocab_tag(word: str) -> str | None:
    """jieba's dictionary tag for word, or None when jieba does not know the word."""
    tagger = pos_tagger()
    if tagger.tokenizer.FREQ.get(word, 0) <= 0:
        return None
    found: str = tagger.word_tag_tab.get(word, "x")
    return found


# jieba net -----------------------------------------------------------------------------------

_CHUNK = 48
_BREAK = re.compile(rf"[^{HAN}]")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Pieces of at most _CHUNK characters, cut after a non-ideograph where there is one.

    jieba's tagger slows down sharply on long unbroken runs of ideographs (pasted or
    malicious input); real sentences break far more often than this.
    """
    start = 0
    while start < len(text):
        end = min(start + _CHUNK, len(text))
        if end < len(text):
            last = None
            for last in _BREAK.finditer(text, start + _CHUNK // 2, end):
                pass
            if last is not None:
                end = last.end()
        yield start, text[start:end]
        start = end


# The tagger's HMM (which finds names missing from jieba's dictionary) runs on runs of
# characters the dictionary could not join into words, at ~0.1-0.3 ms per character. Real
# prose has few such characters (a name or two per sentence); pasted or hostile text
# ("word salad") can be made of nothing else. So a chunk whose runs are long is tagged by
# the dictionary alone, and one call spends at most _HMM_BUDGET characters on the HMM;
# beyond that the dictionary, cue, title, split and list nets still run, and known names
# never depend on the tagger at all.
_HMM_CHUNK_LOAD = 16
_HMM_BUDGET = 800


def _run_load(pairs: Iterable[Any]) -> int:
    """Characters in runs of two or more one-character tokens (ideographs, and the letters
    and digits jieba keeps in the same block): what the HMM would read."""
    load = run = 0
    for pair in pairs:
        if len(pair.word) == 1 and (is_han(pair.word) or pair.word.isalnum()):
            run += 1
        else:
            load += run if run > 1 else 0
            run = 0
    return load + (run if run > 1 else 0)


def tag(text: str) -> list[tuple[int, str, str]]:
    out = []
    tagger = pos_tagger()
    known_chars = _hmm_chars
    budget = _HMM_BUDGET
    for start, chunk in _chunks(text):
        pos = start
        pairs = list(tagger.cut(chunk, HMM=False))
        load = _run_load(pairs)
        # The HMM also costs ~60x more per character it has never seen; real names use
        # common characters, so chunks with several rare ones skip it.
        if 0 < load <= min(_HMM_CHUNK_LOAD, budget):
            rare = sum(1 for ch in chunk if is_han(ch) and ch not in known_chars)
            if rare <= 2:
                budget -= load
                pairs = list(tagger.cut(chunk, HMM=True))
        for pair in pairs:
            out.append((pos, pair.word, pair.flag))
            pos += len(pair.word)
    return out

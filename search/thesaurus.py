"""The domain thesaurus (``search/data/thesaurus.txt``) and pinyin keys of its terms.

People ask in colloquial words (血癌, 车祸, 着火), broader terms (癌症, 重病, 上学) and pinyin
(``baixuebing``, ``bxb``); cards and listings use the official words (白血病, 交通事故, 火灾).
:meth:`Thesaurus.expand` gives, for a word of a query, the other words that should also find
documents: its synonyms, its narrower terms (and theirs, and their synonyms), and for a word
in pinyin the terms it spells. Backends rank those alternatives below the word typed.

Every term is also a segmenter word (see :mod:`search.segmenter`), so a term is one index token
wherever it appears, and a query word is looked up whole.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources

__all__ = [
    "CONCEPT_PREFIX",
    "EXPANSION_BOOST",
    "MAX_ALTERNATIVES",
    "Thesaurus",
    "get_thesaurus",
    "is_han",
    "pinyin_keys",
    "pinyin_text",
]

# At most this many alternatives per query word: bounds the cost of a very broad term.
MAX_ALTERNATIVES = 48
# Alternatives of a query word score this share of the word itself (both backends), so
# documents that say what was typed come first.
EXPANSION_BOOST = 0.3
# Index tokens of concepts start with this (no analysed word can: it is punctuation).
CONCEPT_PREFIX = "≈"
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_PINYIN_QUERY = re.compile(r"^[a-z]{2,40}$")


def is_han(word: str) -> bool:
    """Whether ``word`` is made of CJK unified ideographs only."""
    return bool(_HAN.match(word))


@functools.lru_cache(maxsize=200_000)
def pinyin_keys(word: str) -> tuple[str, ...]:
    """(full pinyin, initials) of a Chinese word of two characters or more; else ()."""
    if len(word) < 2 or not is_han(word):
        return ()
    from pypinyin import lazy_pinyin  # about a second to import: only when pinyin is asked for

    syllables = lazy_pinyin(word)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return tuple(dict.fromkeys((full, initials)))


def pinyin_text(tokens: str) -> str:
    """Full pinyin and initials of the Chinese words among space-joined index ``tokens``."""
    keys = (key for token in dict.fromkeys(tokens.split()) for key in pinyin_keys(token))
    return " ".join(dict.fromkeys(keys))


def _read(text: str) -> tuple[list[list[str]], list[tuple[str, list[str]]], list[str]]:
    synonyms: list[list[str]] = []
    broader: list[tuple[str, list[str]]] = []
    fillers: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            fillers.extend(t.strip() for t in line[1:].split(",") if t.strip())
        elif ">" in line:
            broad, _, rest = line.partition(">")
            narrow = [t.strip() for t in rest.split(",") if t.strip()]
            if not broad.strip() or not narrow:
                raise ValueError(f"thesaurus line {number}: expected 'broad > narrow, ...'")
            broader.append((broad.strip(), narrow))
        elif "=" in line:
            terms = [t.strip() for t in line.split("=") if t.strip()]
            if len(terms) < 2:
                raise ValueError(f"thesaurus line {number}: expected 'a = b'")
            synonyms.append(terms)
        else:
            raise ValueError(f"thesaurus line {number}: expected '=' or '>'")
    for term in (t for group in synonyms for t in group):
        if any(c.isspace() for c in term):
            raise ValueError(f"thesaurus term {term!r} contains a space")
    return synonyms, broader, fillers


class Thesaurus:
    """Synonym sets and broader → narrower links, read from the thesaurus file format."""

    def __init__(self, text: str) -> None:
        synonym_lines, broader_lines, fillers = _read(text)
        # Words people add around what they ask (得了, 找, 需要): left out of expanded queries.
        self.fillers = frozenset(fillers)
        self.fingerprint = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
        # Synonym sets: lines sharing a term are one set (union-find).
        parent: dict[str, str] = {}

        def find(term: str) -> str:
            parent.setdefault(term, term)
            while parent[term] != term:
                parent[term] = parent[parent[term]]
                term = parent[term]
            return term

        for line in synonym_lines:
            for term in line[1:]:
                parent[find(term)] = find(line[0])
        for broad, narrow in broader_lines:
            for term in (broad, *narrow):
                find(term)
        members: dict[str, list[str]] = defaultdict(list)
        for term in parent:
            members[find(term)].append(term)
        self._synonyms = {t: tuple(members[find(t)]) for t in parent}
        self._narrower: dict[str, list[str]] = defaultdict(list)
        for broad, narrow in broader_lines:
            for synonym in self._synonyms[broad]:
                self._narrower[synonym].extend(narrow)
        self._pinyin: dict[str, list[str]] = defaultdict(list)
        for term in self._synonyms:
            for key in pinyin_keys(term):
                self._pinyin[key].append(term)
        # Concepts: a synonym set with everything it expands to (no MAX_ALTERNATIVES cap),
        # named by its first term. Indexing writes, beside each term, the concepts that
        # include it, so an expanded query word asks for one concept token (see concepts).
        concepts: dict[str, list[str]] = defaultdict(list)
        for term in self._synonyms:
            if self.canonical(term) != term:
                continue
            reached = self._closure(term)
            if len(reached) > 1:
                for other in reached:
                    concepts[other].append(CONCEPT_PREFIX + term)
        self._concepts = {t: tuple(c) for t, c in concepts.items()}

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term, in file order."""
        return tuple(self._synonyms)

    @property
    def words(self) -> tuple[str, ...]:
        """Every term and filler word: the words the segmenter must know."""
        return (*self._synonyms, *sorted(self.fillers - set(self._synonyms)))

    @property
    def pinyin_spellings(self) -> tuple[str, ...]:
        """Every pinyin key (full or initials) that spells some word."""
        return tuple(self._pinyin)

    def add_pinyin(self, words: Iterable[str]) -> None:
        """Let the pinyin of ``words`` (domain words, town names) spell them too."""
        for word in words:
            for key in pinyin_keys(word):
                if word not in self._pinyin[key]:
                    self._pinyin[key].append(word)

    def spelled(self, key: str) -> tuple[str, ...]:
        """The words whose full pinyin or initials are ``key``."""
        return tuple(self._pinyin.get(key, ())) if _PINYIN_QUERY.match(key) else ()

    def _closure(self, word: str) -> list[str]:
        """``word``, its synonyms, narrower terms, theirs and so on, nearest first (uncapped)."""
        reached = {word: None}
        queue = [word]
        while queue:
            term = queue.pop(0)
            for other in (*self._synonyms.get(term, (term,)), *self._narrower.get(term, ())):
                if other not in reached:
                    reached[other] = None
                    queue.append(other)
        return list(reached)

    def concepts(self, token: str) -> tuple[str, ...]:
        """Index tokens of the concepts that include ``token`` (a term): written beside it."""
        return self._concepts.get(token, ())

    def concept_text(self, tokens: str) -> str:
        """The concept tokens of space-joined index ``tokens``, one per term occurrence, so
        a concept counts as often as its terms (title weight included)."""
        get = self._concepts.get
        return " ".join(c for token in tokens.split() for c in get(token, ()))

    def query_token(self, word: str) -> str:
        """The one index token that finds ``word`` and all it expands to: its concept token,
        or the word itself if it expands to nothing."""
        canonical = self.canonical(word)
        if canonical is not None and CONCEPT_PREFIX + canonical in self._concepts.get(word, ()):
            return CONCEPT_PREFIX + canonical
        return word

    def expand(self, word: str) -> tuple[str, ...]:
        """Other words that a query for ``word`` should also find, nearest first."""
        return _expand_cached(self, word)

    def _expand(self, word: str) -> tuple[str, ...]:
        found: dict[str, None] = {}
        starts = [word] if word in self._synonyms else list(self.spelled(word))
        queue = list(starts)
        seen = set(queue)
        while queue and len(found) < MAX_ALTERNATIVES:
            term = queue.pop(0)
            for other in (*self._synonyms.get(term, (term,)), *self._narrower.get(term, ())):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
            found[term] = None
        for term in queue:
            if len(found) >= MAX_ALTERNATIVES:
                break
            found[term] = None
        found.pop(word, None)
        return tuple(found)

    def canonical(self, word: str) -> str | None:
        """The first term of ``word``'s synonym set (交通事故 for 车祸), None if none."""
        synonyms = self._synonyms.get(word)
        return synonyms[0] if synonyms else None

    def with_canonical(self, tokens: Iterable[str]) -> tuple[str, ...]:
        """``tokens`` followed by the canonical term of each that has another one, so two
        texts saying the same thing in different words share a token (the matcher's text
        features use this)."""
        extra = (self.canonical(t) for t in tokens)
        return (*tokens, *(c for c, t in zip(extra, tokens) if c and c != t))

    def sounds_like(self, word: str) -> str | None:
        """The term whose full pinyin is that of Chinese ``word`` (itself excluded), if any."""
        keys = pinyin_keys(word)
        if not keys:
            return None
        for term in self._pinyin.get(keys[0], ()):
            if term != word and pinyin_keys(term)[0] == keys[0]:
                return term
        return None

    def nearest(self, key: str) -> str | None:
        """A term whose pinyin is ``key`` (for "did you mean"), preferring the first in the file."""
        spelled = self.spelled(key)
        return spelled[0] if spelled else None


@functools.lru_cache(maxsize=50_000)
def _expand_cached(thesaurus: Thesaurus, word: str) -> tuple[str, ...]:
    return thesaurus._expand(word)


def thesaurus_text() -> str:
    """The shipped thesaurus file."""
    return resources.files("search").joinpath("data/thesaurus.txt").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def get_thesaurus() -> Thesaurus:
    """The shipped thesaurus, with the domain dictionary's words spelled in pinyin too."""
    from .segmenter import domain_words  # here: the segmenter imports this module

    thesaurus = Thesaurus(thesaurus_text())
    thesaurus.add_pinyin(domain_words())
    return thesaurus

"""Chinese text analysis shared by indexing, querying and highlighting.

Every backend indexes the tokens produced here (joined by spaces) and queries with the
tokens produced here, so segmentation behaves the same in the embedded engine, in
Elasticsearch and in the benchmark baseline.

Segmentation is jieba's dictionary-driven cut (HMM off, so the same text always yields the
same words whatever surrounds it) plus the package's domain dictionary. Index-time analysis
is "search mode": every dictionary word contained in a longer word is emitted too, so
白血病 also yields 白血 and 三十里铺镇 also yields 三十里铺.

Two implementations of the same jieba algorithm and dictionary are supported: ``rjieba``
(jieba-rs, about 20x faster) when installed, else a private ``jieba.Tokenizer``. Set
``JIUJINAN_SEGMENTER=jieba`` or ``=rjieba`` to force one. ``ANALYZER_ID`` names the engine
and dictionary so an index can tell when it was built with a different analysis.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .thesaurus import Thesaurus

__all__ = [
    "ANALYZER_ID",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_GROUPS",
    "QueryPlan",
    "analyze",
    "analyze_query",
    "can_relax",
    "domain_words",
    "index_text",
    "normalize",
    "plan_query",
    "segment",
]

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


_HAS_WORD_CHAR = re.compile(r"\w")
# Longer tokens are junk (pasted hashes, repeated letters) and only bloat the term dictionary.
MAX_TOKEN_CHARS = 32
# Queries are cut short before segmentation: nobody types more, and it bounds the cost.
MAX_QUERY_CHARS = 200
MAX_QUERY_GROUPS = 24
# Function words dropped from queries only (indexing keeps everything).
# Boolean-operator words are dropped too: user text is never query syntax.
_QUERY_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "为",
        "对",
        "把",
        "被",
        "也",
        "就",
        "都",
        "而",
        "之",
        "其",
        "等",
        "啊",
        "吗",
        "呢",
        "吧",
        "and",
        "or",
        "not",
    ]
)


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


class _Segmenter(Protocol):
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
    from .thesaurus import Thesaurus, thesaurus_text

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
        import rjieba

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
        import jieba

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
_segmenter: _Segmenter | None = None


def _choose_engine() -> str:
    wanted = os.environ.get("JIUJINAN_SEGMENTER", "").strip().lower()
    if wanted in ("jieba", "rjieba"):
        return wanted
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


def _get_segmenter() -> _Segmenter:
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
    from .thesaurus import thesaurus_text

    raw += thesaurus_text().encode("utf-8")
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:10]


ANALYZER_ID = f"jieba-search-nohmm/{_dict_fingerprint()}"


def domain_words() -> list[str]:
    """Return the words of the shipped domain dictionary."""
    return [word for word, _, _ in _read_domain_file()]


def _keep(token: str) -> bool:
    return not token.isspace() and _HAS_WORD_CHAR.search(token) is not None


@functools.lru_cache(maxsize=200_000)
def _expand(word: str) -> tuple[str, ...]:
    """Dictionary words strictly inside ``word``, then ``word`` itself (search mode)."""
    if len(word) > MAX_TOKEN_CHARS:
        return (word[:MAX_TOKEN_CHARS],)
    if len(word) < 3 or word.isascii():
        return (word,)
    has_word = _get_segmenter().has_word
    found = []
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if has_word(part):
                found.append(part)
    found.append(word)
    return tuple(dict.fromkeys(found))


def segment(text: str) -> list[str]:
    """Cut normalised text into words, dropping whitespace and punctuation."""
    return [w for w in _get_segmenter().cut(text) if w.isalnum() or _keep(w)]


def analyze(text: str) -> list[str]:
    """Index-time tokens of ``text``: normalised, segmented, in search mode."""
    if not text:
        return []
    tokens: list[str] = []
    extend = tokens.extend
    for word in _get_segmenter().cut(normalize(text)):
        if word.isalnum() or _keep(word):
            extend(_expand(word))
    return tokens


class _IndexTokens(dict[str, str]):
    """Word -> its index tokens joined by spaces ("" for punctuation), filled on first use.

    Indexing looks up every word of every document; a plain dict lookup is several times
    cheaper than the filter and ``_expand`` calls of :func:`analyze`, which it mirrors.
    """

    max_size = 500_000

    def __missing__(self, word: str) -> str:
        value = " ".join(_expand(word)) if word.isalnum() or _keep(word) else ""
        if len(self) >= self.max_size:
            self.clear()
        self[word] = value
        return value


_index_tokens = _IndexTokens()


def index_text(text: str) -> str:
    """The tokens of :func:`analyze` joined by single spaces, ready for a whitespace tokenizer."""
    if not text:
        return ""
    words = _get_segmenter().cut(normalize(text))
    return " ".join(filter(None, map(_index_tokens.__getitem__, words)))


Group = tuple[str, ...]
Unit = tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A user query as units of token groups.

    A *group* matches a document that has any of its tokens: ``group[0]`` is a word of the
    query, the rest are domain-dictionary words inside it (so 白血病 also matches a text that
    only says 白血). A *unit* matches when all its groups do: it is one word the user typed,
    which the segmenter may have cut into pieces (转介服务 → 转 介 服务, an unknown village
    name into single characters). A document must match at least ``minimum_should_match``
    units: all of them for short queries, most of them for long ones.
    """

    units: tuple[Unit, ...]
    minimum_should_match: int
    # (query word, words that should also find documents) from the thesaurus and pinyin,
    # for query words that have any; ranked below the word itself.
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (query word, the index tokens that find those same words): one concept token per
    # thesaurus term (see Thesaurus.query_token), for backends that index concepts.
    concepts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def alternatives(self, group: Group) -> tuple[str, ...]:
        """Thesaurus and pinyin alternatives of ``group`` (its typed word), maybe none."""
        for word, alternatives in self.expansions:
            if word == group[0]:
                return alternatives
        return ()

    def concept_tokens(self, group: Group) -> tuple[str, ...]:
        """Index tokens that find the alternatives of ``group`` (concept tokens), maybe none."""
        for word, tokens in self.concepts:
            if word == group[0]:
                return tokens
        return ()

    @property
    def is_empty(self) -> bool:
        return not self.units

    @property
    def groups(self) -> tuple[Group, ...]:
        """Every group of every unit, in query order."""
        return tuple(group for unit in self.units for group in unit)

    @property
    def terms(self) -> tuple[str, ...]:
        """Every distinct token of the plan, alternatives included, for highlighting."""
        alternatives = (t for _, words in self.expansions for t in words)
        return tuple(dict.fromkeys([*(t for group in self.groups for t in group), *alternatives]))


@functools.lru_cache(maxsize=1)
def _domain_word_set() -> frozenset[str]:
    return frozenset(domain_words())


# What users separate words with: whitespace and punctuation (query syntax included).
_CHUNK_SEPARATORS = re.compile(r"[^\w]+")
# A typed word cut into at most this many pieces stays one unit (all pieces required).
_MAX_UNIT_PIECES = 3


def _group(word: str) -> Group:
    expanded = _expand(word)
    domain = _domain_word_set()
    return (expanded[-1], *(w for w in expanded[:-1] if w in domain))


def _chunk_units(pieces: list[Group | None]) -> list[Unit]:
    """Units of one typed chunk: the whole chunk when short, else word by word.

    ``pieces`` are the chunk's groups in order, with None where a stopword was dropped. In a
    long chunk (a sentence typed without spaces) each word is its own unit, except that a
    run of single characters, which is how the segmenter cuts a word it does not know,
    stays together.
    """
    groups = [g for g in pieces if g is not None]
    if len(groups) <= _MAX_UNIT_PIECES:
        return [tuple(groups)] if groups else []
    units: list[Unit] = []
    run: list[Group] = []
    for group in pieces:
        if group is not None and len(group[0]) == 1 and not group[0].isascii():
            run.append(group)
            continue
        if run:
            units.append(tuple(run))
            run = []
        if group is not None:
            units.append((group,))
    if run:
        units.append(tuple(run))
    return units


def plan_query(text: str | None, *, relaxed: bool = False, expand: bool = False) -> QueryPlan:
    """Turn free user text into a :class:`QueryPlan`; never raises on odd input.

    Up to three units are all required; of more, three quarters, or with ``relaxed`` half
    (at least two), for a long query that found nothing as it was.

    A typed word also matches the domain-dictionary words inside it (白血病 → 白血), but not
    generic sub-words: 医疗救助 must not match every text that merely says 救助, which would
    both rank poorly and make the query count most of the corpus.

    With ``expand``, each word also carries its thesaurus alternatives (synonyms, narrower
    terms, the words its pinyin spells), see :class:`search.thesaurus.Thesaurus`.
    """
    if not text:
        return QueryPlan((), 0)
    chunks = _CHUNK_SEPARATORS.split(normalize(text[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS])
    thesaurus = _thesaurus() if expand else None
    sounds: dict[str, str] = {}
    words_by_chunk = []
    for chunk in filter(None, chunks):
        term = _sounds_like(chunk, thesaurus) if thesaurus else None
        if term:
            sounds[chunk] = term
            words_by_chunk.append([chunk])
        else:
            words_by_chunk.append(segment(chunk))
    dropped = _QUERY_STOPWORDS | thesaurus.fillers if thesaurus else _QUERY_STOPWORDS
    has_content = any(w not in dropped for words in words_by_chunk for w in words)
    units: list[Unit] = []
    seen: set[str] = set()
    budget = MAX_QUERY_GROUPS
    for words in words_by_chunk:
        pieces: list[Group | None] = []
        for word in words:
            if word in sounds:
                pieces.append((word,))
            elif has_content and word in dropped:
                pieces.append(None)
            elif word not in seen and budget:
                seen.add(word)
                pieces.append(_group(word))
                budget -= 1
        units.extend(_chunk_units(pieces))
    expansions, concepts = _expansions(units, sounds, thesaurus) if thesaurus else ((), ())
    return QueryPlan(tuple(units), _minimum(len(units), relaxed=relaxed), expansions, concepts)


def _thesaurus() -> Thesaurus:
    from .thesaurus import get_thesaurus

    return get_thesaurus()


def _sounds_like(chunk: str, thesaurus: Thesaurus) -> str | None:
    """The thesaurus term a typed word that is no dictionary word sounds like (白雪病 for
    白血病, 陪护就意 for 陪护就医), if any."""
    from .thesaurus import is_han

    if len(chunk) < 2 or not is_han(chunk) or _get_segmenter().has_word(chunk):
        return None
    return thesaurus.sounds_like(chunk)


Expansions = tuple[tuple[str, tuple[str, ...]], ...]


def _expansions(units: list[Unit], sounds: dict[str, str], thesaurus: Thesaurus
                ) -> tuple[Expansions, Expansions]:
    """(alternatives, concept tokens) of the units' words, as QueryPlan holds them; a
    misspelt word's alternatives are the term it sounds like and that term's alternatives."""
    found: list[tuple[str, tuple[str, ...]]] = []
    concepts: list[tuple[str, tuple[str, ...]]] = []
    for unit in units:
        for group in unit:
            word = group[0]
            if word in sounds:
                term = sounds[word]
                found.append((word, (term, *thesaurus.expand(term))))
                concepts.append((word, (thesaurus.query_token(term),)))
                continue
            alternatives = tuple(a for a in thesaurus.expand(word) if a not in group)
            if alternatives:
                found.append((word, alternatives))
                # A term's concept covers all it expands to; a pinyin word's alternatives
                # start with the words it spells, whose concepts cover the rest.
                is_term = thesaurus.canonical(word) is not None
                starts = (word,) if is_term else thesaurus.spelled(word)
                tokens = dict.fromkeys(thesaurus.query_token(t) for t in starts)
                concepts.append((word, tuple(t for t in tokens if t not in group)))
    return tuple(found), tuple(concepts)


def _minimum(n: int, *, relaxed: bool) -> int:
    if n <= 3:
        return n
    return max(2, math.ceil(n / 2)) if relaxed else max(3, math.ceil(n * 0.75))


def can_relax(plan: QueryPlan) -> bool:
    """Whether ``plan_query(..., relaxed=True)`` would ask for fewer units than ``plan``."""
    return _minimum(len(plan.units), relaxed=True) < plan.minimum_should_match


def analyze_query(text: str | None) -> list[str]:
    """Query-time tokens of ``text`` (flattened :func:`plan_query` groups)."""
    return list(plan_query(text).terms)

"""Free user text turned into a :class:`QueryPlan`: what every backend asks its engine.

A query is normalised and segmented like the documents (:mod:`search.analysis`), function
words are dropped, and each typed word becomes a group of tokens (the word and the domain
words inside it); with expansion on, each word also carries its thesaurus and pinyin
alternatives (:mod:`search.thesaurus`).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from .analysis import segment, word_tokens
from .normalize import normalize
from .segmenter import domain_words, get_segmenter
from .thesaurus import Thesaurus, get_thesaurus, is_han

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_GROUPS",
    "QueryPlan",
    "analyze_query",
    "can_relax",
    "plan_query",
]

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
    expanded = word_tokens(word)
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
    # Plans are immutable and depend only on the text, the flags and the dictionaries, which
    # are fixed for the process's life: a query asked again (the next page, a popular word,
    # the suggestions' completions) is not segmented and expanded again.
    return _plan_query(text[: MAX_QUERY_CHARS * 2], relaxed, expand)


@functools.lru_cache(maxsize=4096)
def _plan_query(text: str, relaxed: bool, expand: bool) -> QueryPlan:
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
    return get_thesaurus()


def _sounds_like(chunk: str, thesaurus: Thesaurus) -> str | None:
    """The thesaurus term a typed word that is no dictionary word sounds like (白雪病 for
    白血病, 陪护就意 for 陪护就医), if any."""
    if len(chunk) < 2 or not is_han(chunk) or get_segmenter().has_word(chunk):
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

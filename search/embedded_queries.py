"""The tantivy queries the embedded backend asks: text, filters, and what document
frequencies say about a query's matches before it runs.

The schema they ask is :mod:`search.embedded_schema`; docs/search.md explains the choices.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import tantivy

from .analysis import MAX_TOKEN_CHARS
from .documents import SearchQuery
from .embedded_schema import HASHED_FIELDS, SCHEMA, value_hash
from .query_plan import QueryPlan
from .thesaurus import CONCEPT_PREFIX, EXPANSION_BOOST, get_thesaurus

__all__ = [
    "AS_TYPED_ENOUGH",
    "MatchEstimates",
    "all_of",
    "as_typed_when_broad",
    "build_queries",
    "filter_share",
    "match_estimates",
    "passes_filters",
    "text_queries",
]

# Above this many combinations of units, the "at least k of n units" rewrite in
# text_queries would cost more than tantivy's own minimum-should-match scorer.
MAX_MSM_COMBINATIONS = 64
# A query of several words expected to match this many documents as typed is asked as typed,
# without thesaurus alternatives (see as_typed_when_broad).
AS_TYPED_ENOUGH = 1000
# Filters on urgency_min estimate their share from the values up to this; a higher urgency
# only makes the estimate low, which costs time (more candidates), never correctness.
MAX_URGENCY = 10


# -- text ---------------------------------------------------------------------------------


def _term(token: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, "text", token, "freq")


def all_of(queries: Iterable[tantivy.Query]) -> tantivy.Query:
    """Documents matching every one of ``queries``."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _group_query(
    group: tuple[str, ...], alternatives: tuple[str, ...] = (), *, ranked: bool
) -> tantivy.Query:
    """Documents holding any token of ``group`` or ``alternatives``, the concept tokens of
    its thesaurus alternatives (usually one: a term's whole expansion is one posting list,
    written at index time); ``ranked=False`` for matching alone. Alternatives score
    ``EXPANSION_BOOST`` times less.

    Ranking scores every token (a plain union of term queries, which tantivy can prune by
    block maxima). Matching needs only the sub-words: index-time analysis writes every
    dictionary word inside a word beside it, so a document holding ``group[0]`` holds each
    of ``group[1:]`` too, and their postings alone give the same matches.
    """
    tokens = group
    if not ranked and len(group) > 1 and len(group[0]) < MAX_TOKEN_CHARS:
        tokens = group[1:]
    if not alternatives:
        if len(tokens) == 1:
            return _term(tokens[0])  # a bare term query lets tantivy skip whole blocks
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, _term(t)) for t in tokens])
    if ranked:
        expanded = [tantivy.Query.boost_query(_term(t), EXPANSION_BOOST) for t in alternatives]
    else:
        expanded = [_term(t) for t in alternatives]
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, q) for q in [*map(_term, tokens), *expanded]]
    )


def _covering_concept(group: tuple[str, ...], plan: QueryPlan) -> str | None:
    """The concept token of a one-word group whose word is a thesaurus term: its postings
    hold every document of the word and of its alternatives. None for other groups (a
    pinyin or misspelt word, whose concepts do not include the word typed)."""
    tokens = plan.concept_tokens(group)
    if len(group) != 1 or len(tokens) != 1 or not tokens[0].startswith(CONCEPT_PREFIX):
        return None
    return tokens[0] if get_thesaurus().query_token(group[0]) == tokens[0] else None


def _required(groups: Sequence[tuple[str, ...]], plan: QueryPlan, *, ranked: bool
              ) -> tantivy.Query:
    """Documents matching every group of ``groups``.

    A group whose word is a thesaurus term matches its concept token alone, so a
    conjunction of expanded words is an intersection of single posting lists, not of
    unions. Ranking requires the concepts (at ``EXPANSION_BOOST``) and adds the typed words
    as optional clauses: the same score as a union of the two per group, for one walk of
    the concepts' intersection. One group alone stays a plain union of terms, which tantivy
    can prune by block maxima.
    """
    required, optional = [], []
    for group in groups:
        concept = _covering_concept(group, plan)
        if concept is not None and not ranked:
            # The concept's postings hold the word's: one list to walk, or to seek into
            # (seeking a union of two long lists refills a window of both at every step).
            required.append(_term(concept))
        elif concept is None or len(groups) == 1:
            required.append(_group_query(group, plan.concept_tokens(group), ranked=ranked))
        elif ranked:
            required.append(tantivy.Query.boost_query(_term(concept), EXPANSION_BOOST))
            optional.append(_term(group[0]))
        else:
            required.append(_term(concept))
    return _with_optional(required[0] if len(required) == 1 else all_of(required), optional)


def _unit_query(unit: Sequence[tuple[str, ...]], plan: QueryPlan, *, ranked: bool
                ) -> tantivy.Query:
    return _required(unit, plan, ranked=ranked)


def _with_optional(query: tantivy.Query, optional: Iterable[tantivy.Query]) -> tantivy.Query:
    """``query``'s matches, scored with each of ``optional`` that also matches added.

    One level per optional clause, so each is a single posting list that a match seeks
    into: optional clauses side by side would be one union, and seeking a union of long
    lists refills a window of every list at each step.
    """
    for clause in optional:
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Should, clause)]
        )
    return query


def text_queries(plan: QueryPlan) -> tuple[tantivy.Query, tantivy.Query]:
    """(query to rank with, query with the same matches that skips scoring)."""
    ranked_units = [_unit_query(unit, plan, ranked=True) for unit in plan.units]
    units = [_unit_query(unit, plan, ranked=False) for unit in plan.units]
    need = plan.minimum_should_match
    if len(units) == 1:
        return ranked_units[0], units[0]
    if need >= len(units):
        return (_required(plan.groups, plan, ranked=True),
                _required(plan.groups, plan, ranked=False))
    if math.comb(len(units), need) > MAX_MSM_COMBINATIONS:
        ranked_msm, units_msm = (
            tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, u) for u in these], minimum_number_should_match=need
            )
            for these in (ranked_units, units)
        )
        return ranked_msm, units_msm
    # "At least `need` of the units". tantivy's minimum-should-match scorer walks the union
    # of every unit's postings, most of the corpus when a unit is a common word, however
    # few documents match in the end. The same set is the union of the conjunctions of
    # every `need` units, each of which leapfrogs along its rarest unit. Ranking keeps that
    # set (at score 0) and adds every unit as optional, so a match still scores the sum of
    # the units it contains (a one-word unit's terms one by one, see _with_optional).
    matches = tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, all_of(combo)) for combo in itertools.combinations(units, need)]
    )
    scoring = [
        clause
        for unit, ranked_unit in zip(plan.units, ranked_units)
        for clause in (_scoring_terms(unit[0], plan) if len(unit) == 1 else [ranked_unit])
    ]
    return _with_optional(tantivy.Query.const_score_query(matches, 0.0), scoring), matches


def _scoring_terms(group: tuple[str, ...], plan: QueryPlan) -> list[tantivy.Query]:
    """The term queries a one-group unit's ranked union sums, one per token and concept."""
    concepts = plan.concept_tokens(group)
    return [*map(_term, group),
            *(tantivy.Query.boost_query(_term(t), EXPANSION_BOOST) for t in concepts)]


# -- filters ------------------------------------------------------------------------------


def _filter_query(name: str, values: tuple[Any, ...]) -> tantivy.Query:
    if name == "urgency_min":
        query = tantivy.Query.range_query(
            SCHEMA, "urgency", tantivy.FieldType.Integer, values[0], None
        )
    elif len(values) == 1:
        # One value: a posting list that intersections can skip along (a term set is
        # first collected into a bitset of every matching document).
        query = tantivy.Query.term_query(SCHEMA, name, values[0])
    else:
        query = tantivy.Query.term_set_query(SCHEMA, name, list(values))
    return tantivy.Query.const_score_query(query, 0.0)


def build_queries(
    query: SearchQuery, plan: QueryPlan
) -> tuple[tantivy.Query, tantivy.Query, tantivy.Query | None]:
    """(query to rank the page with, query to count with, unfiltered ranking query).

    The first two match the same documents; the third is the text alone (None when there
    are no filters or no text), for ranking before filtering (see :func:`passes_filters`).
    """
    filters = [_filter_query(name, values) for name, values in query.filters.items()]
    if plan.is_empty:
        if not filters:
            return tantivy.Query.all_query(), tantivy.Query.all_query(), None
        filtered = all_of(filters)
        return filtered, filtered, None
    ranked, matches = text_queries(plan)
    if not filters:
        return ranked, matches, None
    return all_of([*filters, ranked]), all_of([*filters, matches]), ranked


def filter_share(searcher: tantivy.Searcher, query: SearchQuery) -> float | None:
    """The share of the index the filters keep, assuming they are independent.

    None when a filter is on a field that :func:`passes_filters` cannot check (category,
    which may hold several values per document).
    """
    if not set(query.filters) <= {*HASHED_FIELDS, "urgency", "urgency_min"}:
        return None
    docs = max(searcher.num_docs, 1)
    share = 1.0
    for name, values in query.filters.items():
        field = name
        if name == "urgency_min":
            field, values = "urgency", range(values[0], max(values[0], MAX_URGENCY) + 1)
        share *= sum(searcher.doc_freq(field, v) for v in values) / docs
    return share


def passes_filters(searcher: tantivy.Searcher, addresses: list[Any],
                   filters: Mapping[str, tuple[Any, ...]]) -> list[bool]:
    """Whether each hit passes every filter, read from the hits' fast fields."""
    keep = [True] * len(addresses)
    for name, values in filters.items():
        if name in ("urgency", "urgency_min"):
            column = searcher.fast_field_values("urgency", addresses)
            if name == "urgency":
                wanted = set(values)
                ok = [v in wanted for v in column]
            else:
                ok = [v is not None and v >= values[0] for v in column]
        else:
            wanted = {value_hash(v) for v in values}
            ok = [v in wanted for v in searcher.fast_field_values(f"{name}_hash", addresses)]
        keep = [a and b for a, b in zip(keep, ok)]
    return keep


# -- estimates -----------------------------------------------------------------------------


class MatchEstimates(NamedTuple):
    """What document frequencies alone say about a query's matches."""

    bound: int  # at most this many documents match (exact arithmetic)
    expected: float  # as many as this if its words and filters occurred independently
    text_bound: int | None  # at most this many match the text alone (None: no text)


def as_typed_when_broad(searcher: tantivy.Searcher, query: SearchQuery, plan: QueryPlan
                        ) -> QueryPlan:
    """``plan`` without its thesaurus alternatives when its words, as typed, are expected
    to find at least ``AS_TYPED_ENOUGH`` documents (with the filters); else ``plan``.

    Alternatives are for recall: a colloquial, misspelt or pinyin word that finds little as
    typed. Words that already find more documents than anyone reads gain nothing a person
    sees from them, while expanding each to its concept (found in half the index, for the
    broadest) makes the engine walk unions and intersections of concepts: the bulk of the
    expanded latency at a million documents. The documents that only say an alternative
    would rank below those saying what was typed (alternatives score ``EXPANSION_BOOST``
    of a word); what changes is the order among the latter, now by the words typed alone.
    """
    if not plan.concepts:
        return plan
    as_typed = replace(plan, expansions=(), concepts=())
    if match_estimates(searcher, query, as_typed).expected < AS_TYPED_ENOUGH:
        return plan
    return as_typed


def match_estimates(searcher: tantivy.Searcher, query: SearchQuery, plan: QueryPlan
                    ) -> MatchEstimates:
    """Bounds and an expectation of the matches of ``query``; the expectation only guides
    which counting pass to try first, and the bounds which way to rank."""
    docs = max(searcher.num_docs, 1)
    bound, expected = docs, float(docs)
    for name, values in query.filters.items():
        if name != "urgency_min":
            frequency = sum(searcher.doc_freq(name, v) for v in values)
            bound = min(bound, frequency)
            expected *= frequency / docs
    if plan.is_empty:
        return MatchEstimates(bound, expected, None)
    # Per unit, its rarest group's postings (alternatives included), ascending.
    bounds = sorted(
        min(
            sum(searcher.doc_freq("text", t) for t in (*group, *plan.concept_tokens(group)))
            for group in unit
        )
        for unit in plan.units
    )
    need = plan.minimum_should_match
    # A match has `need` of the units, so one of any n - need + 1 of them: the rarest.
    text = sum(bounds[: len(bounds) - need + 1])
    for unit_bound in bounds[:need]:
        expected *= unit_bound / docs
    bound = min(bound, text)
    return MatchEstimates(bound, min(expected, bound), text)



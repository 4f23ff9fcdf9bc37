"""Totals and facet counts of the embedded backend: exact, or estimated from the sample.

Counting runs as its own aggregation pass beside the top-k pass (see
:meth:`search.embedded.EmbeddedBackend.search`), on a thread of its own: tantivy releases the
GIL, so on a multi-core machine the two passes run side by side.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import tantivy

from .documents import facet_list
from .embedded_queries import MatchEstimates, all_of
from .embedded_schema import IN_SAMPLE, SCHEMA

__all__ = ["EXACT_COUNT_LIMIT", "Counter", "Counts", "count_spec", "round_estimate"]

FACET_SIZE = 1000
# Every document has this single-valued fast field, so counting its values counts matches.
TOTAL_AGG = ("_total", {"value_count": {"field": "rank_urgent"}})
# Queries that may match more documents than this are counted on the sample first.
EXACT_COUNT_LIMIT = 10_000
# Counts that may visit more postings than this run on the counting thread (see Counter.start).
BACKGROUND_COUNT_ABOVE = 20_000

# (total, facet counts, whether both are estimates) of one query.
Counts = tuple[int, dict[str, list[tuple[str | int, int]]], bool]


class Counter:
    """Counts matches and facet values, exactly up to ``exact_count_limit`` matches."""

    def __init__(
        self,
        exact_count_limit: int = EXACT_COUNT_LIMIT,
        background_above: int = BACKGROUND_COUNT_ABOVE,
    ) -> None:
        self.exact_count_limit = exact_count_limit
        self.background_above = background_above
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0

    def count(
        self,
        searcher: tantivy.Searcher,
        counted: tantivy.Query,
        spec: dict[str, Any],
        estimates: MatchEstimates,
        fields: tuple[str, ...],
    ) -> Counts:
        """(total, facets, whether they are estimates): exact unless the query is broad.

        A query that may match more than ``exact_count_limit`` documents, and would even if
        its words occurred independently, is first counted on the fixed sample of one
        document in ``SAMPLE_RATE`` (see :func:`search.indexing.in_sample`). If the sample
        says it really is broad, the total and facet counts are scaled up from the sample
        and flagged as estimates, like Elasticsearch's ``random_sampler`` aggregation:
        counting every match of a word found in most of a million documents costs more
        than the rest of the search together.
        """
        limit = self.exact_count_limit
        if estimates.bound > limit and estimates.expected * 2 >= limit:
            sample_size = searcher.doc_freq("sample", IN_SAMPLE)
            if sample_size:
                raw = searcher.aggregate(sampled(counted), spec)
                scale = searcher.num_docs / sample_size
                if sampled_total(raw) * scale >= self.exact_count_limit:
                    return (*read_counts(raw, fields, scale), True)
        return (*read_counts(searcher.aggregate(counted, spec), fields), False)

    def start(
        self,
        searcher: tantivy.Searcher,
        counted: tantivy.Query,
        spec: dict[str, Any],
        estimates: MatchEstimates,
        fields: tuple[str, ...],
    ) -> Future[Counts]:
        """:meth:`count`, on the counting thread when it may visit more than
        ``background_above`` postings, else here and now (a done future).

        Handing work to another thread costs a wake-up and a switch of the GIL each way:
        little on an idle machine, but up to several milliseconds when the thread must wait
        for a core (measured at 200,000 documents on a loaded 2-core machine: 5.3 ms mean
        with every count on the thread, 1.5 ms with none). Only a count that costs more
        than that is worth running beside the top-k pass.
        """
        if estimates.bound <= self.background_above:
            done: Future[Counts] = Future()
            done.set_result(self.count(searcher, counted, spec, estimates, fields))
            return done
        with self._lock:
            # A forked worker (gunicorn --preload) inherits the executor but not its thread.
            if self._executor is None or self._executor_pid != os.getpid():
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="search-facets")
                self._executor_pid = os.getpid()
            return self._executor.submit(self.count, searcher, counted, spec, estimates, fields)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


def count_spec(facets: tuple[str, ...]) -> dict[str, Any]:
    spec: dict[str, Any] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in facets}
    spec[TOTAL_AGG[0]] = TOTAL_AGG[1]
    return spec


def sampled(counted: tantivy.Query) -> tantivy.Query:
    """``counted`` restricted to the 1-in-``SAMPLE_RATE`` sample."""
    return all_of([counted, tantivy.Query.term_query(SCHEMA, "sample", IN_SAMPLE)])


def round_estimate(value: float) -> int:
    """An estimated count to three significant figures (no false precision)."""
    if value < 1000:
        return round(value)
    return int(round(value, 2 - int(math.log10(value))))


def sampled_total(raw: Mapping[str, Any]) -> int:
    return int(raw[TOTAL_AGG[0]]["value"] or 0)


def read_counts(raw: Mapping[str, Any], fields: tuple[str, ...], scale: float = 1.0
                ) -> tuple[int, dict[str, list[tuple[str | int, int]]]]:
    """(total, facets) from an aggregation result, scaled up when it ran on the sample."""

    def scaled(count: Any) -> int:
        return int(count) if scale == 1.0 else round_estimate(int(count) * scale)

    facets: dict[str, list[tuple[str | int, int]]] = {}
    for name in fields:
        buckets = raw.get(name, {}).get("buckets", [])
        facets[name] = facet_list(
            (int(b["key"]) if name == "urgency" else b["key"], scaled(b["doc_count"]))
            for b in buckets
        )
    return scaled(sampled_total(raw)), facets

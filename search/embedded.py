"""The default search backend: a tantivy index in a directory on local disk.

Layout of ``root``::

    CURRENT            name of the live generation (replaced atomically)
    gen-<stamp>-<rand>/ one complete tantivy index, plus jiujinan.json (analyzer id)

A rebuild fills a new generation while searches keep reading the live one, then replaces
``CURRENT``; every reader (in this process or another) reads ``CURRENT`` on each search and
moves over. Text fields hold our own analysis (space-joined tokens, tantivy's whitespace
tokenizer), so tantivy never segments Chinese itself.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from .backend import SearchUnavailable
from .documents import Health, Hit, SearchDocument, SearchQuery, SearchResult
from .embedded_queries import (
    EXACT_COUNT_LIMIT,
    IN_SAMPLE,
    SCHEMA,
    MatchEstimates,
    as_typed_when_broad,
    build_queries,
    count_spec,
    filter_share,
    match_estimates,
    passes_filters,
    read_counts,
    sampled,
    sampled_total,
    text_queries,
    to_tantivy,
)
from .highlight import highlight, snippet
from .indexing import LAYOUT_VERSION, AnalyzedDocument, analyze_document, analyze_documents
from .query_plan import QueryPlan, plan_query
from .segmenter import ANALYZER_ID

__all__ = ["EXACT_COUNT_LIMIT", "EmbeddedBackend"]

log = logging.getLogger(__name__)

_CURRENT = "CURRENT"
_META = "jiujinan.json"
# Most unfiltered candidates ranked before filtering in Python instead (see search()), and
# the least ratio of documents the filters keep to documents the text may match for that
# (measured: an intersection costs about five times a walk per posting it visits).
_MAX_POST_FILTER_CANDIDATES = 1000
_POST_FILTER_MIN_RATIO = 0.2


# (total, facet counts, whether both are estimates) of one query.
Counts = tuple[int, dict[str, list[tuple[str | int, int]]], bool]
# One hit of tantivy's top-k: (score or sort value, where the document is).
RankedHit = tuple[Any, tantivy.DocAddress]


def _is_lock_busy(error: Exception) -> bool:
    return "LockBusy" in str(error)


def _payload(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The stored document at ``address`` (:meth:`SearchDocument.to_payload`)."""
    raw = searcher.doc(address).get_first("payload")
    if not isinstance(raw, bytes):
        # ValueError, like tantivy's own errors: search() answers it as SearchUnavailable.
        raise ValueError(f"search document {address} has no stored payload")  # noqa: TRY004
    payload: dict[str, Any] = json.loads(raw)
    return payload


class EmbeddedBackend:
    """Tantivy index under ``root``; see the module docstring for the layout.

    ``writer_heap`` and ``writer_threads`` tune incremental writes; rebuilds use
    ``rebuild_heap`` and ``workers`` analysis processes. ``lock_timeout`` is how long a
    write waits for another process's writer before raising :class:`SearchUnavailable`.
    Totals and facet counts are exact up to ``exact_count_limit`` matches and estimated
    from a sample above it (see :meth:`_count`).
    """

    name = "embedded"

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        writer_heap: int = 50_000_000,
        writer_threads: int = 1,
        rebuild_heap: int = 400_000_000,
        workers: int = 1,
        lock_timeout: float = 10.0,
        exact_count_limit: int = EXACT_COUNT_LIMIT,
    ) -> None:
        self.root = Path(root)
        self.exact_count_limit = exact_count_limit
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self.rebuild_heap = rebuild_heap
        self.workers = workers
        self.lock_timeout = lock_timeout
        self._state_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._live: tuple[str, tantivy.Index] | None = None
        # While a rebuild runs, incremental writes are also recorded here and replayed into
        # the new generation before it goes live, so none are lost by the swap.
        self._pending: list[tuple[str, list[Any]]] | None = None
        self._counter: ThreadPoolExecutor | None = None
        self._counter_pid = 0
        try:
            if self._read_current() is None:
                self._create_empty_live()
        except OSError:
            log.warning("search index directory %s is not usable yet", self.root)

    # -- generations -------------------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            name = (self.root / _CURRENT).read_text("ascii").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _read_meta(self, name: str) -> dict[str, Any]:
        try:
            meta = json.loads((self.root / name / _META).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{secrets.token_hex(3)}"
        path = self.root / name
        path.mkdir(parents=True)
        meta = {"analyzer": ANALYZER_ID, "schema": LAYOUT_VERSION}
        (path / _META).write_text(json.dumps(meta), "utf-8")
        return name, tantivy.Index(SCHEMA, path=str(path), reuse=False)

    def _publish(self, name: str) -> None:
        tmp = self.root / f"{_CURRENT}.{secrets.token_hex(4)}.tmp"
        tmp.write_text(name, "ascii")
        os.replace(tmp, self.root / _CURRENT)

    def _create_empty_live(self) -> None:
        with self._state_lock:
            if self._read_current() is not None:
                return
            name, index = self._new_generation()
            self._publish(name)
            self._live = (name, index)

    def _live_index(self) -> tuple[str, tantivy.Index]:
        """The live generation, reopened when ``CURRENT`` changed; raises if unavailable."""
        try:
            name = self._read_current()
        except OSError as error:
            raise SearchUnavailable("搜索索引目录无法读取") from error
        if name is None:
            raise SearchUnavailable("搜索索引不存在或已被删除，请重建索引")
        live = self._live
        if live is not None and live[0] == name:
            return live
        with self._state_lock:
            if self._live is not None and self._live[0] == name:
                return self._live
            path = self.root / name
            if not (path / "meta.json").exists():
                raise SearchUnavailable("搜索索引已损坏或不完整，请重建索引")
            if self._read_meta(name).get("schema") != LAYOUT_VERSION:
                raise SearchUnavailable("搜索索引的格式已更新，请重建索引")
            try:
                index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            except (OSError, ValueError) as error:
                raise SearchUnavailable("搜索索引无法打开，请重建索引") from error
            self._live = (name, index)
            return self._live

    def _writable_index(self) -> tantivy.Index:
        """The live index, recreated empty if the directory disappeared."""
        try:
            return self._live_index()[1]
        except SearchUnavailable:
            name = self._read_current()
            if name is not None and (self.root / name).exists():
                raise  # present but unreadable: leave it for an operator or a rebuild
        with self._state_lock:
            self._live = None
            try:
                os.remove(self.root / _CURRENT)
            except FileNotFoundError:
                pass
            log.warning("search index under %s was missing; starting an empty one", self.root)
            self._create_empty_live()
        return self._live_index()[1]

    # -- writing -----------------------------------------------------------------------

    def _writer(self, index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as error:
                if not _is_lock_busy(error) or time.monotonic() >= deadline:
                    raise SearchUnavailable("搜索索引正被其他进程写入，请稍后重试") from error
                time.sleep(0.05)

    def _write(self, index: tantivy.Index, apply: Callable[[tantivy.IndexWriter], int]) -> int:
        with self._write_lock:
            writer = self._writer(index, self.writer_heap, self.writer_threads)
            try:
                written = apply(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            index.reload()
        return written

    @staticmethod
    def _upsert(writer: tantivy.IndexWriter, docs: list[AnalyzedDocument]) -> int:
        for item in docs:
            writer.delete_documents_by_term("uid", item.document.uid)
            writer.add_document(to_tantivy(item))
        return len(docs)

    @staticmethod
    def _remove(writer: tantivy.IndexWriter, uids: list[str]) -> int:
        for uid in uids:
            writer.delete_documents_by_term("uid", uid)
        return len(uids)

    def _record(self, op: str, payload: list[Any]) -> None:
        with self._state_lock:
            if self._pending is not None:
                self._pending.append((op, payload))

    def index_many(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        """Add or replace ``docs`` (keyed by kind and id); searchable when this returns."""
        analysed = [analyze_document(doc) for doc in docs]
        if not analysed:
            return 0
        self._record("index", analysed)
        index = self._writable_index()
        return self._write(index, lambda writer: self._upsert(writer, analysed))

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        """Remove the documents of ``kind`` with these ids; missing ones are ignored."""
        uids = [f"{kind}:{doc_id}" for doc_id in ids]
        if not uids:
            return 0
        self._record("delete", uids)
        index = self._writable_index()
        return self._write(index, lambda writer: self._remove(writer, uids))

    def rebuild(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        """Build a new generation from ``docs`` and make it live; searches go on meanwhile."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._state_lock:
            if self._pending is not None:
                raise SearchUnavailable("已有索引重建正在进行")
            self._pending = []
        name, index = None, None
        try:
            name, index = self._new_generation()
            writer = self._writer(index, self.rebuild_heap, 0)
            committed = False
            count = 0
            try:
                for item in analyze_documents(docs, workers=self.workers):
                    writer.add_document(to_tantivy(item))
                    count += 1
                with self._state_lock:
                    # Replay writes that reached the old generation during the build.
                    for op, payload in self._pending:
                        if op == "index":
                            self._upsert(writer, payload)
                        else:
                            self._remove(writer, payload)
                    writer.commit()
                    writer.wait_merging_threads()
                    committed = True
                    index.reload()
                    previous = self._read_current()
                    self._publish(name)
                    self._live = (name, index)
                    self._pending = None
            finally:
                if not committed:
                    writer.rollback()
                    writer.wait_merging_threads()
        except BaseException:
            with self._state_lock:
                self._pending = None
            if name is not None:
                shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        if previous and previous != name:
            shutil.rmtree(self.root / previous, ignore_errors=True)
        self._remove_stale_generations(keep=name)
        return count

    def _remove_stale_generations(self, *, keep: str, older_than: float = 3600.0) -> None:
        """Delete generations left by crashed rebuilds (old enough not to be in progress)."""
        cutoff = time.time() - older_than
        for path in self.root.glob("gen-*"):
            if path.name != keep and path.is_dir() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)

    def clear(self) -> None:
        """Make an empty generation live."""
        self.rebuild(())

    # -- reading -----------------------------------------------------------------------

    def count(self) -> int:
        return self._live_index()[1].searcher().num_docs

    def _count(
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

    def _count_in_background(
        self,
        searcher: tantivy.Searcher,
        counted: tantivy.Query,
        spec: dict[str, Any],
        estimates: MatchEstimates,
        fields: tuple[str, ...],
    ) -> Future[Counts]:
        # tantivy releases the GIL, so on a multi-core machine the total and facet pass
        # runs beside the top-k pass instead of after it.
        with self._state_lock:
            # A forked worker (gunicorn --preload) inherits the executor but not its thread.
            if self._counter is None or self._counter_pid != os.getpid():
                self._counter = ThreadPoolExecutor(1, thread_name_prefix="search-facets")
                self._counter_pid = os.getpid()
            return self._counter.submit(self._count, searcher, counted, spec, estimates, fields)

    # -- ranking ---------------------------------------------------------------------

    def _post_filter_candidates(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        plan: QueryPlan,
        estimates: MatchEstimates,
    ) -> int:
        """How many unfiltered hits to rank for :meth:`_post_filtered_page`; 0 for never.

        Only for relevance order, with text and filters on single-valued fields, when the
        filters keep many documents for the text's postings. An intersection seeks through
        the text's postings once per document of the filter, which costs several times a
        plain walk of them (where tantivy can also skip blocks that cannot reach the top),
        so ranking one word alone wins unless the filter is much shorter than its postings.
        """
        if query.sort != "relevance" or estimates.text_bound is None or not query.filters:
            return 0
        share = filter_share(searcher, query)
        if not share:
            return 0
        # One word is walked; several are intersected already, and then the filter only
        # pays for itself when it is the shortest list, which the intersection walks.
        single = len(plan.units) == 1 and len(plan.units[0]) == 1
        ratio = _POST_FILTER_MIN_RATIO if single else 1.0
        if share * searcher.num_docs < ratio * estimates.text_bound:
            return 0
        candidates = math.ceil((query.offset + query.per_page) / share * 2) + 20
        return candidates if candidates <= _MAX_POST_FILTER_CANDIDATES else 0

    def _post_filtered_page(
        self, searcher: tantivy.Searcher, ranked: tantivy.Query, query: SearchQuery, candidates: int
    ) -> list[RankedHit] | None:
        """The page of the filtered query, taken from the top unfiltered hits; None if short.

        Exact: the filtered ranking is the unfiltered one with other documents left out
        (filters score 0; equal scores go by document address in both), so once the top
        ``candidates`` hold a page's worth of documents that pass, they are the filtered
        top. A broad filter on a common word is thus ranked at the cost of ranking the word
        alone.
        """
        hits = searcher.search(ranked, candidates, count=False).hits
        if not hits:
            return []
        keep = passes_filters(searcher, [address for _, address in hits], query.filters)
        passed = [hit for hit, k in zip(hits, keep) if k]
        end = query.offset + query.per_page
        if len(passed) < end and len(hits) == candidates:
            return None  # the filtered top may lie further down: rank with the filters
        return passed[query.offset : end]

    def _hit(
        self,
        searcher: tantivy.Searcher,
        address: tantivy.DocAddress,
        terms: tuple[str, ...],
        score: float,
    ) -> Hit:
        doc = SearchDocument.from_payload(_payload(searcher, address))
        return Hit(
            kind=doc.kind,
            id=doc.id,
            title=doc.title,
            title_html=highlight(doc.title, terms),
            snippet=snippet(doc.body, terms),
            score=score,
            document=doc,
        )

    def search(self, query: SearchQuery) -> SearchResult:
        """Run ``query``; raises :class:`SearchUnavailable` if the index cannot be read.

        Two passes over the matches, run side by side: top-k without counting (so tantivy
        can skip documents that cannot reach the page), and one aggregation that counts
        the matches and facet values without scoring (see :meth:`_count`).
        """
        _, index = self._live_index()
        plan = plan_query(query.text, relaxed=query.relaxed, expand=query.expand)
        try:
            searcher = index.searcher()
            plan = as_typed_when_broad(searcher, query, plan)
            tq, counted_q, unfiltered = build_queries(query, plan)
            order_by: str | None = None
            if query.sort == "newest":
                order_by = "created"
            elif query.sort == "urgency" or plan.is_empty:
                order_by = "rank_urgent"
            estimates = match_estimates(searcher, query, plan)
            counted = self._count_in_background(
                searcher, counted_q, count_spec(query.facets), estimates, query.facets
            )
            try:
                page: list[RankedHit] | None = None
                candidates = self._post_filter_candidates(searcher, query, plan, estimates)
                if candidates and unfiltered is not None:
                    page = self._post_filtered_page(searcher, unfiltered, query, candidates)
                if page is None:
                    page = searcher.search(
                        tq, query.per_page, count=False, order_by_field=order_by,
                        offset=query.offset,
                    ).hits
                terms = plan.terms
                hits = [
                    self._hit(searcher, address, terms, 0.0 if order_by else float(score))
                    for score, address in page
                ]
            finally:
                total, facets, estimated = counted.result()
        except (OSError, ValueError) as error:
            log.exception("embedded search failed")
            raise SearchUnavailable("搜索暂时不可用") from error
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            estimated=estimated,
        )

    def titles(self, text: str, limit: int = 5) -> list[str]:
        """Titles of the top ``limit`` documents for ``text`` (expanded), for suggestions.

        Ranking only: no counting pass, no highlighting.
        """
        plan = plan_query(text, expand=True)
        if plan.is_empty:
            return []
        _, index = self._live_index()
        try:
            searcher = index.searcher()
            plan = as_typed_when_broad(searcher, SearchQuery(text=text), plan)
            ranked, _ = text_queries(plan)
            hits = searcher.search(ranked, limit, count=False).hits
            return [str(_payload(searcher, address)["title"]) for _, address in hits]
        except (OSError, ValueError) as error:
            log.exception("embedded suggestion failed")
            raise SearchUnavailable("搜索暂时不可用") from error

    def health(self) -> Health:
        """Report whether the live index opens, its size, and whether it needs a rebuild."""
        try:
            name, index = self._live_index()
            count = index.searcher().num_docs
        except SearchUnavailable as error:
            return Health(False, self.name, str(error), None, str(self.root))
        if self._read_meta(name).get("analyzer") != ANALYZER_ID:
            return Health(
                True, self.name, "索引的分词方式已更新，请重建索引", count, str(self.root)
            )
        return Health(True, self.name, "正常", count, str(self.root))

    def close(self) -> None:
        with self._state_lock:
            self._live = None
            counter, self._counter = self._counter, None
        if counter is not None:
            counter.shutdown(wait=True)

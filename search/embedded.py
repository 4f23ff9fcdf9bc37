"""The default search backend: a tantivy index in a directory on local disk.

The backend contract is :class:`search.backend.SearchBackend`; this class is its embedded
implementation, and holds the parts together:

- :mod:`search.embedded_store`: the generations on disk (a rebuild fills a new one while
  searches read the live one) and tantivy writers on them;
- :mod:`search.embedded_schema`: what is stored per document;
- :mod:`search.embedded_queries`: the tantivy queries a :class:`QueryPlan` becomes;
- :mod:`search.embedded_search`: answering a query (the page, post-filtering, the hits);
- :mod:`search.embedded_counts`: totals and facet counts, exact or estimated from a sample.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .backend import SearchUnavailable
from .documents import Health, SearchDocument, SearchQuery, SearchResult
from .embedded_counts import EXACT_COUNT_LIMIT, Counter
from .embedded_schema import to_tantivy
from .embedded_search import run_search, top_titles
from .embedded_store import Generations, remove, upsert
from .indexing import AnalyzedDocument, analyze_document, analyze_documents
from .query_plan import plan_query
from .segmenter import ANALYZER_ID

__all__ = ["EXACT_COUNT_LIMIT", "EmbeddedBackend"]

log = logging.getLogger(__name__)


class EmbeddedBackend:
    """Tantivy index under ``root``; see :mod:`search.embedded_store` for the layout.

    ``writer_heap`` and ``writer_threads`` tune incremental writes; rebuilds use
    ``rebuild_heap`` and ``workers`` analysis processes. ``lock_timeout`` is how long a
    write waits for another process's writer before raising :class:`SearchUnavailable`.
    Totals and facet counts are exact up to ``exact_count_limit`` matches and estimated
    from a sample above it (see :meth:`search.embedded_counts.Counter.count`).
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
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self.rebuild_heap = rebuild_heap
        self.workers = workers
        self.lock_timeout = lock_timeout
        self._generations = Generations(self.root, lock_timeout=lock_timeout)
        self._counter = Counter(exact_count_limit)
        # While a rebuild runs, incremental writes are also recorded here and replayed into
        # the new generation before it goes live, so none are lost by the swap.
        self._pending: list[tuple[str, list[Any]]] | None = None
        self._pending_lock = self._generations.state_lock
        try:
            if self._generations.read_current() is None:
                self._generations.create_empty_live()
        except OSError:
            log.warning("search index directory %s is not usable yet", self.root)

    @property
    def exact_count_limit(self) -> int:
        """Queries matching more documents than this may be counted on the sample."""
        return self._counter.exact_count_limit

    @exact_count_limit.setter
    def exact_count_limit(self, value: int) -> None:
        self._counter.exact_count_limit = value

    # -- writing -----------------------------------------------------------------------

    def _record(self, op: str, payload: list[Any]) -> None:
        with self._pending_lock:
            if self._pending is not None:
                self._pending.append((op, payload))

    def index_many(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        """Add or replace ``docs`` (keyed by kind and id); searchable when this returns."""
        analysed = [analyze_document(doc) for doc in docs]
        if not analysed:
            return 0
        self._record("index", analysed)
        index = self._generations.writable()
        return self._generations.write(
            index, lambda writer: upsert(writer, analysed),
            heap=self.writer_heap, threads=self.writer_threads,
        )

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        """Remove the documents of ``kind`` with these ids; missing ones are ignored."""
        uids = [f"{kind}:{doc_id}" for doc_id in ids]
        if not uids:
            return 0
        self._record("delete", uids)
        index = self._generations.writable()
        return self._generations.write(
            index, lambda writer: remove(writer, uids),
            heap=self.writer_heap, threads=self.writer_threads,
        )

    def rebuild(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        """Build a new generation from ``docs`` and make it live; searches go on meanwhile."""
        generations = self._generations
        self.root.mkdir(parents=True, exist_ok=True)
        with self._pending_lock:
            if self._pending is not None:
                raise SearchUnavailable("已有索引重建正在进行")
            self._pending = []
        name = None
        try:
            name, index = generations.new_generation()
            writer = generations.writer(index, self.rebuild_heap, 0)
            committed = False
            count = 0
            try:
                for item in analyze_documents(docs, workers=self.workers):
                    writer.add_document(to_tantivy(item))
                    count += 1
                with self._pending_lock:
                    # Replay writes that reached the old generation during the build.
                    for op, payload in self._pending:
                        if op == "index":
                            upsert(writer, payload)
                        else:
                            remove(writer, payload)
                    writer.commit()
                    writer.wait_merging_threads()
                    committed = True
                    index.reload()
                    previous = generations.publish(name, index)
                    self._pending = None
            finally:
                if not committed:
                    writer.rollback()
                    writer.wait_merging_threads()
        except BaseException:
            with self._pending_lock:
                self._pending = None
            if name is not None:
                generations.remove(name)
            raise
        if previous and previous != name:
            generations.remove(previous)
        generations.remove_stale(keep=name)
        return count

    def clear(self) -> None:
        """Make an empty generation live."""
        self.rebuild(())

    # -- reading -----------------------------------------------------------------------

    def count(self) -> int:
        return self._generations.live()[1].searcher().num_docs

    def search(self, query: SearchQuery) -> SearchResult:
        """Run ``query`` (see :func:`search.embedded_search.run_search`); raises
        :class:`SearchUnavailable` if the index cannot be read."""
        _, index = self._generations.live()
        try:
            return run_search(index.searcher(), query, self._counter)
        except (OSError, ValueError) as error:
            log.exception("embedded search failed")
            raise SearchUnavailable("搜索暂时不可用") from error

    def titles(self, text: str, limit: int = 5) -> list[str]:
        """Titles of the top ``limit`` documents for ``text`` (expanded), for suggestions."""
        plan = plan_query(text, expand=True)
        if plan.is_empty:
            return []
        _, index = self._generations.live()
        try:
            return top_titles(index.searcher(), text, plan, limit)
        except (OSError, ValueError) as error:
            log.exception("embedded suggestion failed")
            raise SearchUnavailable("搜索暂时不可用") from error

    def health(self) -> Health:
        """Report whether the live index opens, its size, and whether it needs a rebuild."""
        try:
            name, index = self._generations.live()
            count = index.searcher().num_docs
        except SearchUnavailable as error:
            return Health(False, self.name, str(error), None, str(self.root))
        if self._generations.read_meta(name).get("analyzer") != ANALYZER_ID:
            return Health(
                True, self.name, "索引的分词方式已更新，请重建索引", count, str(self.root)
            )
        return Health(True, self.name, "正常", count, str(self.root))

    def close(self) -> None:
        self._generations.forget()
        self._counter.close()

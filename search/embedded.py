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

import itertools
import json
import logging
import math
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import tantivy

from .analysis import ANALYZER_ID, QueryPlan, plan_query
from .backend import SearchUnavailable
from .documents import (
    Health,
    Hit,
    SearchDocument,
    SearchQuery,
    SearchResult,
    facet_list,
)
from .highlight import highlight, snippet
from .indexing import AnalyzedDocument, analyze_document, analyze_documents, urgency_rank

__all__ = ["EmbeddedBackend"]

log = logging.getLogger(__name__)

_CURRENT = "CURRENT"
_META = "jiujinan.json"
_KEYWORD_FIELDS = ("kind", "category", "town", "status")
_TITLE_BOOST = 2.0
_SUBWORD_WEIGHT = 0.5
_FACET_SIZE = 1000
# Above this many combinations of groups, the "at least k of n groups" rewrite in
# _text_query would cost more than tantivy's own minimum-should-match scorer.
_MAX_MSM_COMBINATIONS = 64
# Every document has this single-valued fast field, so counting its values counts matches.
_TOTAL_AGG = ("_total", {"value_count": {"field": "rank_urgent"}})


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uid", tokenizer_name="raw", index_option="basic")
    for name in _KEYWORD_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_tokens", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("body_tokens", tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("urgency", indexed=True, fast=True)
    builder.add_integer_field("rank_urgent", fast=True)
    builder.add_integer_field("created", fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


_SCHEMA = _schema()


def _to_tantivy(item: AnalyzedDocument) -> tantivy.Document:
    doc = item.document
    out = tantivy.Document()
    out.add_text("uid", doc.uid)
    out.add_text("kind", doc.kind)
    for category in doc.all_categories:
        out.add_text("category", category)
    if doc.town:
        out.add_text("town", doc.town)
    if doc.status:
        out.add_text("status", doc.status)
    out.add_text("title_tokens", item.title_tokens)
    out.add_text("body_tokens", item.body_tokens)
    if doc.urgency is not None:
        out.add_integer("urgency", doc.urgency)
    out.add_integer("rank_urgent", urgency_rank(doc))
    out.add_integer("created", int(doc.created_at.timestamp()))
    out.add_bytes("payload", json.dumps(doc.to_payload(), ensure_ascii=False).encode())
    return out


def _is_lock_busy(error: Exception) -> bool:
    return "LockBusy" in str(error)


class EmbeddedBackend:
    """Tantivy index under ``root``; see the module docstring for the layout.

    ``writer_heap`` and ``writer_threads`` tune incremental writes; rebuilds use
    ``rebuild_heap`` and ``workers`` analysis processes. ``lock_timeout`` is how long a
    write waits for another process's writer before raising :class:`SearchUnavailable`.
    """

    name = "embedded"

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        writer_heap: int = 50_000_000,
        writer_threads: int = 1,
        rebuild_heap: int = 400_000_000,
        workers: int = 1,
        lock_timeout: float = 10.0,
    ) -> None:
        self.root = Path(root)
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
        self._pending: list[tuple[str, list]] | None = None
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

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{secrets.token_hex(3)}"
        path = self.root / name
        path.mkdir(parents=True)
        (path / _META).write_text(json.dumps({"analyzer": ANALYZER_ID}), "utf-8")
        return name, tantivy.Index(_SCHEMA, path=str(path), reuse=False)

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
            try:
                index = tantivy.Index(_SCHEMA, path=str(path), reuse=True)
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

    def _writer(self, index: tantivy.Index, heap: int, threads: int):
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as error:
                if not _is_lock_busy(error) or time.monotonic() >= deadline:
                    raise SearchUnavailable("搜索索引正被其他进程写入，请稍后重试") from error
                time.sleep(0.05)

    def _write(self, index: tantivy.Index, apply: Callable[[object], int]) -> int:
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
    def _upsert(writer, docs: list[AnalyzedDocument]) -> int:
        for item in docs:
            writer.delete_documents_by_term("uid", item.document.uid)
            writer.add_document(_to_tantivy(item))
        return len(docs)

    @staticmethod
    def _remove(writer, uids: list[str]) -> int:
        for uid in uids:
            writer.delete_documents_by_term("uid", uid)
        return len(uids)

    def _record(self, op: str, payload: list) -> None:
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
            count = 0
            try:
                for item in analyze_documents(docs, workers=self.workers):
                    writer.add_document(_to_tantivy(item))
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
                    writer = None
                    index.reload()
                    previous = self._read_current()
                    self._publish(name)
                    self._live = (name, index)
                    self._pending = None
            finally:
                if writer is not None:
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

    def _text_query(self, plan: QueryPlan) -> tuple[tantivy.Query, tantivy.Query]:
        """(query to rank with, query with the same matches that skips scoring)."""
        group_clauses = []
        for group in plan.groups:
            clauses = []
            for position, token in enumerate(group):
                weight = 1.0 if position == 0 else _SUBWORD_WEIGHT
                title = tantivy.Query.term_query(_SCHEMA, "title_tokens", token, "freq")
                body = tantivy.Query.term_query(_SCHEMA, "body_tokens", token, "freq")
                clauses.append(
                    (tantivy.Occur.Should, tantivy.Query.boost_query(title, weight * _TITLE_BOOST))
                )
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(body, weight)))
            group_clauses.append(clauses)
        groups = [tantivy.Query.boolean_query(clauses) for clauses in group_clauses]
        need = plan.minimum_should_match
        if need >= len(groups):
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, g) for g in groups])
            return query, query
        if math.comb(len(groups), need) > _MAX_MSM_COMBINATIONS:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, g) for g in groups], minimum_number_should_match=need
            )
            return query, query
        # "At least `need` of the groups". tantivy's minimum-should-match scorer walks the
        # union of every group's postings, most of the corpus when a group is a common word,
        # however few documents match in the end. The same set is the union of the
        # conjunctions of every `need` groups, each of which leapfrogs along its rarest
        # group. Ranking keeps that set (at score 0) and adds every term clause as optional,
        # so a match still scores the sum of the groups it contains.
        matches = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boolean_query([(tantivy.Occur.Must, g) for g in combo]),
                )
                for combo in itertools.combinations(groups, need)
            ]
        )
        ranked = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(matches, 0.0))]
            + [clause for clauses in group_clauses for clause in clauses]
        )
        return ranked, matches

    @staticmethod
    def _filter_queries(filters) -> list[tantivy.Query]:
        queries = []
        for name, values in filters.items():
            if name == "urgency_min":
                query = tantivy.Query.range_query(
                    _SCHEMA, "urgency", tantivy.FieldType.Integer, values[0], None
                )
            elif name == "urgency":
                query = tantivy.Query.term_set_query(_SCHEMA, "urgency", list(values))
            else:
                query = tantivy.Query.term_set_query(_SCHEMA, name, list(values))
            queries.append(tantivy.Query.const_score_query(query, 0.0))
        return queries

    def _build_query(
        self, query: SearchQuery, plan: QueryPlan
    ) -> tuple[tantivy.Query, tantivy.Query]:
        """(query to rank the page with, query to count with); both match the same docs."""
        filters = [(tantivy.Occur.Must, q) for q in self._filter_queries(query.filters)]
        if plan.is_empty:
            if not filters:
                return tantivy.Query.all_query(), tantivy.Query.all_query()
            filtered = tantivy.Query.boolean_query(filters)
            return filtered, filtered
        ranked, matches = self._text_query(plan)
        return (
            tantivy.Query.boolean_query([*filters, (tantivy.Occur.Must, ranked)]),
            tantivy.Query.boolean_query([*filters, (tantivy.Occur.Must, matches)]),
        )

    @staticmethod
    def _aggregations(query: SearchQuery) -> dict:
        spec = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in query.facets}
        spec[_TOTAL_AGG[0]] = _TOTAL_AGG[1]
        return spec

    @staticmethod
    def _read_aggregations(raw: dict, fields: tuple[str, ...]) -> tuple[int, dict]:
        facets = {}
        for name in fields:
            buckets = raw.get(name, {}).get("buckets", [])
            facets[name] = facet_list(
                (int(b["key"]) if name == "urgency" else b["key"], int(b["doc_count"]))
                for b in buckets
            )
        return int(raw[_TOTAL_AGG[0]]["value"] or 0), facets

    def _count_in_background(self, searcher, tq: tantivy.Query, spec: dict):
        # tantivy releases the GIL, so on a multi-core machine the total and facet pass
        # runs beside the top-k pass instead of after it.
        with self._state_lock:
            # A forked worker (gunicorn --preload) inherits the executor but not its thread.
            if self._counter is None or self._counter_pid != os.getpid():
                self._counter = ThreadPoolExecutor(1, thread_name_prefix="search-facets")
                self._counter_pid = os.getpid()
            return self._counter.submit(searcher.aggregate, tq, spec)

    def _hit(self, searcher, address, terms, score: float) -> Hit:
        payload = searcher.doc(address).get_first("payload")
        doc = SearchDocument.from_payload(json.loads(payload))
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
        every match and every facet value without scoring.
        """
        _, index = self._live_index()
        plan = plan_query(query.text)
        try:
            searcher = index.searcher()
            tq, counted_q = self._build_query(query, plan)
            options = {}
            if query.sort == "newest":
                options["order_by_field"] = "created"
            elif query.sort == "urgency" or plan.is_empty:
                options["order_by_field"] = "rank_urgent"
            counted = self._count_in_background(searcher, counted_q, self._aggregations(query))
            try:
                result = searcher.search(
                    tq, query.per_page, count=False, offset=query.offset, **options
                )
                terms = plan.terms
                hits = [
                    self._hit(searcher, address, terms, 0.0 if options else float(score))
                    for score, address in result.hits
                ]
            finally:
                raw = counted.result()
            total, facets = self._read_aggregations(raw, query.facets)
        except (OSError, ValueError) as error:
            log.exception("embedded search failed")
            raise SearchUnavailable("搜索暂时不可用") from error
        return SearchResult(
            total=total, hits=hits, facets=facets, page=query.page, per_page=query.per_page
        )

    def health(self) -> Health:
        """Report whether the live index opens, its size, and whether it needs a rebuild."""
        try:
            name, index = self._live_index()
            count = index.searcher().num_docs
        except SearchUnavailable as error:
            return Health(False, self.name, str(error), None, str(self.root))
        try:
            meta = json.loads((self.root / name / _META).read_text("utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("analyzer") != ANALYZER_ID:
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

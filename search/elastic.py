"""Elasticsearch backend (official client) for when one machine is outgrown.

It indexes the same pre-analysed tokens as the embedded backend (whitespace analyzer on
one token field holding the title twice and the body once, see
:data:`search.indexing.TITLE_WEIGHT`; keyword fields for filters and facets; the original
record kept in ``_source`` only), so results match across engines. Each full build goes into an index
named ``<prefix>-<UTC timestamp>-<random>``; readers use the alias ``<prefix>``, which a
rebuild moves in one atomic ``update_aliases`` call before dropping the old index.
Highlighting is done client-side on the original text (see :mod:`search.highlight`),
because Elasticsearch only sees the space-joined tokens.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from .backend import SearchUnavailable
from .documents import Health, Hit, SearchDocument, SearchQuery, SearchResult, facet_list
from .highlight import highlight, snippet
from .indexing import (
    LAYOUT_VERSION,
    AnalyzedDocument,
    analyze_document,
    analyze_documents,
    urgency_rank,
)
from .query_plan import QueryPlan, plan_query
from .segmenter import ANALYZER_ID
from .thesaurus import EXPANSION_BOOST, get_thesaurus

__all__ = ["ElasticBackend"]

_FACET_SIZE = 1000
_MAX_WINDOW = 10_000  # Elasticsearch's default index.max_result_window
# JSON bodies sent to and read from Elasticsearch.
Json = dict[str, Any]

_KEYWORD: Json = {"type": "keyword"}
_TOKENS: Json = {"type": "text", "analyzer": "whitespace", "index_options": "freqs", "norms": True}

MAPPINGS: Json = {
    "dynamic": "strict",
    "_meta": {"analyzer": ANALYZER_ID, "schema": LAYOUT_VERSION},
    "properties": {
        "uid": _KEYWORD,
        "kind": _KEYWORD,
        "category": _KEYWORD,
        "town": _KEYWORD,
        "status": _KEYWORD,
        "text_tokens": _TOKENS,
        "urgency": {"type": "integer"},
        "rank_urgent": {"type": "long"},
        "created": {"type": "long"},
        "doc": {"type": "object", "enabled": False},
    },
}

_ENGINE_ERRORS = (ApiError, TransportError)


def _source(item: AnalyzedDocument) -> Json:
    doc = item.document
    return {
        "uid": doc.uid,
        "kind": doc.kind,
        "category": list(doc.all_categories),
        "town": doc.town,
        "status": doc.status,
        "text_tokens": item.text_tokens,
        "urgency": doc.urgency,
        "rank_urgent": urgency_rank(doc),
        "created": int(doc.created_at.timestamp()),
        "doc": doc.to_payload(),
    }


# The query-time analyzer that applies the thesaurus: whitespace tokens (the query word is
# one token already), then a synonym_graph filter with one explicit rule per word that has
# alternatives, the same alternatives the embedded backend expands to (thesaurus_rules).
THESAURUS_ANALYZER = "jj_thesaurus"


def thesaurus_rules() -> list[str]:
    """Solr-format rules ``word => word, alternative, ...`` for every thesaurus term and
    every pinyin spelling of one, as :meth:`search.thesaurus.Thesaurus.expand` gives them."""
    thesaurus = get_thesaurus()
    rules = []
    for word in (*thesaurus.terms, *thesaurus.pinyin_spellings):
        alternatives = thesaurus.expand(word)
        if alternatives:
            rules.append(f"{word} => {', '.join((word, *alternatives))}")
    return rules


def index_settings() -> Json:
    """Analysis settings of every index: the thesaurus analyzer used at query time."""
    return {
        "analysis": {
            "filter": {
                "jj_thesaurus_graph": {
                    "type": "synonym_graph",
                    "synonyms": thesaurus_rules(),
                    "lenient": False,
                }
            },
            "analyzer": {
                THESAURUS_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["jj_thesaurus_graph"],
                }
            },
        }
    }


def _group_query(group: tuple[str, ...], alternatives: tuple[str, ...] = ()) -> Json:
    # Every token of a group scores alike, as in the embedded backend.
    should: list[Json] = [{"term": {"text_tokens": t}} for t in group]
    if alternatives and not get_thesaurus().expand(group[0]):
        # A misspelt word's alternatives (the term it sounds like) are in no synonym rule.
        should.extend(
            {"term": {"text_tokens": {"value": t, "boost": EXPANSION_BOOST}}}
            for t in alternatives
        )
    elif alternatives:
        # The typed word through the synonym graph: its alternatives (and itself), boosted
        # below the exact terms.
        should.append(
            {
                "match": {
                    "text_tokens": {
                        "query": group[0],
                        "analyzer": THESAURUS_ANALYZER,
                        "boost": EXPANSION_BOOST,
                    }
                }
            }
        )
    return should[0] if len(should) == 1 else {"bool": {"should": should}}


def _text_query(plan: QueryPlan) -> Json:
    def group_query(group: tuple[str, ...]) -> Json:
        return _group_query(group, plan.alternatives(group))

    units = [
        group_query(unit[0]) if len(unit) == 1 else {"bool": {"must": list(map(group_query, unit))}}
        for unit in plan.units
    ]
    return {"bool": {"should": units, "minimum_should_match": plan.minimum_should_match}}


def _filters(filters: Mapping[str, tuple[Any, ...]]) -> list[Json]:
    clauses: list[Json] = []
    for name, values in filters.items():
        if name == "urgency_min":
            clauses.append({"range": {"urgency": {"gte": values[0]}}})
        else:
            clauses.append({"terms": {name: list(values)}})
    return clauses


class ElasticBackend:
    """Search backend on an Elasticsearch cluster at ``url``, behind alias ``index_prefix``."""

    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        index_prefix: str = "jiujinan",
        request_timeout: float = 10.0,
        chunk_size: int = 2000,
        workers: int = 1,
        number_of_replicas: int = 1,
        client: Elasticsearch | None = None,
    ) -> None:
        self.number_of_replicas = number_of_replicas
        self.url = url
        self.alias = index_prefix
        self.chunk_size = chunk_size
        self.workers = workers
        self.client = client or Elasticsearch(url, request_timeout=request_timeout)
        self._lock = threading.RLock()
        self._pending: list[tuple[str, list[Any]]] | None = None
        self._ready = False

    # -- indices and alias -------------------------------------------------------------

    def _new_index(self, *, bulk_load: bool) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S")
        name = f"{self.alias}-{stamp}-{secrets.token_hex(3)}"
        settings: Json = {
            "number_of_shards": 1,
            "number_of_replicas": self.number_of_replicas,
            **index_settings(),
        }
        if bulk_load:
            settings |= {"refresh_interval": "-1", "number_of_replicas": 0}
        self.client.indices.create(index=name, mappings=MAPPINGS, settings=settings)
        return name

    def _alias_targets(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def _ensure_alias(self) -> None:
        if self._ready:
            return
        with self._lock:
            try:
                if not self._alias_targets():
                    name = self._new_index(bulk_load=False)
                    self.client.indices.update_aliases(
                        actions=[{"add": {"index": name, "alias": self.alias}}]
                    )
            except _ENGINE_ERRORS as error:
                raise SearchUnavailable("搜索引擎无法连接") from error
            self._ready = True

    # -- writing -----------------------------------------------------------------------

    def _bulk(self, actions: list[Json], *, index: str | None = None) -> None:
        for action in actions:
            action["_index"] = index or self.alias
        _, errors = helpers.bulk(
            self.client, actions, refresh="wait_for", raise_on_error=False, stats_only=False
        )
        # With stats_only=False the second item is the list of failed actions.
        failed = errors if isinstance(errors, list) else []
        real = [e for e in failed if next(iter(e.values())).get("status") != 404]
        if real:
            raise SearchUnavailable("搜索索引写入失败") from RuntimeError(str(real[:3]))

    @staticmethod
    def _index_actions(items: list[AnalyzedDocument]) -> list[Json]:
        return [{"_op_type": "index", "_id": i.document.uid, "_source": _source(i)} for i in items]

    @staticmethod
    def _delete_actions(uids: list[str]) -> list[Json]:
        return [{"_op_type": "delete", "_id": uid} for uid in uids]

    def _record(self, op: str, payload: list[Any]) -> None:
        with self._lock:
            if self._pending is not None:
                self._pending.append((op, payload))

    def index_many(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        analysed = [analyze_document(doc) for doc in docs]
        if not analysed:
            return 0
        self._ensure_alias()
        self._record("index", analysed)
        try:
            self._bulk(self._index_actions(analysed))
        except _ENGINE_ERRORS as error:
            raise SearchUnavailable("搜索引擎无法连接") from error
        return len(analysed)

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        uids = [f"{kind}:{doc_id}" for doc_id in ids]
        if not uids:
            return 0
        self._ensure_alias()
        self._record("delete", uids)
        try:
            self._bulk(self._delete_actions(uids))
        except _ENGINE_ERRORS as error:
            raise SearchUnavailable("搜索引擎无法连接") from error
        return len(uids)

    def rebuild(self, docs: Iterable[SearchDocument | AnalyzedDocument]) -> int:
        """Load ``docs`` into a new index, then move the alias to it in one atomic call."""
        with self._lock:
            if self._pending is not None:
                raise SearchUnavailable("已有索引重建正在进行")
            self._pending = []
        name = None
        try:
            name = self._new_index(bulk_load=True)
            actions = (
                {"_op_type": "index", "_index": name, "_id": i.document.uid, "_source": _source(i)}
                for i in analyze_documents(docs, workers=self.workers)
            )
            count, _ = helpers.bulk(self.client, actions, chunk_size=self.chunk_size)
            self.client.indices.put_settings(
                index=name,
                settings={"refresh_interval": "1s", "number_of_replicas": self.number_of_replicas},
            )
            with self._lock:
                for op, payload in self._pending:
                    acts = (
                        self._index_actions(payload)
                        if op == "index"
                        else self._delete_actions(payload)
                    )
                    self._bulk(acts, index=name)
                self.client.indices.refresh(index=name)
                old = self._alias_targets()
                moves: list[Json] = [{"remove": {"index": o, "alias": self.alias}} for o in old]
                moves.append({"add": {"index": name, "alias": self.alias}})
                self.client.indices.update_aliases(actions=moves)
                self._pending = None
                self._ready = True
        except BaseException as error:
            with self._lock:
                self._pending = None
            if name is not None:
                try:
                    self.client.indices.delete(index=name, ignore_unavailable=True)
                except _ENGINE_ERRORS:
                    pass
            if isinstance(error, _ENGINE_ERRORS):
                raise SearchUnavailable("搜索引擎无法连接") from error
            raise
        for index in old:
            try:
                self.client.indices.delete(index=index, ignore_unavailable=True)
            except _ENGINE_ERRORS:
                pass
        return count

    def clear(self) -> None:
        self.rebuild(())

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests and decommissioning)."""
        for index in self._alias_targets():
            self.client.indices.delete(index=index, ignore_unavailable=True)
        self._ready = False

    # -- reading -----------------------------------------------------------------------

    def count(self) -> int:
        self._ensure_alias()
        try:
            return int(self.client.count(index=self.alias)["count"])
        except _ENGINE_ERRORS as error:
            raise SearchUnavailable("搜索引擎无法连接") from error

    def search(self, query: SearchQuery) -> SearchResult:
        self._ensure_alias()
        plan = plan_query(query.text, relaxed=query.relaxed, expand=query.expand)
        bool_query: Json = {"filter": _filters(query.filters)}
        if not plan.is_empty:
            bool_query["must"] = [_text_query(plan)]
        sort: list[Json | str]
        if query.sort == "newest":
            sort = [{"created": "desc"}]
        elif query.sort == "urgency" or plan.is_empty:
            sort = [{"rank_urgent": "desc"}]
        else:
            sort = ["_score"]
        past_window = query.offset + query.per_page > _MAX_WINDOW
        aggs = {f: {"terms": {"field": f, "size": _FACET_SIZE}} for f in query.facets}
        try:
            response = self.client.search(
                index=self.alias,
                query={"bool": bool_query},
                from_=0 if past_window else query.offset,
                size=0 if past_window else query.per_page,
                sort=sort,
                aggs=aggs or None,
                track_total_hits=True,
                source_includes=["doc"],
            )
        except _ENGINE_ERRORS as error:
            raise SearchUnavailable("搜索引擎无法连接") from error
        terms = plan.terms
        hits = []
        for raw in response["hits"]["hits"]:
            doc = SearchDocument.from_payload(raw["_source"]["doc"])
            hits.append(
                Hit(
                    kind=doc.kind,
                    id=doc.id,
                    title=doc.title,
                    title_html=highlight(doc.title, terms),
                    snippet=snippet(doc.body, terms),
                    score=float(raw.get("_score") or 0.0),
                    document=doc,
                )
            )
        facets = {}
        for name in query.facets:
            buckets = response.get("aggregations", {}).get(name, {}).get("buckets", [])
            facets[name] = facet_list(
                (int(b["key"]) if name == "urgency" else b["key"], int(b["doc_count"]))
                for b in buckets
            )
        return SearchResult(
            total=int(response["hits"]["total"]["value"]),
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
        )

    def titles(self, text: str, limit: int = 5) -> list[str]:
        """Titles of the top ``limit`` documents for ``text`` (expanded), for suggestions."""
        plan = plan_query(text, expand=True)
        if plan.is_empty:
            return []
        self._ensure_alias()
        try:
            response = self.client.search(
                index=self.alias,
                query=_text_query(plan),
                size=limit,
                track_total_hits=False,
                source_includes=["doc.title"],
            )
        except _ENGINE_ERRORS as error:
            raise SearchUnavailable("搜索引擎无法连接") from error
        return [raw["_source"]["doc"]["title"] for raw in response["hits"]["hits"]]

    def health(self) -> Health:
        try:
            status = self.client.cluster.health()["status"]
            targets = self._alias_targets()
            count = int(self.client.count(index=self.alias)["count"]) if targets else 0
        except _ENGINE_ERRORS:
            return Health(False, self.name, "搜索引擎无法连接", None, self.url)
        if status == "red":
            return Health(False, self.name, "搜索集群状态为红色", count, self.url)
        if targets:
            meta = self.client.indices.get_mapping(index=targets[0])[targets[0]]["mappings"]
            if meta.get("_meta", {}).get("schema") != LAYOUT_VERSION:
                return Health(True, self.name, "搜索索引的格式已更新，请重建索引", count, self.url)
            if meta.get("_meta", {}).get("analyzer") != ANALYZER_ID:
                return Health(True, self.name, "索引的分词方式已更新，请重建索引", count, self.url)
        return Health(True, self.name, "正常", count, self.url)

    def close(self) -> None:
        self.client.close()

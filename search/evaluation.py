"""Measuring search quality on judged queries: nDCG@10, recall@10 and the zero-result rate.

A judged query is free text and the documents (``kind:id``) a person judged relevant to it
(see ``tests/search/judged/``). Each query is run as the site runs it (a long query that finds
nothing is asked again relaxed), once plain (the words as typed) and once expanded (the
thesaurus and pinyin applied), on the same index.

* **nDCG@10**: binary gains, discounted by log2(rank + 1), over the ideal ordering.
* **recall@10**: relevant documents in the top ten, over ``min(relevant, 10)`` (a query with
  more than ten relevant documents can still reach 1).
* **zero-result rate**: queries (all have a relevant document) that found nothing.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .backend import SearchBackend
from .documents import SearchDocument, SearchQuery
from .query_plan import can_relax, plan_query

__all__ = ["JudgedQuery", "K", "Scores", "evaluate", "format_report", "load_judged", "score"]

K = 10


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    text: str
    group: str  # how it is asked: colloquial, broader, pinyin, typo, town, mixed, exact
    relevant: frozenset[str]  # "kind:id"


@dataclass(frozen=True, slots=True)
class Scores:
    queries: int
    ndcg: float
    recall: float
    zero_rate: float


def load_judged(folder: Path) -> tuple[list[JudgedQuery], list[SearchDocument]]:
    """The judged queries and the documents they were judged on, from ``folder``."""
    raw = json.loads((folder / "queries.json").read_text("utf-8"))
    queries = [JudgedQuery(q["q"], q["group"], frozenset(q["relevant"])) for q in raw]
    docs = json.loads((folder / "documents.json").read_text("utf-8"))
    return queries, [SearchDocument.from_payload(d) for d in docs]


def _ndcg(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, uid in enumerate(ranked[:K]) if uid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    return dcg / ideal if ideal else 0.0


def _recall(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    found = len(set(ranked[:K]) & relevant)
    return found / min(len(relevant), K) if relevant else 0.0


def _top(backend: SearchBackend, text: str, expand: bool) -> list[str]:
    query = SearchQuery(text=text, per_page=K, expand=expand)
    result = backend.search(query)
    if result.total == 0 and can_relax(plan_query(text)):
        result = backend.search(replace(query, relaxed=True))
    return [f"{hit.kind}:{hit.id}" for hit in result.hits]


def score(results: Iterable[tuple[JudgedQuery, list[str]]]) -> Scores:
    rows = [(_ndcg(r, q.relevant), _recall(r, q.relevant), not r) for q, r in results]
    n = len(rows) or 1
    return Scores(
        queries=len(rows),
        ndcg=sum(r[0] for r in rows) / n,
        recall=sum(r[1] for r in rows) / n,
        zero_rate=sum(r[2] for r in rows) / n,
    )


def evaluate(backend: SearchBackend, queries: Sequence[JudgedQuery]) -> dict[str, dict[str, Scores]]:
    """{"plain"|"expanded": {"all"|group: Scores}} for ``queries`` on ``backend``."""
    out: dict[str, dict[str, Scores]] = {}
    for mode, expand in (("plain", False), ("expanded", True)):
        results = [(q, _top(backend, q.text, expand)) for q in queries]
        by_group: dict[str, list[tuple[JudgedQuery, list[str]]]] = defaultdict(list)
        for row in results:
            by_group[row[0].group].append(row)
        out[mode] = {"all": score(results)} | {g: score(rows) for g, rows in sorted(by_group.items())}
    return out


def evaluate_snapshot(queries: Sequence[JudgedQuery], docs: Sequence[SearchDocument]
                      ) -> dict[str, dict[str, Scores]]:
    """:func:`evaluate` on a throw-away embedded index of the judged documents themselves."""
    from .embedded import EmbeddedBackend  # tantivy: loaded only when a snapshot is asked for
    with tempfile.TemporaryDirectory(prefix="judged-") as work:
        engine = EmbeddedBackend(Path(work) / "index")
        try:
            engine.rebuild(docs)
            return evaluate(engine, queries)
        finally:
            engine.close()


def format_report(report: dict[str, dict[str, Scores]]) -> str:
    """A table: one row per group, plain and expanded side by side."""
    lines = [
        f"{'queries':<12}{'n':>4}  {'nDCG@10':>17}  {'recall@10':>17}  {'zero-result':>17}",
        f"{'':<12}{'':>4}  {'plain  expanded':>17}  {'plain  expanded':>17}  {'plain  expanded':>17}",
    ]
    for group in report["plain"]:
        p, e = report["plain"][group], report["expanded"][group]
        lines.append(
            f"{group:<12}{p.queries:>4}  {p.ndcg:>7.3f}  {e.ndcg:>8.3f}  {p.recall:>7.3f}  "
            f"{e.recall:>8.3f}  {p.zero_rate:>7.1%}  {e.zero_rate:>8.1%}"
        )
    return "\n".join(lines)

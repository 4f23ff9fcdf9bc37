"""Search benchmark: embedded (tantivy) backend against SQLite FTS5 on the same analysed text.

Generates N synthetic needs, projects, funds, offers and schemes from a seed, then measures
  * analysis rate (jieba segmentation in search mode, ``--workers`` processes),
  * indexing rate of a full rebuild of each engine from the analysed documents,
  * latency of top-10 queries with text, filters and three facets, through the public
    ``search()`` API (which also loads and highlights the hits) for the embedded backend
    and through equivalent SQL (bm25 ranking, same filters, GROUP BY facets, same
    highlighting) for SQLite FTS5.
The embedded backend estimates totals and facet counts from its 1-in-16 sample for queries
matching over 10,000 documents (the hits stay exact); --exact-counts measures it counting
every match, as the SQLite baseline always does.

Example: python bench/search_bench.py --docs 100000 --queries 2000 --out /tmp/bench.json
(--corpus uniform for the older, much broader corpus; bench/corpus_zipf.py describes the default.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_corpus import CORPORA
from search_quality import (
    colloquial_queries,
    judged_report,
    paired_timings,
    suggest_prefixes,
    suggest_timings,
)

from search.documents import SearchQuery
from search.embedded import EXACT_COUNT_LIMIT, EmbeddedBackend
from search.highlight import highlight, snippet
from search.indexing import analyze_documents
from search.query_plan import plan_query
from search.segmenter import ANALYZER_ID

# -- SQLite FTS5 baseline ---------------------------------------------------------------


def sqlite_load(path: Path, analysed) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
        CREATE TABLE docs(id INTEGER PRIMARY KEY, uid TEXT, kind TEXT, category TEXT, town TEXT,
                          urgency INT, created INT, title TEXT, body TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title_tokens, body_tokens, content='',
                                            tokenize='unicode61 remove_diacritics 0');
        """
    )
    rows, fts_rows = [], []
    for rowid, item in enumerate(analysed, start=1):
        d = item.document
        rows.append(
            (
                rowid,
                d.uid,
                d.kind,
                d.category,
                d.town,
                d.urgency,
                int(d.created_at.timestamp()),
                d.title,
                d.body,
            )
        )
        fts_rows.append((rowid, item.title_tokens, item.body_tokens))
    with conn:
        conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany(
            "INSERT INTO fts(rowid, title_tokens, body_tokens) VALUES (?,?,?)", fts_rows
        )
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    return conn


def _fts_match(plan) -> str:
    def quote(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def group(tokens) -> str:
        return "(" + " OR ".join(quote(t) for t in tokens) + ")"

    units = ["(" + " AND ".join(map(group, unit)) + ")" for unit in plan.units]
    joiner = " AND " if plan.minimum_should_match >= len(units) else " OR "
    return joiner.join(units)


def sqlite_search(conn: sqlite3.Connection, query: SearchQuery) -> tuple[int, list, dict]:
    plan = plan_query(query.text)
    where, params = ["fts MATCH ?"], [_fts_match(plan)]
    for name, values in query.filters.items():
        if name == "urgency_min":
            where.append("d.urgency >= ?")
            params.append(values[0])
        else:
            where.append(f"d.{name} IN ({','.join('?' * len(values))})")
            params.extend(values)
    base = f"FROM fts JOIN docs d ON d.id = fts.rowid WHERE {' AND '.join(where)}"
    rows = conn.execute(
        f"SELECT d.title, d.body, d.uid {base} ORDER BY bm25(fts, 2.0, 1.0) LIMIT ? OFFSET ?",
        (*params, query.per_page, query.offset),
    ).fetchall()
    total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    facets = {
        f: conn.execute(f"SELECT d.{f}, count(*) {base} GROUP BY d.{f}", params).fetchall()
        for f in query.facets
    }
    terms = plan.terms
    hits = [(uid, highlight(title, terms), snippet(body, terms)) for title, body, uid in rows]
    return total, hits, facets


# -- measurement ------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
        "mean_ms": statistics.fmean(ordered),
        "max_ms": ordered[-1],
    }


def time_queries(run, queries) -> tuple[dict, list[float]]:
    for q in queries[: min(50, len(queries))]:
        run(q)  # warm caches and lazy initialisation
    samples = []
    for q in queries:
        t0 = time.perf_counter()
        run(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return percentiles(samples), samples


def by_breadth(samples: list[float], totals: list[int], docs: int) -> dict:
    """Latency percentiles of narrow and broad queries (matching under / over 10% of docs)."""
    out = {}
    for name, keep in (("narrow", lambda t: t < docs / 10), ("broad", lambda t: t >= docs / 10)):
        picked = [ms for ms, total in zip(samples, totals) if keep(total)]
        if picked:
            out[name] = {"queries": len(picked), **percentiles(picked)}
    return out


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="analysis processes")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="zipf")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="write the JSON result here")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temp dir)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--exact-counts",
        action="store_true",
        help=f"count every match exactly (no sample estimates above {EXACT_COUNT_LIMIT} matches)",
    )
    args = parser.parse_args(argv)

    work = args.dir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    make_docs, make_qs = CORPORA[args.corpus]
    result: dict = {
        "docs": args.docs,
        "corpus": args.corpus,
        "queries": args.queries,
        "workers": args.workers,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "analyzer": ANALYZER_ID,
        "load_average_at_start": load_average(),
    }
    try:
        t0 = time.perf_counter()
        docs = make_docs(args.docs, args.seed)
        result["generate_s"] = time.perf_counter() - t0
        chars = sum(len(d.title) + len(d.body) for d in docs)
        result["avg_chars_per_doc"] = chars / len(docs)

        # The embedded figure is EmbeddedBackend.rebuild itself, end to end: analysis in
        # worker processes feeding tantivy's writer threads, commit, and the swap.
        limit = sys.maxsize if args.exact_counts else EXACT_COUNT_LIMIT
        result["exact_count_limit"] = None if args.exact_counts else limit
        engine = EmbeddedBackend(work / "embedded", workers=args.workers, exact_count_limit=limit)
        t0 = time.perf_counter()
        engine.rebuild(docs)
        result["embedded_rebuild_s"] = time.perf_counter() - t0
        result["embedded_docs_per_s"] = args.docs / result["embedded_rebuild_s"]
        result["embedded_count"] = engine.count()

        queries = make_qs(args.queries, args.seed)
        first = [engine.search(q) for q in queries]
        totals = [r.total for r in first]
        result["estimated_fraction"] = sum(r.estimated for r in first) / len(first)
        fractions = percentiles([t / args.docs for t in totals])
        result["match_fraction"] = {k.removesuffix("_ms"): v for k, v in fractions.items()}
        result["embedded_query"], samples = time_queries(engine.search, queries)
        result["embedded_query_by_breadth"] = by_breadth(samples, totals, args.docs)
        result["embedded_mean_total_hits"] = statistics.fmean(totals)

        # How people ask: the same queries without and with the thesaurus (alternately),
        # queries made of thesaurus terms and pinyin, and suggestions as people type.
        plain, expanded = paired_timings(engine, queries)
        result["corpus_plain"], result["corpus_expanded"] = map(percentiles, (plain, expanded))
        towns = sorted({q.filters["town"][0] for q in queries if "town" in q.filters})
        colloquial = colloquial_queries(args.queries, args.seed, towns or ["梁村镇"])
        plain, expanded = paired_timings(engine, colloquial)
        result["thesaurus_plain"], result["thesaurus_expanded"] = map(
            percentiles, (plain, expanded)
        )
        prefixes = suggest_prefixes(args.queries, args.seed)
        result["suggest"] = percentiles(suggest_timings(engine, prefixes))
        engine.close()

        if not args.skip_sqlite:
            t0 = time.perf_counter()
            analysed = list(analyze_documents(docs, workers=args.workers))
            result["analysis_s"] = time.perf_counter() - t0
            del docs
            t0 = time.perf_counter()
            conn = sqlite_load(work / "fts.sqlite", analysed)
            result["sqlite_index_s"] = time.perf_counter() - t0
            s_rebuild = result["analysis_s"] + result["sqlite_index_s"]
            result["sqlite_rebuild_s"] = s_rebuild
            result["sqlite_docs_per_s"] = args.docs / s_rebuild
            result["sqlite_query"], samples = time_queries(
                lambda q: sqlite_search(conn, q), queries
            )
            result["sqlite_query_by_breadth"] = by_breadth(samples, totals, args.docs)
            conn.close()
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    result["load_average_at_end"] = load_average()
    result["judged"], judged_table = judged_report()

    print_table(result)
    print("judged queries on the demo documents (tests/search/judged):")
    print(judged_table, "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")
    return result


def print_table(r: dict) -> None:
    print(
        f"\n{r['docs']:,} {r['corpus']} docs (avg {r['avg_chars_per_doc']:.0f} chars), "
        f"{r['queries']} queries, {r['workers']} analysis workers, {r['cpus']} CPUs, "
        f"load {r['load_average_at_start']:.1f} -> {r['load_average_at_end']:.1f}"
    )
    limit = r["exact_count_limit"]
    print(
        "counts exact for every query"
        if limit is None
        else f"counts estimated from the 1-in-16 sample above {limit:,} matches: "
        f"{r['estimated_fraction']:.1%} of queries"
    )
    m = r["match_fraction"]
    print(
        f"queries match {m['mean']:.1%} of docs on average "
        f"(p50 {m['p50']:.2%}, p95 {m['p95']:.1%}, max {m['max']:.1%})"
    )
    if "analysis_s" in r:
        print(
            f"analysis alone: {r['analysis_s']:.1f} s ({r['docs'] / r['analysis_s']:,.0f} docs/s)"
        )
    print(f"{'engine':<10}{'rebuild s':>10}{'docs/s*':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [("embedded", r["embedded_rebuild_s"], r["embedded_docs_per_s"], r["embedded_query"])]
    if "sqlite_query" in r:
        rows.append(("sqlite5", r["sqlite_rebuild_s"], r["sqlite_docs_per_s"], r["sqlite_query"]))
    for name, seconds, rate, q in rows:
        print(
            f"{name:<10}{seconds:>10.1f}{rate:>10,.0f}{q['p50_ms']:>9.2f}{q['p95_ms']:>9.2f}"
            f"{q['p99_ms']:>9.2f}"
        )
    for name in ("embedded", "sqlite"):
        for breadth, q in r.get(f"{name}_query_by_breadth", {}).items():
            print(
                f"  {name} {breadth} ({q['queries']} queries): p50 {q['p50_ms']:.2f}  "
                f"p95 {q['p95_ms']:.2f}  p99 {q['p99_ms']:.2f} ms"
            )
    print("* docs/s of a full rebuild including analysis (embedded: EmbeddedBackend.rebuild)\n")
    print("embedded, the same run:            p50 ms   p95 ms   p99 ms")
    for label, key in (("corpus queries, plain", "corpus_plain"),
                       ("corpus queries, expanded", "corpus_expanded"),
                       ("thesaurus/pinyin queries, plain", "thesaurus_plain"),
                       ("thesaurus/pinyin queries, expanded", "thesaurus_expanded"),
                       ("suggestions as you type", "suggest")):
        q = r[key]
        print(f"  {label:<34}{q['p50_ms']:>7.2f}{q['p95_ms']:>9.2f}{q['p99_ms']:>9.2f}")
    print()


if __name__ == "__main__":
    main()

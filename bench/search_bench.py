"""Search benchmark: embedded (tantivy) backend against SQLite FTS5 on the same analysed text.

Generates N synthetic needs, projects, funds, offers and schemes from a seed, then measures
  * analysis rate (jieba segmentation in search mode, ``--workers`` processes),
  * indexing rate of a full rebuild of each engine from the analysed documents,
  * latency of top-10 queries with text, filters and three facets, through the public
    ``search()`` API (which also loads and highlights the hits) for the embedded backend
    and through equivalent SQL (bm25 ranking, same filters, GROUP BY facets, same
    highlighting) for SQLite FTS5.

Example: python bench/search_bench.py --docs 100000 --queries 2000 --out /tmp/bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.analysis import ANALYZER_ID, plan_query
from search.documents import SearchDocument, SearchQuery
from search.embedded import EmbeddedBackend
from search.highlight import highlight, snippet
from search.indexing import analyze_documents

TOWNS = [
    "鱼丘湖街道",
    "汇鑫街道",
    "人和街道",
    "梁村镇",
    "尹集镇",
    "清平镇",
    "固河镇",
    "三十里铺镇",
    "琉璃寺镇",
    "赵寨子镇",
    "姜店镇",
    "杨屯镇",
    "高唐经济开发区",
]
ILLNESSES = [
    "白血病",
    "尿毒症",
    "脑出血",
    "恶性肿瘤",
    "肺癌",
    "肝癌",
    "乳腺癌",
    "淋巴瘤",
    "再生障碍性贫血",
    "脑梗死",
    "先天性心脏病",
    "肾衰竭",
    "脑瘫",
    "自闭症",
    "精神分裂症",
    "重症肺炎",
    "烧伤",
    "截瘫",
]
RELIEF = [
    "临时救助",
    "医疗救助",
    "助学",
    "低保",
    "特困供养",
    "心理疏导",
    "陪护就医",
    "大病救助",
    "教育救助",
    "住房救助",
    "就业救助",
    "生活救助",
    "先行救助",
    "结对帮扶",
]
CATEGORIES = ["医疗", "教育", "生活", "住房", "就业", "心理", "助残", "助老", "灾害", "儿童"]
PEOPLE = [
    "患儿",
    "老人",
    "学生",
    "母亲",
    "父亲",
    "独居老人",
    "留守儿童",
    "残疾人",
    "困境儿童",
    "失能老人",
    "孤儿",
    "务工人员",
]
EVENTS = [
    "突发疾病",
    "交通事故",
    "意外烧伤",
    "房屋失火",
    "暴雨受灾",
    "工伤致残",
    "家庭变故",
    "突发重病",
]
VERBS = ["急需", "申请", "希望获得", "正在筹集", "请求", "需要"]
SURNAME_SYLLABLES = [
    "东",
    "西",
    "南",
    "北",
    "前",
    "后",
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
]
VILLAGE_SUFFIX = ["庄", "村", "屯", "营", "寨", "集", "店", "楼", "堂"]
KINDS = ["need"] * 6 + ["project"] * 2 + ["fund", "offer", "scheme"]
SENTENCES = [
    "{person}{age}岁，因{event}确诊{illness}，已花费医疗费用{money}万元，家庭因病致贫。",
    "{village}{person}长期患{illness}，每月药费{money}千元，{verb}{relief}。",
    "家住{town}{village}，{person}{verb}{relief}和{relief2}，目前资金缺口{money}万元。",
    "{person}在{town}就读，家庭是低保户，{verb}助学帮扶，学费缺口{money}千元。",
    "社工已上门核查，建议启动{relief}，并安排志愿者提供{relief2}。",
    "本项目面向{town}{person}，提供{relief}和{relief2}，已帮助{count}户家庭。",
    "{event}后{person}生活困难，村委会协助申请{relief}，乡镇审核通过后转办民政局。",
]


def _village(rng: random.Random) -> str:
    return (
        rng.choice(SURNAME_SYLLABLES) + rng.choice(SURNAME_SYLLABLES) + rng.choice(VILLAGE_SUFFIX)
    )


def _sentence(rng: random.Random, town: str) -> str:
    return rng.choice(SENTENCES).format(
        person=rng.choice(PEOPLE),
        age=rng.randint(2, 88),
        event=rng.choice(EVENTS),
        illness=rng.choice(ILLNESSES),
        money=rng.randint(1, 60),
        village=_village(rng),
        verb=rng.choice(VERBS),
        relief=rng.choice(RELIEF),
        relief2=rng.choice(RELIEF),
        town=town,
        count=rng.randint(3, 500),
    )


def generate(n: int, seed: int) -> list[SearchDocument]:
    """N reproducible synthetic documents (titles ~15 chars, bodies of 2-3 sentences)."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    docs = []
    for i in range(n):
        town = rng.choice(TOWNS)
        kind = rng.choice(KINDS)
        illness = rng.choice(ILLNESSES)
        title = f"{town[:2]}{rng.choice(PEOPLE)}{illness}{rng.choice(VERBS)}{rng.choice(RELIEF)}"
        body = "".join(_sentence(rng, town) for _ in range(rng.randint(2, 3)))
        docs.append(
            SearchDocument(
                kind=kind,
                id=str(i),
                title=title,
                body=body,
                category=rng.choice(CATEGORIES),
                town=town,
                urgency=rng.randint(1, 5),
                status="published",
                amount_needed=float(rng.randint(1000, 300000)),
                created_at=start + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
            )
        )
    return docs


def make_queries(n: int, seed: int) -> list[SearchQuery]:
    """Short Chinese queries; about half with a filter; every one asks for three facets."""
    rng = random.Random(seed + 1)
    vocab = (
        ILLNESSES + RELIEF + PEOPLE + EVENTS + [t[:2] for t in TOWNS] + ["白血", "透析", "助学金"]
    )
    queries = []
    for _ in range(n):
        words = rng.sample(vocab, rng.choice([1, 1, 2, 2, 3]))
        filters: dict = {}
        roll = rng.random()
        if roll < 0.2:
            filters["town"] = rng.choice(TOWNS)
        elif roll < 0.35:
            filters["kind"] = rng.choice(["need", "project"])
        elif roll < 0.5:
            filters["urgency_min"] = rng.randint(3, 5)
        queries.append(
            SearchQuery(
                text=" ".join(words),
                filters=filters,
                facets=("kind", "category", "town"),
                per_page=10,
            )
        )
    return queries


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

    groups = ["(" + " OR ".join(quote(t) for t in group) + ")" for group in plan.groups]
    joiner = " AND " if plan.minimum_should_match >= len(groups) else " OR "
    return joiner.join(groups)


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


def time_queries(run, queries) -> dict:
    for q in queries[: min(50, len(queries))]:
        run(q)  # warm caches and lazy initialisation
    samples = []
    for q in queries:
        t0 = time.perf_counter()
        run(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return percentiles(samples)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="analysis processes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="write the JSON result here")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temp dir)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)

    work = args.dir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "docs": args.docs,
        "queries": args.queries,
        "workers": args.workers,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "analyzer": ANALYZER_ID,
    }
    try:
        t0 = time.perf_counter()
        docs = generate(args.docs, args.seed)
        result["generate_s"] = time.perf_counter() - t0
        chars = sum(len(d.title) + len(d.body) for d in docs)
        result["avg_chars_per_doc"] = chars / len(docs)

        t0 = time.perf_counter()
        analysed = list(analyze_documents(docs, workers=args.workers))
        result["analysis_s"] = time.perf_counter() - t0
        del docs

        engine = EmbeddedBackend(work / "embedded", workers=1)
        t0 = time.perf_counter()
        engine.rebuild(analysed)
        result["embedded_index_s"] = time.perf_counter() - t0
        rebuild_s = result["analysis_s"] + result["embedded_index_s"]
        result["embedded_rebuild_incl_analysis_s"] = rebuild_s
        result["embedded_docs_per_s_incl_analysis"] = args.docs / rebuild_s
        result["embedded_count"] = engine.count()

        queries = make_queries(args.queries, args.seed)
        result["embedded_query"] = time_queries(engine.search, queries)
        result["embedded_mean_total_hits"] = statistics.fmean(
            engine.search(q).total for q in queries[:200]
        )

        if not args.skip_sqlite:
            t0 = time.perf_counter()
            conn = sqlite_load(work / "fts.sqlite", analysed)
            result["sqlite_index_s"] = time.perf_counter() - t0
            s_rebuild = result["analysis_s"] + result["sqlite_index_s"]
            result["sqlite_docs_per_s_incl_analysis"] = args.docs / s_rebuild
            result["sqlite_query"] = time_queries(lambda q: sqlite_search(conn, q), queries)
            conn.close()
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)

    print_table(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")
    return result


def print_table(r: dict) -> None:
    print(
        f"\n{r['docs']:,} docs (avg {r['avg_chars_per_doc']:.0f} chars), {r['queries']} queries, "
        f"{r['workers']} analysis workers, {r['cpus']} CPUs"
    )
    print(f"analysis: {r['analysis_s']:.1f} s ({r['docs'] / r['analysis_s']:,.0f} docs/s)")
    print(f"{'engine':<10}{'index s':>9}{'docs/s*':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [
        (
            "embedded",
            r["embedded_index_s"],
            r["embedded_docs_per_s_incl_analysis"],
            r["embedded_query"],
        )
    ]
    if "sqlite_query" in r:
        rows.append(
            (
                "sqlite5",
                r["sqlite_index_s"],
                r["sqlite_docs_per_s_incl_analysis"],
                r["sqlite_query"],
            )
        )
    for name, index_s, rate, q in rows:
        print(
            f"{name:<10}{index_s:>9.1f}{rate:>10,.0f}{q['p50_ms']:>9.2f}{q['p95_ms']:>9.2f}"
            f"{q['p99_ms']:>9.2f}"
        )
    print("* docs/s of a full rebuild including analysis\n")


if __name__ == "__main__":
    main()

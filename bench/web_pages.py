"""What the web bench measures and against which goals, and how it prints the figures.

The pages of issue 16 (public, staff, writes) with the goal each is held to, the pages timed
one request at a time for issue 15 (the supervision board and statistics at 100,000 cases), the
figures of one page, and the tables ``bench/web_bench.py`` prints.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

PASSWORD = "jiujinan-demo"  # noqa: S105 (the demo data's published password)


@dataclass(frozen=True)
class Page:
    """One thing to load: who asks for it, and which goal it is held to."""

    name: str
    path: str
    who: str = "anonymous"          # anonymous | officer (session cookie) | api (bearer token)
    goal: str = "public"            # public | staff | write | none
    method: str = "GET"
    body: dict | None = None


PAGES: tuple[Page, ...] = (
    Page("baseline: bare Flask page", "/", goal="none"),
    Page("/home", "/home"),
    Page("/needs", "/needs"),
    Page("/needs/{need_id}", "/needs/{need_id}"),
    Page("/projects", "/projects"),
    Page("/transparency", "/transparency"),
    Page("/api/v1/search?q=白血病", "/api/v1/search?q=" + urllib.parse.quote("白血病")),
    Page("/api/v1/needs/{need_id}", "/api/v1/needs/{need_id}"),
    Page("officer /cases/", "/cases/", who="officer", goal="staff"),
    Page("officer /cases/{case_id}", "/cases/{case_id}", who="officer", goal="staff"),
    Page("officer /cases/supervision", "/cases/supervision", who="officer", goal="staff"),
    Page("officer /ledger/", "/ledger/", who="officer", goal="staff"),
    Page("officer /portal/review", "/portal/review", who="officer", goal="staff"),
    Page("donor POST /api/v1/pledges", "/api/v1/pledges", who="api", goal="write",
         method="POST", body={"need_id": "{need_id}", "amount": "1.00"}),
)

# Issue 15, part 6: one request each, in-process, at the demo scale and at 100,000 cases.
SINGLE_PAGES: tuple[Page, ...] = (
    Page("officer /cases/supervision", "/cases/supervision", who="officer", goal="single"),
    Page("officer /statistics/", "/statistics/", who="officer", goal="single"),
    Page("officer /statistics/ (ten years by month)", "/statistics/?by=month&from={ten_years}",
         who="officer", goal="single"),
    Page("officer /cases/", "/cases/", who="officer", goal="none"),
    Page("officer /cases/?page=200", "/cases/?page=200", who="officer", goal="none"),
    Page("officer /cases/{case_id}", "/cases/{case_id}", who="officer", goal="none"),
    Page("officer /ledger/", "/ledger/", who="officer", goal="none"),
    Page("officer /portal/review", "/portal/review", who="officer", goal="none"),
    Page("officer /admin/audit", "/admin/audit", who="officer", goal="none"),
    Page("/home", "/home", goal="none"),
    Page("/transparency", "/transparency", goal="none"),
)
SINGLE_GOAL_MS = 100.0   # issue 15: the board, the statistics, the report query, one request

GOALS = {  # issue 16: requests/s at least, p95 at most (ms)
    "public": (1500.0, 15.0),
    "staff": (300.0, 50.0),
    "write": (0.0, 30.0),
}


@dataclass
class Result:
    page: str
    requests: int = 0
    failed: int = 0
    non_2xx: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    sql_statements: int | None = None
    goal: str = "none"
    verdict: str = ""
    note: str = ""


def judge(result: Result) -> None:
    if result.goal not in GOALS:
        return
    min_rps, max_p95 = GOALS[result.goal]
    ok = (result.requests > 0 and result.failed == 0 and result.non_2xx == 0
          and result.rps >= min_rps and result.p95 <= max_p95)
    result.verdict = "met" if ok else "missed"


def print_table(name: str, results: list[Result]) -> None:
    baseline = results[0]
    print(f"\n## {name}\n")
    print("| page | requests/s | p50 ms | p95 ms | p99 ms | failed | non-2xx | x baseline p50 "
          "| SQL statements | goal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r.p50 / baseline.p50:.1f}" if baseline.p50 and r is not baseline else ""
        goal = ""
        if r.goal in GOALS:
            min_rps, max_p95 = GOALS[r.goal]
            goal = f"{r.verdict} (≥{min_rps:,.0f}/s, p95 ≤{max_p95:.0f} ms)" if min_rps else \
                f"{r.verdict} (p95 ≤{max_p95:.0f} ms)"
        sql = "" if r.sql_statements is None else str(r.sql_statements)
        print(f"| {r.page} | {r.rps:,.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.failed} "
              f"| {r.non_2xx} | {ratio} | {sql} | {goal or r.note} |")


def print_single(name: str, small: dict[str, Any], large: dict[str, Any] | None) -> None:
    """One request at a time: the demo beside the large data (cold wall and CPU, warm wall,
    SQL statements), with issue 15's goal judged on the large data's cold wall time."""
    print(f"\n## {name}: one request at a time, in-process (median of the runs; CPU = this "
          "process's CPU time, the whole work on SQLite)\n")
    sizes = [small] + ([large] if large else [])
    head = "| page |" + "".join(f" {d['cases']:,} cases: cold ms | cold CPU ms | warm ms | SQL |"
                                 for d in sizes)
    if large:
        head += f" cold x {small['cases']:,} |"
    print(head + " goal |")
    print("|---" * head.count("|") + "|")
    goals = {p.name for p in SINGLE_PAGES if p.goal == "single"} | {
        "monthly report query (service call)"}
    for page, s in small["pages"].items():
        judged = large["pages"].get(page) if large else s
        row = f"| {page} |"
        for figures in [s] + ([judged] if large else []):
            row += (f" {figures['cold_ms']:.1f} | {figures.get('cold_cpu_ms', 0):.1f} | "
                    f"{figures['warm_ms']:.1f} | {_sql(figures)} |" if figures else " | | | |")
        if large:
            row += f" {judged['cold_ms'] / s['cold_ms']:.1f} |" if judged else " |"
        verdict = ""
        if page in goals and judged:
            ok = judged["status"] == 200 and judged["cold_ms"] <= SINGLE_GOAL_MS
            verdict = f"{'met' if ok else 'missed'} (cold ≤{SINGLE_GOAL_MS:.0f} ms)"
        if s["status"] != 200 or (judged and judged["status"] != 200):
            verdict += f" HTTP {s['status']}/{judged['status'] if judged else ''}"
        print(row + f" {verdict} |")


def _sql(figures: dict[str, Any]) -> str:
    return "" if figures["statements"] is None else str(figures["statements"])

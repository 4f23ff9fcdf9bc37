"""Load benchmark of the web app's pages, beside a bare Flask page of the same size.

For each database it builds a fresh data dir (migrations, the Gaotang demo, the search index),
starts the app under gunicorn with the production settings (``gunicorn.conf.py``, 2 workers x 4
threads, as a small county server would run it) and, in the same run, the baseline
(``bench/web_baseline.py``: a bare Flask page as large as the app's home page, no database). Each
page is then loaded by ApacheBench (``ab``, Debian's apache2-utils) from 127.0.0.1 with a fixed
number of requests and clients, bounded in time; staff pages are loaded with an officer's session
cookie and the API with bearer tokens. It prints requests/s, p50/p95/p99 and failed requests per
page, the slowdown against the baseline, and how many SQL statements one request to the page
issues (counted in-process with a SQLAlchemy cursor event on the same database).

Then each staff page, the statistics page and the monthly report's query are timed one request
at a time in-process (``bench/web_single.py``: after a data change and again), and with
``--scale`` or ``--reuse-demo`` printed beside the same page on the demo's 300 cases (issue 15:
the board, the statistics and the report answer one request in 100 ms at 100,000 cases).
The pieces: ``web_pages.py`` (what is measured, the goals, the tables), ``web_servers.py`` (data
dir, gunicorn, logins), ``web_load.py`` (``ab``, the transitions, SQL counts) and
``web_single.py``.

    .venv/bin/python bench/web_bench.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/web_bench.py --db sqlite -n 500    # a quick look
    .venv/bin/python bench/web_bench.py --out bench/web.json  # keep the figures
    .venv/bin/python bench/web_bench.py --db sqlite --reuse DIR --reuse-demo DEMO_DIR \
        --single-only                                         # issue 15's single requests

PostgreSQL is used through ``--pg-url`` (default: a database ``jiujinan_bench`` on the local
server, dropped and recreated). The goals of issue 16 are printed as met / missed under the table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_load import TRANSITION, count_sql, run_ab, run_transitions
from bench.web_pages import PAGES, Result, judge, print_single, print_table
from bench.web_servers import (
    Context,
    api_token,
    app_env,
    demo_ids,
    log,
    login_cookie,
    prepare_data,
    request,
    reset_postgres,
    start_gunicorn,
    stop,
)

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/jiujinan_bench"


# --- one database ----------------------------------------------------------------------------

def bench_database(name: str, database_url: str, args: argparse.Namespace
                   ) -> tuple[list[Result], dict[str, Any], dict[str, Any] | None]:
    """The load test of one database, then its pages one request at a time (beside the demo's
    300 cases when the data is the large one)."""
    log(f"=== {name}: preparing a fresh data dir with the Gaotang demo"
        f"{f' and {args.scale:,} more cases' if args.scale else ''} ===")
    data_dir = Path(args.reuse) if args.reuse else \
        Path(tempfile.mkdtemp(prefix=f"jiujinan-bench-{name}-"))
    env = app_env(data_dir, database_url)
    procs: list[subprocess.Popen] = []
    try:
        if args.reuse:  # prepared by an earlier run: only bring the schema up to date
            log(f"  reusing {data_dir}")
            prepare_data(env, -1)
        else:
            prepare_data(env, args.scale)
        results = [] if args.single_only else load_pages(env, data_dir, args, procs)
        single = measure_single(env, args)
        demo = None
        if args.scale or args.reuse_demo:
            demo = single_on_demo(name, database_url, args)
        return results, single, demo
    finally:
        for proc in procs:
            stop(proc)
        if not args.reuse:
            shutil.rmtree(data_dir, ignore_errors=True)


def load_pages(env: dict[str, str], data_dir: Path, args: argparse.Namespace,
               procs: list[subprocess.Popen]) -> list[Result]:
    """Every page of :data:`PAGES` under ``ab`` beside the bare Flask page, then the SQL
    statements of one request to each."""
    procs.append(start_gunicorn("wsgi:app", args.port, env, args.workers, args.threads))
    # The first rendering at 100,000 cases computes the county totals (seconds).
    _, _, home = request("127.0.0.1", args.port, "GET", "/home", timeout=300)
    base_env = dict(env, BENCH_PAGE_BYTES=str(len(home)))
    procs.append(start_gunicorn("bench.web_baseline:app", args.baseline_port, base_env,
                                args.workers, args.threads))
    ctx = Context()
    ctx.officer_cookie = login_cookie(args.port, "officer")
    ctx.donor_token = api_token(args.port, "donor")
    ctx.ids = demo_ids(args.port, ctx.officer_cookie)
    log(f"  home page {len(home):,} bytes; need {ctx.ids['need_id']}, case {ctx.ids['case_id']}")
    results = []
    for page in PAGES:
        if args.pages and not re.search(args.pages, page.name):
            continue
        port = args.baseline_port if page.goal == "none" else args.port
        if page.method == "GET":  # rendered once, as a running server would have it
            headers = {"Cookie": ctx.officer_cookie} if page.who == "officer" else {}
            if page.who == "api":
                headers = {"Authorization": f"Bearer {ctx.donor_token}"}
            request("127.0.0.1", port, "GET", page.path.format(**ctx.ids), headers=headers,
                    timeout=300)
        log(f"  loading {page.name} ({args.requests} requests, {args.clients} clients) …")
        results.append(run_ab(port, page, ctx, requests=args.requests,
                              clients=args.clients, seconds=args.seconds, workdir=data_dir))
    if not args.pages or re.search(args.pages, TRANSITION):
        log(f"  loading {TRANSITION} ({args.clients} clients) …")
        results.append(run_transitions(args.port, env, ctx, clients=args.clients,
                                       requests=min(args.requests, 400)))
    for proc in procs:
        stop(proc)
    procs.clear()
    counts = count_sql(env, ctx)
    for result in results:
        result.sql_statements = counts.get(result.page)
        judge(result)
    return results


def measure_single(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """``bench/web_single.py`` on the data dir of ``env``, in a fresh interpreter."""
    log(f"  one request at a time ({args.single_runs} runs a page) …")
    out = subprocess.run(
        [sys.executable, "-m", "bench.web_single", "--data-dir", env["JIUJINAN_DATA_DIR"],
         "--db-url", env["DATABASE_URL"], "--runs", str(args.single_runs)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def single_on_demo(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The same single requests on the demo's 300 cases (kept in ``--reuse-demo`` if given)."""
    demo_dir = Path(args.reuse_demo) if args.reuse_demo else \
        Path(tempfile.mkdtemp(prefix=f"jiujinan-bench-{name}-demo-"))
    demo_url = ""
    if database_url:
        demo_url = args.pg_demo_url
        if not args.reuse_demo:
            reset_postgres(demo_url)
    env = app_env(demo_dir, demo_url)
    try:
        log(f"=== {name}: the demo's 300 cases for comparison ({demo_dir}) ===")
        prepare_data(env, -1 if args.reuse_demo else 0)
        return measure_single(env, args)
    finally:
        if not args.reuse_demo:
            shutil.rmtree(demo_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--pg-demo-url", default=DEFAULT_PG_URL + "_demo",
                        help="the database of the 300-case comparison on PostgreSQL")
    parser.add_argument("-n", "--requests", type=int, default=2000)
    parser.add_argument("-c", "--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30, help="time bound per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5200)
    parser.add_argument("--out", help="write the figures as JSON to this file")
    parser.add_argument("--scale", type=int, default=0, metavar="CASES",
                        help="add this many cases of ten years (flask demo scale) to the demo")
    parser.add_argument("--pages", help="only the pages whose name matches this regex")
    parser.add_argument("--reuse", metavar="DATA_DIR", help="measure a data dir (and, with "
                        "--db postgres, the database at --pg-url) prepared before, e.g. by "
                        "`flask demo scale`, instead of building a fresh one; kept afterwards")
    parser.add_argument("--reuse-demo", metavar="DATA_DIR", help="the demo data dir (and, on "
                        "PostgreSQL, --pg-demo-url) the single requests are compared with")
    parser.add_argument("--single-runs", type=int, default=5,
                        help="requests a page when timing one request at a time")
    parser.add_argument("--single-only", action="store_true",
                        help="skip the load test: only one request at a time")
    parser.add_argument("--baseline-port", type=int, help="port of the bare Flask page "
                        "(default: --port + 1)")
    args = parser.parse_args()
    args.baseline_port = args.baseline_port or args.port + 1
    if shutil.which("ab") is None and not args.single_only:
        parser.error("ApacheBench (ab) is missing: `make bench-deps` installs apache2-utils")
    runs: dict[str, tuple[list[Result], dict[str, Any], dict[str, Any] | None]] = {}
    if args.db in ("sqlite", "both"):
        runs["SQLite"] = bench_database("sqlite", "", args)
    if args.db in ("postgres", "both"):
        if not args.reuse:
            reset_postgres(args.pg_url)
        runs["PostgreSQL"] = bench_database("postgres", args.pg_url, args)
    data = f"demo + {args.scale:,} cases" if args.scale else "demo data"
    if args.reuse:
        data = f"the data dir {args.reuse}"
    print(f"# web bench ({data}): {args.requests} requests per page, {args.clients} clients, "
          f"gunicorn {args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at the end, {time.strftime('%Y-%m-%d %H:%M')}")
    for name, (results, single, demo) in runs.items():
        if results:
            print_table(name, results)
        if demo is not None:
            print_single(name, demo, single)
        else:
            print_single(name, single, None)
    if args.out:
        Path(args.out).write_text(json.dumps(
            {name: {"load": [asdict(r) for r in results], "single": single, "single_demo": demo}
             for name, (results, single, demo) in runs.items()},
            ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

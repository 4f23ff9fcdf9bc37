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

    .venv/bin/python bench/web_bench.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/web_bench.py --db sqlite -n 500    # a quick look
    .venv/bin/python bench/web_bench.py --out bench/web.json  # keep the figures

PostgreSQL is used through ``--pg-url`` (default: a database ``jiujinan_bench`` on the local
server, dropped and recreated). The goals of issue 16 are printed as met / missed under the table.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/jiujinan_bench"
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


@dataclass
class Context:
    """What the loaded pages need: ids from the demo and credentials."""

    ids: dict[str, int] = field(default_factory=dict)
    officer_cookie: str = ""
    donor_token: str = ""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- setting up a data dir and servers -------------------------------------------------------

def app_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "ELASTICSEARCH"))}
    env.update(JIUJINAN_DATA_DIR=str(data_dir), DATABASE_URL=database_url, FLASK_APP="wsgi",
               JIUJINAN_ENV="production", PYTHONPATH=str(ROOT))
    return env


def prepare_data(env: dict[str, str], scale: int = 0) -> None:
    steps = [["db", "upgrade"], ["demo", "load"], ["derived", "rebuild"]]
    if scale < 0:
        steps = [["db", "upgrade"]]
    elif scale:  # the demo, then a county's ten years in bulk (it rebuilds the index itself)
        steps = [["db", "upgrade"], ["demo", "scale", "--cases", str(scale)]]
    for step in steps:
        started = time.perf_counter()
        log(f"  flask {' '.join(step)} …")
        subprocess.run([str(BIN / "flask"), *step], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        log(f"  flask {' '.join(step)} done in {time.perf_counter() - started:.1f} s")


def reset_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def start_gunicorn(target: str, port: int, env: dict[str, str], workers: int,
                   threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--error-logfile", "-", target],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{target} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            status, _, _ = request("127.0.0.1", port, "GET", "/")
            if status < 500:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{target} did not answer on port {port} within 300 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def request(host: str, port: int, method: str, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        merged: dict[str, str] = {}
        for key, value in resp.getheaders():
            merged[key.lower()] = f"{merged[key.lower()]}\n{value}" if key.lower() in merged \
                else value
        return resp.status, merged, data
    finally:
        conn.close()


def login_cookie(port: int, username: str) -> str:
    """Log in through the real form and return the session cookie for ``ab -C``."""
    status, headers, html = request("127.0.0.1", port, "GET", "/auth/login")
    cookie = _session_cookie(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
    if status != 200 or token is None:
        raise RuntimeError("no login form with a CSRF token at /auth/login")
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrf_token": token.group(1).decode()}).encode()
    status, headers, _ = request("127.0.0.1", port, "POST", "/auth/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    cookie = _session_cookie(headers) or cookie
    if status not in (302, 303):
        raise RuntimeError(f"login as {username} answered {status}")
    return cookie


def _session_cookie(headers: dict[str, str]) -> str:
    for line in headers.get("set-cookie", "").split("\n"):
        name_value = line.split(";", 1)[0].strip()
        if name_value.startswith("jiujinan_session="):
            return name_value
    return ""


def api_token(port: int, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, _, data = request("127.0.0.1", port, "POST", "/api/v1/tokens", body=body,
                              headers={"Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError(f"token for {username}: {status} {data[:200]!r}")
    return json.loads(data)["token"]


def demo_ids(port: int, cookie: str) -> dict[str, int]:
    """The first published need and the first case on the officer's list."""
    _, _, data = request("127.0.0.1", port, "GET", "/api/v1/needs?per_page=1")
    need_id = json.loads(data)["items"][0]["id"]
    _, _, html = request("127.0.0.1", port, "GET", "/cases/", headers={"Cookie": cookie})
    case = re.search(rb'href="/cases/(\d+)"', html)
    if case is None:
        raise RuntimeError("no case link on the officer's case list")
    return {"need_id": need_id, "case_id": int(case.group(1))}


# --- loading ---------------------------------------------------------------------------------

def run_ab(port: int, page: Page, ctx: Context, *, requests: int, clients: int,
           seconds: int, workdir: Path) -> Result:
    path = page.path.format(**ctx.ids)
    percentiles = workdir / "percentiles.csv"
    args = ["ab", "-q", "-r", "-l", "-t", str(seconds), "-n", str(requests),
            "-c", str(clients), "-s", "30", "-e", str(percentiles)]
    if page.who == "officer":
        args += ["-C", ctx.officer_cookie]
    if page.who == "api":
        args += ["-H", f"Authorization: Bearer {ctx.donor_token}"]
    if page.method == "POST":
        body = json.dumps({k: (v.format(**ctx.ids) if isinstance(v, str) else v)
                           for k, v in (page.body or {}).items()})
        body = re.sub(r'"need_id": "(\d+)"', r'"need_id": \1', body)
        post_file = workdir / "body.json"
        post_file.write_text(body)
        args += ["-p", str(post_file), "-T", "application/json"]
    args.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(args, check=False, capture_output=True, text=True,
                         timeout=seconds + 60)
    result = Result(page=page.name, goal=page.goal)
    if out.returncode != 0:
        result.note = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "ab failed"
        return result
    text = out.stdout
    if "Requests per second" not in text:
        result.note = (out.stderr.strip().splitlines() or ["ab printed no figures"])[-1]
        return result
    result.requests = _int(r"Complete requests:\s+(\d+)", text)
    result.failed = _int(r"Failed requests:\s+(\d+)", text)
    result.non_2xx = _int(r"Non-2xx responses:\s+(\d+)", text)
    result.rps = float(re.search(r"Requests per second:\s+([\d.]+)", text).group(1))
    with percentiles.open() as handle:
        table = {int(float(row[0])): float(row[1]) for row in csv.reader(handle)
                 if row and row[0][0].isdigit()}
    result.p50, result.p95, result.p99 = table[50], table[95], table[99]
    return result


def _int(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


# --- case transitions: each request moves another case, so ab (one fixed request) cannot ---

TRANSITION = "officer POST /api/v1/cases/{id}/transitions (accept)"


def reported_cases(env: dict[str, str], limit: int) -> list[int]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from sqlalchemy import select

        from webapp.app import create_app
        from webapp.extensions import db
        from webapp.models import Case, CaseStatus
        app = create_app()
        with app.app_context():
            ids = list(db.session.scalars(select(Case.id).where(
                Case.status == CaseStatus.REPORTED).order_by(Case.id.desc()).limit(limit)))
            db.session.remove()
            db.engine.dispose()
        return ids
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_transitions(port: int, env: dict[str, str], ctx: Context, *, clients: int,
                    requests: int) -> Result:
    """``clients`` threads, each on its own keep-alive connection, accept reported cases."""
    import threading
    token = api_token(port, "officer")
    ids = reported_cases(env, requests)
    result = Result(page=TRANSITION, goal="write")
    if not ids:
        result.note = "no reported case to accept"
        return result
    queue = list(ids)
    lock = threading.Lock()
    timings: list[float] = []
    failures = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"action": "accept"}).encode()
        while True:
            with lock:
                if not queue:
                    break
                case_id = queue.pop()
            started = time.perf_counter()
            try:
                conn.request("POST", f"/api/v1/cases/{case_id}/transitions", body=body,
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status < 300
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                failures[0] += 0 if ok else 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    timings.sort()
    result.requests, result.non_2xx = len(timings), failures[0]
    result.rps = len(timings) / wall if wall else 0.0

    def pct(q: float) -> float:
        return timings[min(len(timings) - 1, int(q * len(timings)))]
    result.p50, result.p95, result.p99 = pct(0.50), pct(0.95), pct(0.99)
    result.note = f"{len(ids)} reported cases accepted by {clients} threads"
    return result


# --- SQL statements per page -----------------------------------------------------------------

def count_sql(env: dict[str, str], ctx: Context) -> dict[str, int]:
    """One request per page in-process, counting the statements sent to the database."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from sqlalchemy import event

        from webapp.app import create_app
        from webapp.extensions import db
        app = create_app()
        counts: dict[str, int] = {}
        with app.app_context():
            engine = db.engine
            seen = [0]

            def count(*_args: object) -> None:
                seen[0] += 1

            event.listen(engine, "before_cursor_execute", count)
            anonymous, officer = app.test_client(), app.test_client()
            html = officer.get("/auth/login").get_data()
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html).group(1).decode()
            officer.post("/auth/login", data={"username": "officer", "password": PASSWORD,
                                              "csrf_token": token})
            for page in PAGES:
                if page.method != "GET" or page.goal == "none":
                    continue
                client = officer if page.who == "officer" else anonymous
                client.get(page.path.format(**ctx.ids))   # warm caches the way a server would
                seen[0] = 0
                response = client.get(page.path.format(**ctx.ids))
                counts[page.name] = seen[0] if response.status_code == 200 else -1
            event.remove(engine, "before_cursor_execute", count)
            db.session.remove()
            db.engine.dispose()
        return counts
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- one database ----------------------------------------------------------------------------

def bench_database(name: str, database_url: str, args: argparse.Namespace) -> list[Result]:
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
        app_proc = start_gunicorn("wsgi:app", args.port, env, args.workers, args.threads)
        procs.append(app_proc)
        _, _, home = request("127.0.0.1", args.port, "GET", "/home")
        base_env = dict(env, BENCH_PAGE_BYTES=str(len(home)))
        procs.append(start_gunicorn("bench.web_baseline:app", args.baseline_port, base_env,
                                    args.workers, args.threads))
        ctx = Context()
        ctx.officer_cookie = login_cookie(args.port, "officer")
        ctx.donor_token = api_token(args.port, "donor")
        ctx.ids = demo_ids(args.port, ctx.officer_cookie)
        log(f"  home page {len(home):,} bytes; need {ctx.ids['need_id']}, "
            f"case {ctx.ids['case_id']}")
        results = []
        for page in PAGES:
            if args.pages and not re.search(args.pages, page.name):
                continue
            port = args.baseline_port if page.goal == "none" else args.port
            if page.method == "GET":  # rendered once, as a running server would have it
                headers = {"Cookie": ctx.officer_cookie} if page.who == "officer" else {}
                if page.who == "api":
                    headers = {"Authorization": f"Bearer {ctx.donor_token}"}
                warm = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                warm.request("GET", page.path.format(**ctx.ids), headers=headers)
                warm.getresponse().read()
                warm.close()
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
    finally:
        for proc in procs:
            stop(proc)
        if not args.reuse:
            shutil.rmtree(data_dir, ignore_errors=True)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
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
    parser.add_argument("--baseline-port", type=int, help="port of the bare Flask page "
                        "(default: --port + 1)")
    args = parser.parse_args()
    args.baseline_port = args.baseline_port or args.port + 1
    if shutil.which("ab") is None:
        parser.error("ApacheBench (ab) is missing: `make bench-deps` installs apache2-utils")
    runs: dict[str, list[Result]] = {}
    if args.db in ("sqlite", "both"):
        runs["SQLite"] = bench_database("sqlite", "", args)
    if args.db in ("postgres", "both"):
        if not args.reuse:
            reset_postgres(args.pg_url)
        runs["PostgreSQL"] = bench_database("postgres", args.pg_url, args)
    data = f"demo + {args.scale:,} cases" if args.scale else "demo data"
    print(f"# web bench ({data}): {args.requests} requests per page, {args.clients} clients, gunicorn "
          f"{args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    for name, results in runs.items():
        print_table(name, results)
    if args.out:
        Path(args.out).write_text(json.dumps(
            {name: [asdict(r) for r in results] for name, results in runs.items()},
            ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

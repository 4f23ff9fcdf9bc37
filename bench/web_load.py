"""Loading the pages: ApacheBench (``ab``) for the fixed requests, a thread per client for the
case transitions (each request moves another case), and the SQL statements of one request."""
from __future__ import annotations

import csv
import http.client
import json
import os
import re
import subprocess
import time
from pathlib import Path

from bench.web_pages import PAGES, PASSWORD, Page, Result
from bench.web_servers import Context, api_token


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



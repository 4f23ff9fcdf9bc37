"""One request at a time, in-process: how long a page takes alone and how many SQL statements
it sends, on a data dir prepared before (the demo, or the demo plus a county's ten years).

Load-independent evidence where a load test is not: each page is requested through the app's
own WSGI stack (Flask's test client, no HTTP server), once to warm up and then ``--runs`` times;
the median is printed. *cold* is the request right after the data changed (the data version is
advanced before it, so every figure kept per data version is computed again, as after any
write in a live county); *warm* is the same request again, as a busy page is served between two
writes. The CPU time of the cold request in this process is printed too: on SQLite that is
nearly all of a request's work (the database runs in-process), and unlike the wall time it
hardly depends on what else the machine is doing. Besides the pages, the monthly report's query (the service call the background job
makes, issue 15) is timed the same way.

Run by ``bench/web_bench.py`` in a subprocess per data dir (a fresh interpreter: one app, one
engine), or by hand::

    .venv/bin/python -m bench.web_single --data-dir /tmp/web/scale-sqlite
    .venv/bin/python -m bench.web_single --data-dir DIR --db-url postgresql://…/db --profile /cases/supervision
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_pages import PASSWORD, SINGLE_PAGES

REPORT_QUERY = "monthly report query (service call)"


def _login(client: Any, username: str) -> None:
    html = client.get("/auth/login").get_data()
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise RuntimeError("no login form with a CSRF token at /auth/login")
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token.group(1).decode()})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login as {username} answered {response.status_code}")


def _ids(db: Any) -> dict[str, Any]:
    """The newest open case, the first published need, and the first month of the ten years
    the statistics page can show at most."""
    from sqlalchemy import func, select

    from webapp.models import TERMINAL_STATUSES, Case, NeedCard, NeedStatus
    case_id = db.session.scalar(select(func.max(Case.id)).where(
        Case.status.not_in(list(TERMINAL_STATUSES))))
    need_id = db.session.scalar(select(func.min(NeedCard.id)).where(
        NeedCard.status == NeedStatus.PUBLISHED))
    db.session.rollback()
    today = dt.date.today()
    months = today.year * 12 + today.month - 1 - 119
    return {"case_id": int(case_id or 0), "need_id": int(need_id or 0),
            "ten_years": f"{months // 12}-{months % 12 + 1:02d}"}


def measure(runs: int, profile: str | None = None) -> dict[str, Any]:
    """Time each page of :data:`SINGLE_PAGES` and the report query on the app the environment
    configures (``JIUJINAN_DATA_DIR``, ``DATABASE_URL``)."""
    from sqlalchemy import event, func, select

    from webapp import caching, data_version
    from webapp.app import create_app
    from webapp.extensions import db
    from webapp.models import Case, User
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.statistics import monthly

    app = create_app()
    out: dict[str, Any] = {"pages": {}}
    with app.app_context():
        engine = db.engine
        seen = [0]

        def count(*_args: object) -> None:
            seen[0] += 1

        def changed() -> None:  # as after any write: figures kept per data version go stale
            data_version._advance(engine)

        out["cases"] = int(db.session.scalar(select(func.count(Case.id))) or 0)
        ids = _ids(db)
        clients = {"anonymous": app.test_client(), "officer": app.test_client()}
        _login(clients["officer"], "officer")
        event.listen(engine, "before_cursor_execute", count)
        for page in SINGLE_PAGES:
            client, path = clients[page.who], page.path.format(**ids)
            if profile and not re.search(profile, path):
                continue
            status = client.get(path).status_code  # warm: templates, pools, the calendar
            cold, warm, cpu = [], [], []
            statements = 0
            for _ in range(runs):
                changed()
                seen[0] = 0
                cold.append(_timed(lambda c=client, p=path: c.get(p), cpu))
                statements = seen[0]
                warm.append(_timed(lambda c=client, p=path: c.get(p)))
                caching.wait_for_figures()  # figures recomputed in the background: not in
                # the next page's time
            out["pages"][page.name] = {
                "status": status, "cold_ms": statistics.median(cold),
                "warm_ms": statistics.median(warm), "cold_cpu_ms": statistics.median(cpu),
                "statements": statements}
            if profile:
                changed()
                _profile(lambda c=client, p=path: c.get(p))
        event.remove(engine, "before_cursor_execute", count)

        officer = db.session.scalar(select(User).where(User.username == "officer"))
        settings = CaseSettings.from_config(app.config)
        today = dt.date.today()
        last_month = today.replace(day=1) - dt.timedelta(days=1)

        def report() -> None:
            monthly.monthly_report(db.session, officer, year=last_month.year,
                                   month=last_month.month, today=today, settings=settings)
            db.session.commit()

        if not profile or re.search(profile, "report"):
            report()
            cpu = []
            timings = [_timed(report, cpu) for _ in range(runs)]
            out["pages"][REPORT_QUERY] = {"status": 200, "cold_ms": statistics.median(timings),
                                          "warm_ms": statistics.median(timings),
                                          "cold_cpu_ms": statistics.median(cpu),
                                          "statements": None}
            if profile:
                _profile(report)
        db.session.remove()
        engine.dispose()
    return out


def _timed(fn: Callable[[], Any], cpu: list[float] | None = None) -> float:
    """Wall milliseconds of ``fn()``; its CPU milliseconds in this process go to ``cpu``."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    fn()
    if cpu is not None:
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return (time.perf_counter() - started) * 1000


def _profile(fn: Callable[[], Any]) -> None:
    profiler = cProfile.Profile(time.thread_time)  # CPU time: the machine may be busy
    profiler.runcall(fn)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--db-url", default="", help="PostgreSQL URL (default: the data "
                        "dir's SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", metavar="REGEX", help="only the pages whose path matches; "
                        "print a cProfile of one cold request of each to stderr")
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith(("TEST_", "ELASTICSEARCH"))]:
        del os.environ[key]
    os.environ.update(JIUJINAN_DATA_DIR=args.data_dir, DATABASE_URL=args.db_url,
                      JIUJINAN_ENV="production")
    print(json.dumps(measure(args.runs, args.profile), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long the timeliness figures and the monthly report's queries take at 300 and at 100,000
cases (ten years of a county), on SQLite and PostgreSQL, printed side by side.

The cases are synthetic rows inserted in bulk (report times over ten years, three step
deadlines each with due and done times, a help-first payment for most, closure for most);
the figures are computed by the same service functions the pages call, in-process, so the
time is the database's work plus the service's, without HTTP.

    .venv/bin/python bench/statistics_bench.py                        # both databases
    .venv/bin/python bench/statistics_bench.py --db sqlite --cases 20000
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/jiujinan_statistics_bench"


def _fill(db, n: int, seed: int = 7) -> None:
    from sqlalchemy import insert, select

    from webapp.models import (
        Case,
        CaseStatus,
        Category,
        Organisation,
        OrgKind,
        Step,
        StepDeadline,
    )
    from webapp.models.ledger import (
        AccountKind,
        LedgerAccount,
        MoneyTransfer,
        MoneyTransferKind,
        MoneyTransferStatus,
    )
    rng = random.Random(seed)
    towns = db.session.scalars(select(Organisation.id).where(
        Organisation.kind == OrgKind.TOWN)).all()
    departments = db.session.scalars(select(Organisation.id).where(
        Organisation.kind == OrgKind.DEPARTMENT)).all()
    reserve = LedgerAccount(kind=AccountKind.RESERVE, owner_id=0, name="备用金")
    world = LedgerAccount(kind=AccountKind.EXTERNAL, owner_id=0, name="外部")
    db.session.add_all([reserve, world])
    db.session.flush()
    now = dt.datetime.now(dt.UTC)
    first = now - dt.timedelta(days=3650)
    categories, sources = list(Category), ["window", "outreach", "hotline", "referral"]
    batch = 5000
    for start in range(0, n, batch):
        cases, steps, money = [], [], []
        for i in range(start, min(n, start + batch)):
            reported = first + dt.timedelta(seconds=rng.randint(0, 3650 * 86400 - 1))
            closed = rng.random() < 0.7 and reported + dt.timedelta(days=30) < now
            cases.append({"id": i + 1, "number": f"GT-B-{i + 1:07d}", "town_id": rng.choice(towns),
                          "category": rng.choice(categories).value,
                          "source": rng.choice(sources), "amount_needed": 5000,
                          "status": (CaseStatus.CLOSED if closed else CaseStatus.VERIFYING).value,
                          "reported_at": reported, "updated_at": reported,
                          "closed_at": reported + dt.timedelta(days=rng.randint(5, 30))
                          if closed else None, "urgency": 2, "description": "",
                          "services": ""})
            for step, limit in ((Step.ACCEPTANCE, 1), (Step.VERIFICATION, 5),
                                (Step.TRANSFER_ANSWER, 3)):
                began = reported + dt.timedelta(hours=rng.randint(1, 48))
                done = began + dt.timedelta(days=rng.randint(0, limit + 3))
                steps.append({"case_id": i + 1, "step": step.value,
                              "town_id": cases[-1]["town_id"],
                              "department_id": rng.choice(departments)
                              if step == Step.TRANSFER_ANSWER else None,
                              "started_at": began,
                              "due_on": (began + dt.timedelta(days=limit + 1)).date(),
                              "done_at": done if done < now else None})
            if rng.random() < 0.8:
                paid = reported + dt.timedelta(hours=rng.randint(4, 400))
                money.append({"kind": MoneyTransferKind.GREEN_CHANNEL.value,
                              "status": MoneyTransferStatus.POSTED.value,
                              "debit_account_id": reserve.id, "credit_account_id": world.id,
                              "amount": 1000, "case_id": i + 1, "reference": "",
                              "created_at": paid, "posted_at": paid})
        db.session.execute(insert(Case), cases)
        db.session.execute(insert(StepDeadline), steps)
        if money:
            db.session.execute(insert(MoneyTransfer), money)
        db.session.commit()


def _time(fn, runs: int = 5) -> float:
    fn()  # warm: the calendar table, caches
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def measure(url: str, n: int) -> dict[str, float]:
    from sqlalchemy import select

    from webapp.app import create_app
    from webapp.demo import base
    from webapp.extensions import db
    from webapp.models import Role, User, UserRole
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.statistics import monthly, timeliness
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "JOBS_IN_PROCESS": False, "SEARCH_SYNC_IN_PROCESS": False})
    out: dict[str, float] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        base.load(db.session, random.Random(1), lambda s: None)
        db.session.commit()
        _fill(db, n)
        from webapp.services.statistics import timings
        timings.rebuild(db.session)  # the bulk rows skip the services that keep the records
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        officer = db.session.scalars(select(User).join(UserRole).where(
            UserRole.role == Role.OFFICER)).first()
        settings = CaseSettings.from_config(app.config)
        today = dt.date.today()
        for by in ("town", "department", "step", "month"):
            filters = timeliness.parse_filters({"by": by}, today=today)
            out[f"figures, last 12 months, by {by}"] = _time(lambda f=filters: (
                timeliness.timeliness(db.session, officer, f, today=today, settings=settings),
                db.session.commit()))
        ten = timeliness.parse_filters({"by": "town", "from": f"{today.year - 9}-01"},
                                       today=today)
        out["figures, ten years, by town"] = _time(lambda: (
            timeliness.timeliness(db.session, officer, ten, today=today, settings=settings),
            db.session.commit()))
        month = today.replace(day=1) - dt.timedelta(days=1)
        out["monthly report figures"] = _time(lambda: (
            monthly.monthly_report(db.session, officer, year=month.year, month=month.month,
                                   today=today, settings=settings), db.session.commit()))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jj-stats-bench-"))
    os.environ.setdefault("JIUJINAN_DATA_DIR", str(tmp))
    urls = []
    if args.db in ("sqlite", "both"):
        urls.append(("SQLite", lambda n: f"sqlite:///{tmp / f'bench-{n}.db'}"))
    if args.db in ("postgresql", "both"):
        from tests.pgsetup import main as pg_setup  # creates the database if missing
        from webapp.config import normalise_db_url
        if pg_setup(args.pg_url) == 0:
            urls.append(("PostgreSQL", lambda n: normalise_db_url(args.pg_url)))
    for name, url in urls:
        small, large = measure(url(300), 300), measure(url(args.cases), args.cases)
        print(f"\n{name}: median of 5 runs, ms (service call, no HTTP)")
        print(f"{'query':<40} {'300 cases':>10} {args.cases:>8,} cases")
        for key in small:
            print(f"{key:<40} {small[key]:>10.1f} {large[key]:>14.1f}")


if __name__ == "__main__":
    main()

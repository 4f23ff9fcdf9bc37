"""At scale: the timeliness figures read from the timing records equal those computed from
the cases themselves (the reference of ``tests/webapp/statistics/test_timing_records.py``,
the computation before the records existed), and how long each takes, in the same run
(median of 3, ms, wall).

    JIUJINAN_DATA_DIR=DIR DATABASE_URL=… .venv/bin/python bench/timing_records_check.py
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from sqlalchemy import select

    from tests.webapp.statistics import test_timing_records as reference
    from webapp.app import create_app
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.statistics import timeliness as T

    app = create_app()
    differ = 0
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        settings = CaseSettings.from_config(app.config)
        today = dt.date.today()
        views = [({}, "last 12 months by town"), ({"by": "department"}, "by department"),
                 ({"by": "step"}, "by step"),
                 ({"by": "month", "from": f"{today.year - 9}-01"}, "ten years by month"),
                 ({"step": "transfer_answer"}, "one step, by town")]
        for args, name in views:
            filters = T.parse_filters(args, today=today)

            def new(f: T.Filters = filters) -> T.Figures:
                return T.timeliness(db.session, officer, f, today=today, settings=settings)

            def old(f: T.Filters = filters) -> tuple:
                return reference.reference(db.session, f, settings, today)

            got, (cases, total, steps) = new(), old()
            same = ({r.key: replace(r, label="") for r in got.cases} == cases
                    and replace(got.case_total, label="") == total
                    and {r.key: replace(r, label="") for r in got.steps} == steps)
            differ += not same

            def timed(fn) -> float:
                samples = []
                for _ in range(3):
                    started = time.perf_counter()
                    fn()
                    samples.append((time.perf_counter() - started) * 1000)
                return statistics.median(samples)

            print(f"{name:<24} same={same}  records {timed(new):7.1f} ms  "
                  f"cases (before) {timed(old):7.1f} ms", flush=True)
            db.session.rollback()
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

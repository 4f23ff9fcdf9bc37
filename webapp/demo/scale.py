"""A county's ten years at scale: ``flask demo scale --cases 100000``.

On top of the Gaotang demo (loaded first, if it is not there yet) it adds ``cases`` synthetic
cases spread over the ten years before today: the old ones ended (closed, refused, rejected,
withdrawn), the last few percent still open in every state. Each case has its applicant (the
personal columns sealed with the app's field key, as the ORM would seal them), household,
timeline (about ten lines a case), step deadlines (a few overdue), transfers to departments,
and, where the case was approved, a case account with its reservation and, once paid, its
voucher, journal entries and lines. Published and helped cases have a need card; published
cards get pledges and matching proposals; a few hundred more charity projects are listed and
some wait for review.

The rows are written in bulk, not through the ORM: SQLAlchemy Core ``executemany`` on SQLite
and ``COPY`` on PostgreSQL, a chunk of cases at a time, with the column types' own bind
processing (so encrypted columns go through :class:`EncryptedText` and dates are stored the way
the app stores them). Everything is drawn from one seeded generator: the same ``--seed`` and
``--cases`` give the same data. The data skips the audit trail: these rows stand for history
from before the system, which is how an import of a county's records would arrive.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.demo import base, load_demo
from webapp.demo import cases as demo_cases
from webapp.demo import ledger as demo_ledger
from webapp.demo.base import DEPARTMENTS, TOWNS, VILLAGES
from webapp.demo.bulk import table_of
from webapp.demo.scale_history import DEPT_CODES, OPEN_SHARE, YEARS, CaseHistory
from webapp.models import (
    Case,
    CaseNumberCounter,
    Category,
    ListingReview,
    ListingStatus,
    Organisation,
    OrgKind,
    Project,
    User,
)
from webapp.models.ledger import LedgerAccount
from webapp.services import ledger
from webapp.services.ledger.accounts import reserve_account

CHUNK = 5000


class ScaleLoader(CaseHistory):
    """Generates the ten years chunk by chunk and writes them with a :class:`BulkWriter`."""

    # -- reference data ----------------------------------------------------------------

    def _reference(self) -> None:
        s = self.session
        orgs = {o.name: o for o in s.scalars(select(Organisation))}
        self.towns = [orgs[t] for t in TOWNS]
        self.villages = {t: [orgs[f"{t}{v}"] for v in VILLAGES[t]] for t in TOWNS}
        self.departments = {code: orgs[DEPARTMENTS[code]] for code in DEPT_CODES}
        users = {u.username: u for u in s.scalars(select(User))}
        self.workers = [users["intake" if t == "梁村镇" else f"intake-{i:02d}"]
                        for i, t in enumerate(TOWNS, start=1)]
        self.handlers = {code: users["dept" if code == "education" else f"dept-{code}"]
                         for code in DEPT_CODES}
        self.officer, self.payer = users["officer"], users["officer2"]
        self.donors = [u for u in users.values() if u.username.startswith("donor")] or \
            [users["donor"]]
        self.charities = [o for o in orgs.values() if o.kind is OrgKind.CHARITY]
        self.reserve = reserve_account(s)
        counters = {c.year: c.last for c in s.scalars(select(CaseNumberCounter))}
        self.counters = counters

    def _listings(self) -> None:
        """A few hundred more charity projects over the years; some wait for review."""
        count = max(10, self.cases // 250)
        rows: list[dict[str, Any]] = []
        reviews: list[dict[str, Any]] = []
        for i in range(count):
            org = self.charities[i % len(self.charities)]
            pending = i % 10 == 0
            created = self.now - dt.timedelta(days=self.rng.randint(1, 365 * YEARS))
            project_id = self._id("project")
            category = self.rng.choice(list(Category))
            rows.append({
                "id": project_id, "organisation_id": org.id,
                "title": f"{org.name[:6]}{category.value}专项救助第{i + 1}期",
                "description": "面向急难家庭的专项救助项目，按规定审核后拨付。",
                "categories": category.value, "towns": "",
                "status": "pending_review" if pending else "listed",
                "listed_at": None if pending else created, "created_at": created,
                "updated_at": created, "budget": Decimal(self.rng.choice([50000, 100000, 200000])),
                "per_case_cap": Decimal(5000), "requires": "", "featured": False})
            if pending:
                reviews.append({
                    "id": self._id("review"), "kind": "project", "listing_id": project_id,
                    "organisation_id": org.id, "decision": "pending", "changed_fields": "",
                    "submitted_at": created})
        self.writer.write(table_of(Project), rows)
        self.writer.write(table_of(ListingReview), reviews)

    # -- the whole run -----------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self._reference()
        self.session.flush()
        self.ids = {name: self.writer.next_id(table_of(model)) for name, model in self.MODELS.items()}
        self.reserve_totals = {"debits_pending": Decimal(0), "debits_posted": Decimal(0)}
        self.need_numbers: dict[int, int] = {}
        self._listings()
        self.projects = list(self.session.connection().scalars(select(Project.id).where(
            Project.status == ListingStatus.LISTED.value)))
        order = ["applicant", "case", "household", "transfer", "deadline", "event", "account",
                 "money", "entry", "line", "voucher", "need", "pledge", "proposal"]
        for begin in range(0, self.cases, CHUNK):
            rows: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
            for index in range(begin, min(begin + CHUNK, self.cases)):
                self._case(index, rows)
            for name in order:
                self.writer.write(table_of(self.MODELS[name]), rows[name])
            self.echo(f"  {min(begin + CHUNK, self.cases):,} / {self.cases:,} cases")
        self._finish()
        return dict(self.writer.written)

    def _finish(self) -> None:
        connection = self.writer.connection
        self.writer.reset_sequences(table_of(m) for m in self.MODELS.values())  # before ORM inserts
        # The reserve's stored totals follow its journal lines; fund it first for the grants.
        granted = self.reserve_totals["debits_pending"] + self.reserve_totals["debits_posted"]
        if granted:
            ledger.top_up(self.session, None, source="reserve", source_id=None,
                          amount=granted, reference="县财政拨付临时救助资金（历年）")
            self.session.flush()
        table = table_of(LedgerAccount)
        connection.execute(table.update().where(table.c.id == self.reserve.id).values(
            debits_pending=table.c.debits_pending + self.reserve_totals["debits_pending"],
            debits_posted=table.c.debits_posted + self.reserve_totals["debits_posted"]))
        counters = table_of(CaseNumberCounter)
        existing = set(connection.scalars(select(counters.c.year)))
        for year, last in sorted(self.counters.items()):
            if year in existing:
                connection.execute(counters.update().where(counters.c.year == year)
                                   .values(last=last))
            else:
                connection.execute(counters.insert().values(year=year, last=last))
        self.writer.reset_sequences(table_of(m) for m in self.MODELS.values())
        self.session.expire_all()


def load_scale(session: Session, *, cases: int, seed: int, demo: bool = True,
               open_share: float = OPEN_SHARE, echo: Callable[[str], None] = lambda s: None) -> dict[str, int]:
    """Add ``cases`` synthetic cases of ten years (and what hangs on them) in bulk.

    With ``demo`` the whole Gaotang demo is loaded first (if it is not there yet); without,
    only what the synthetic rows refer to: organisations, staff logins and the reserve. A
    second call adds ``cases`` more, numbered after the first ones. ``open_share`` is the
    share of the newest cases that are still open (in every state of the workflow).
    """
    if demo:
        load_demo(session, seed=seed, echo=echo)
    else:
        counter = {"organisations": 0, "users": 0}
        base.load(session, random.Random(seed), echo)  # noqa: S311
        demo_cases._staff(session, counter)
        demo_ledger._officers(session, counter)
        session.flush()
    offset = session.scalar(select(func.count(Case.id)).where(
        Case.external_ref.like("scale-%"))) or 0
    written = ScaleLoader(session, cases=cases, seed=seed, offset=offset,
                          open_share=open_share, echo=echo).run()
    # The bulk rows skip the services: their timing records and month histograms are
    # counted from them at once.
    from webapp.services.statistics import timings
    timings.rebuild(session, echo=echo)
    return written

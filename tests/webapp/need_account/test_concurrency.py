"""Concurrent reservations, pledges and pledge confirmations on one need never push what it
has been given above what it needs (threads with their own sessions; row locks on PostgreSQL,
BEGIN IMMEDIATE on SQLite)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from webapp.services import ConflictError, DomainError


def _run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def _in_thread(app, action):
    from webapp.extensions import db
    with app.app_context():
        try:
            action(db.session)
            db.session.commit()
            return "done"
        except (DomainError, ConflictError):
            db.session.rollback()
            return "refused"
        finally:
            db.session.remove()


def test_concurrent_reservations_and_pledges_never_exceed_the_need(app, db, state):
    from webapp.models import Case, Pledge, User
    from webapp.services import ledger, need_account, pledges

    waiting = []
    for _ in range(6):  # ¥6,000 pledged, awaiting confirmation
        pledge = pledges.make_pledge(db.session, state.donor, need=state.card, amount="1000")
        waiting.append(pledge.id)
    db.session.commit()
    ids = dict(state.ids)
    db.session.remove()

    def reserve(session):
        ledger.reserve_for_case(session, session.get(User, ids["officer"]), source="fund",
                                source_id=ids["fund"], case=session.get(Case, ids["case"]),
                                amount="1000", reference="并发预留")

    def confirm(pledge_id):
        def run(session):
            pledges.confirm_pledge(session, session.get(User, ids["officer"]),
                                   session.get(Pledge, pledge_id))
        return run

    work = [reserve] * 8 + [confirm(p) for p in waiting]
    results = _run_together(len(work), lambda i: _in_thread(app, work[i]))

    db.session.expire_all()
    account = need_account.help_account(db.session, ids["case"])
    assert account.needed == Decimal("10000.00")
    assert account.covered == Decimal("10000.00")  # every unit of ¥1,000 fits exactly
    assert account.gap == Decimal("0.00")
    assert results.count("done") == 10
    assert results.count("refused") == len(work) - 10
    assert account.granted + account.pledged == account.covered
    assert ledger.verify_ledger(db.session).problems == []

"""The N+1 detector: no listed page's SQL statement count grows with the rows it shows.

Each page of issue 16's list (the public pages and API, and the staff pages) is requested at two
sizes of the same synthetic county (``webapp.demo.scale``): a few cases, then several times as
many, with the measured case's timeline, transfers and deadlines and the measured need's
pledges grown as well. The statements sent to the database for one request are counted with a
SQLAlchemy cursor event (after one warm-up request, as a running server would have warmed its
caches). A page whose count differs between the two sizes issues a statement per row: a lazy
relationship loaded in a loop.

Proved to fail (not committed): with a lazy relationship read per row on a listed page,
``<tr data-owner="{{ c.owner.display_name if c.owner }}">`` in the row loop of
``cases/list.html``, this test failed with "statements per request grew with the rows shown
(N+1): /cases/: 24 → 26". Before this test existed it found the supervision board (30 → 80:
case, town, department and person of each overdue step) and the review queue (one listing per
row), both fixed.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, func, select

from webapp.demo.bulk import BulkWriter
from webapp.demo.scale import load_scale
from webapp.models import Case, CaseEvent, CaseStatus, NeedCard, NeedStatus, Pledge, User

PAGES = (
    # (who, path) — path placeholders: {need_id}, {case_id}
    ("anonymous", "/home"),
    ("anonymous", "/needs"),
    ("anonymous", "/needs/{need_id}"),
    ("anonymous", "/projects"),
    ("anonymous", "/transparency"),
    ("anonymous", "/api/v1/needs"),
    ("anonymous", "/api/v1/needs/{need_id}"),
    ("anonymous", "/api/v1/search?q=%E6%95%91%E5%8A%A9"),
    ("officer", "/cases/"),
    ("officer", "/cases/{case_id}"),
    ("officer", "/cases/supervision"),
    ("officer", "/ledger/"),
    ("officer", "/portal/review"),
)


def _grow(db, case_id: int, need_id: int, times: int) -> None:
    """More timeline lines on the measured case and more pledges on the measured need."""
    writer = BulkWriter(db.session.connection())
    worker = db.session.scalar(select(Case.owner_id).where(Case.id == case_id))
    donor = db.session.scalar(select(User.id).where(User.username == "donor"))
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    status = db.session.scalar(select(Case.status).where(Case.id == case_id)).value
    first_event = writer.next_id(CaseEvent.__table__)
    writer.write(CaseEvent.__table__, [{
        "id": first_event + i, "case_id": case_id, "at": start + dt.timedelta(hours=i), "actor_id": worker,
        "action": "handover", "from_status": status, "to_status": status, "note": "移交承办人"}
        for i in range(times)])
    first_pledge = writer.next_id(Pledge.__table__)
    writer.write(Pledge.__table__, [{
        "id": first_pledge + i, "reference": f"PL-T{first_pledge + i:08d}", "donor_id": donor,
        "need_id": need_id, "amount": 100, "status": "pledged", "created_at": start}
        for i in range(times)])
    writer.reset_sequences([CaseEvent.__table__, Pledge.__table__])


def _count(app, clients: dict, path: str, who: str) -> tuple[int, int]:
    from webapp.extensions import db
    seen = [0]

    def count(*_args: object) -> None:
        seen[0] += 1

    clients[who].get(path)  # warm-up
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = clients[who].get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return response.status_code, seen[0]


def _rows_shown(html: bytes) -> int:
    return len(re.findall(rb"<tr", html))


@pytest.fixture
def county(app, db, demo_base, search_index):
    from webapp.services.search import sync
    load_scale(db.session, cases=10, seed=7, demo=False, open_share=0.8)
    db.session.commit()
    sync.rebuild_index(db.session, search_index)
    db.session.commit()
    return sync, search_index


def test_no_page_issues_a_statement_per_row(app, db, county, auth):
    sync, index = county
    case_id = db.session.scalar(select(func.min(Case.id)).where(
        Case.status == CaseStatus.IN_ASSISTANCE))
    need_id = db.session.scalar(select(func.min(NeedCard.id)).where(
        NeedCard.status == NeedStatus.PUBLISHED))
    assert case_id and need_id, "the small county has a case in assistance and a published need"
    anonymous, officer = app.test_client(), app.test_client()
    auth.__class__(officer).login("officer")
    clients = {"anonymous": anonymous, "officer": officer}
    paths = [(who, path.format(case_id=case_id, need_id=need_id)) for who, path in PAGES]

    small = {path: _count(app, clients, path, who) for who, path in paths}
    cases_small = officer.get("/cases/").get_data()

    load_scale(db.session, cases=40, seed=7, demo=False, open_share=0.7)
    _grow(db, case_id, need_id, times=25)
    db.session.commit()
    sync.rebuild_index(db.session, index)
    db.session.commit()
    large = {path: _count(app, clients, path, who) for who, path in paths}

    # The larger county really shows more rows (else the comparison proves nothing).
    assert _rows_shown(officer.get("/cases/").get_data()) > _rows_shown(cases_small)
    assert db.session.scalar(select(func.count(CaseEvent.id)).where(
        CaseEvent.case_id == case_id)) >= 25
    for _who, path in paths:
        assert small[path][0] == 200 and large[path][0] == 200, (path, small[path], large[path])
    grown = {path: (small[path][1], large[path][1]) for _who, path in paths
             if small[path][1] != large[path][1]}
    assert not grown, "statements per request grew with the rows shown (N+1): " + ", ".join(
        f"{path}: {a} → {b}" for path, (a, b) in grown.items())

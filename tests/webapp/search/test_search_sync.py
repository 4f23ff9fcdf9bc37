"""The outbox: written with the change, drained into the index, kept while the engine is down."""
from __future__ import annotations

import shutil
import time

import pytest
from sqlalchemy import select

from search.backend import SearchUnavailable
from search.documents import SearchQuery
from webapp.models import NeedStatus, SearchOutbox
from webapp.models.resources import ListingStatus
from webapp.models.search_outbox import OutboxOp
from webapp.services import needs
from webapp.services.search import sync as search_sync


def _outbox(db) -> list[tuple[str, int, OutboxOp]]:
    return [(r.kind, r.object_id, r.op)
            for r in db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id))]


def _ids(backend, text: str = "", **filters) -> set[tuple[str, str]]:
    result = backend.search(SearchQuery(text=text, filters=filters, per_page=100))
    return {(hit.kind, hit.id) for hit in result.hits}


class DownBackend:
    """An engine that refuses every call, as an unreachable Elasticsearch does."""

    def health(self):
        from search.documents import Health
        return Health(False, "down", "unreachable")

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise SearchUnavailable("unreachable")
        return refuse


def test_outbox_publish_adds_row_in_same_transaction(db, search_index, case_with_applicant,
                                                     officer):
    card = needs.publish_need(db.session, officer, case_with_applicant())
    assert _outbox(db) == [("need", card.id, OutboxOp.UPSERT)]
    db.session.rollback()
    assert _outbox(db) == []


def test_drain_indexes_published_need_and_empties_outbox(db, drain, search_index,
                                                         case_with_applicant,
                                                         publish):
    card = publish(case_with_applicant())
    report = drain()
    assert not report.unavailable
    assert ("need", str(card.id)) in _ids(search_index)
    assert _outbox(db) == []


def test_drain_unpublished_need_leaves_index(db, no_worker, drain, search_index,
                                             case_with_applicant,
                                             publish, officer):
    case = case_with_applicant()
    card = publish(case)
    drain()
    needs.unpublish_need(db.session, officer, case)
    db.session.commit()
    assert _outbox(db)[-1] == ("need", card.id, OutboxOp.DELETE)
    drain()
    assert _ids(search_index, "白血病") == set()


def test_drain_draft_card_is_not_indexed(db, drain, search_index, case_with_applicant, publish):
    card = publish(case_with_applicant())
    card.status = NeedStatus.DRAFT
    search_sync.enqueue(db.session, "need", card.id, OutboxOp.UPSERT)
    db.session.commit()
    drain()
    assert _ids(search_index) == set()


def test_worker_makes_commit_searchable_within_one_second(db, search_index, case_with_applicant,
                                                          officer):
    card = needs.publish_need(db.session, officer, case_with_applicant())
    db.session.commit()
    card_id = str(card.id)
    db.session.close()  # release the SQLite write lock so the worker can drain
    deadline = time.monotonic() + 1.0
    while ("need", card_id) not in _ids(search_index) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ("need", card_id) in _ids(search_index)


def test_drain_listing_taken_off_list_is_deleted(db, drain, search_index, announced_listing):
    from webapp.services import events
    project = announced_listing("project", title="大学新生助学金")
    drain()
    assert ("project", str(project.id)) in _ids(search_index, "助学")
    project.status = ListingStatus.PAUSED
    events.publish(db.session, events.ListingChanged("project", project.id))
    db.session.commit()
    drain()
    assert _ids(search_index, "助学") == set()


def test_drain_unlisted_listing_is_never_indexed(db, drain, search_index, announced_listing):
    announced_listing("fund", title="助学基金草稿", status=ListingStatus.PENDING_REVIEW)
    drain()
    assert _ids(search_index) == set()


def test_case_event_requeues_published_card(db, search_index, case_with_applicant, publish):
    from webapp.services import events
    case = case_with_applicant()
    card = publish(case)
    search_sync.drain(db.session, search_index)
    events.publish(db.session, events.CaseApproved(case, None, case.amount_needed))
    assert _outbox(db) == [("need", card.id, OutboxOp.UPSERT)]
    db.session.rollback()


def test_drain_engine_down_keeps_outbox_and_write_succeeds(app, db, no_worker, case_with_applicant,
                                                          publish, search_index):
    app.extensions["search_backend"] = DownBackend()
    card = publish(case_with_applicant())
    report = search_sync.drain(db.session, DownBackend())
    assert report.unavailable and report.applied == 0
    assert db.session.get(type(card), card.id).status == NeedStatus.PUBLISHED
    assert [row[1] for row in _outbox(db)] == [card.id]
    app.extensions["search_backend"] = search_index
    assert search_sync.drain(db.session, search_index).applied == 1
    assert _ids(search_index) == {("need", str(card.id))}


def test_drain_rebuilds_index_whose_directory_was_removed(db, no_worker, drain, search_index,
                                                         case_with_applicant, publish):
    first = publish(case_with_applicant())
    drain()
    shutil.rmtree(search_index.root)
    with pytest.raises(SearchUnavailable):
        search_index.search(SearchQuery())
    second = publish(case_with_applicant(description="尿毒症透析费用缺口较大。"))
    report = drain()
    assert report.rebuilt
    assert _ids(search_index) == {("need", str(first.id)), ("need", str(second.id))}


def test_rebuild_index_holds_only_public_records(db, search_index, case_with_applicant, publish,
                                                 announced_listing, officer):
    shown = publish(case_with_applicant())
    hidden = case_with_applicant(description="车祸受伤。")
    publish(hidden)
    needs.unpublish_need(db.session, officer, hidden)
    db.session.commit()
    project = announced_listing("project", title="心理疏导志愿项目")
    announced_listing("offer", title="草稿服务", status=ListingStatus.DRAFT)
    count = search_sync.rebuild_index(db.session, search_index)
    assert count == 2
    assert _ids(search_index) == {("need", str(shown.id)), ("project", str(project.id))}


@pytest.mark.postgres_only
def test_drain_writer_lock_admits_one_writer(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writers itself")
    from sqlalchemy import text
    search_sync._take_writer_lock(db.session)
    with db.engine.connect() as other:
        got = other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"),
                            {"k": search_sync._LOCK_KEY}).scalar()
        other.rollback()
    db.session.rollback()
    assert got is False


def test_sqlite_drain_writes_the_index_without_holding_the_write_lock(
        db, no_worker, search_index, case_with_applicant, publish, monkeypatch):
    """Each pledge wakes the drain: while it indexes, the app's writers must not wait for it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock; PostgreSQL writers never wait for the drain")
    import sqlite3
    card = publish(case_with_applicant())
    writable: list[bool] = []
    index_many = search_index.index_many

    def index_while_another_writes(docs):
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the drain held the lock
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return index_many(docs)

    monkeypatch.setattr(search_index, "index_many", index_while_another_writes)
    report = search_sync.drain(db.session, search_index)
    assert writable == [True]
    assert report.applied == 1 and not report.unavailable
    assert ("need", str(card.id)) in _ids(search_index)
    assert _outbox(db) == []

"""Keeping the search index in step with the database through a transactional outbox.

Domain events about need cards and listings add ``SearchOutbox`` rows in the transaction that
made the change. After that transaction commits, the in-process worker (or ``flask search sync
--follow`` elsewhere) drains the outbox: it re-reads each record, upserts the public ones,
deletes the rest, and removes the rows. One writer drains at a time (a PostgreSQL advisory
lock; SQLite serialises writers itself). When the engine is down the rows stay for later; when
the embedded index was lost, the drain rebuilds it from the database first.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from search.backend import SearchBackend, SearchError, make_backend
from search.documents import SearchDocument
from webapp import background
from webapp.database import WriteMutex, reading
from webapp.extensions import db
from webapp.models import NeedCard, NeedStatus, SearchOutbox, utcnow
from webapp.models.resources import LISTING_MODELS, ListingKind, ListingStatus
from webapp.models.search_outbox import OutboxOp
from webapp.services import events
from webapp.services.search.documents import (
    LISTING_KINDS,
    NEED,
    SEARCH_KINDS,
    TownNames,
    all_documents,
    load_documents,
    public_counts,
)

log = logging.getLogger(__name__)
WORKER = "search"
BATCH = 500
# Key of the PostgreSQL advisory lock held by the one outbox writer ("jjnSEARC").
_LOCK_KEY = 0x6A6A6E5345415243
# Changes this close to a rebuild's start are re-applied after it, in case they raced it.
_REBUILD_MARGIN = dt.timedelta(seconds=5)
_backend_lock = threading.Lock()


# ---- the engine ---------------------------------------------------------------------------

def get_backend(app: Flask | None = None) -> SearchBackend:
    """The app's search backend (Elasticsearch or embedded, from ``SEARCH_URL``)."""
    app = app or current_app
    backend = app.extensions.get("search_backend")
    if backend is None:
        with _backend_lock:
            backend = app.extensions.get("search_backend")
            if backend is None:
                backend = make_backend(app.config["SEARCH_URL"])
                app.extensions["search_backend"] = backend
    return backend


def init_app(app: Flask) -> None:
    """Register the in-process outbox worker (unless ``SEARCH_SYNC_IN_PROCESS`` is off).

    The worker runs after each commit that wrote outbox rows, once after the first request
    (rows left by an earlier process), and again ``SEARCH_RETRY_SECONDS`` after the engine
    refused a drain, so the outbox catches up when the engine is back.
    """
    app.extensions.setdefault("search_backend", None)
    if not app.config.get("SEARCH_SYNC_IN_PROCESS", True):
        return
    retry = threading.Lock()

    def kick() -> None:
        app.extensions["background_workers"][WORKER].kick()

    def retry_later() -> None:
        if not retry.acquire(blocking=False):
            return  # a retry is already scheduled

        def fire() -> None:
            retry.release()
            kick()
        timer = threading.Timer(app.config["SEARCH_RETRY_SECONDS"], fire)
        timer.daemon = True
        timer.start()

    def run() -> DrainReport:
        report = drain(db.session, lambda: get_backend(app))
        if report.unavailable:
            retry_later()
        return report

    background.register_worker(app, WORKER, run)
    started = threading.Event()

    @app.before_request
    def _drain_leftovers_once() -> None:
        if not started.is_set():
            started.set()
            kick()


# ---- writing the outbox -------------------------------------------------------------------

def enqueue(session: Session, kind: str, object_id: int, op: OutboxOp) -> SearchOutbox:
    """Record that the index entry of (kind, object_id) must be updated after commit."""
    if kind not in SEARCH_KINDS:
        raise ValueError(f"not a searchable kind: {kind!r}")
    row = SearchOutbox(kind=kind, object_id=int(object_id), op=op)
    session.add(row)
    session.flush()
    background.request_kick(session, WORKER)
    return row


def _need_op(card: NeedCard) -> OutboxOp:
    return OutboxOp.UPSERT if card.status == NeedStatus.PUBLISHED else OutboxOp.DELETE


def on_need_changed(session: Session,
                    event: events.NeedPublished | events.NeedUnpublished | events.NeedChanged,
                    ) -> None:
    enqueue(session, NEED, event.need.id, _need_op(event.need))


def on_case_changed(session: Session, event: events.CaseChanged) -> None:
    """Case changes may change the amounts or status shown on its need card."""
    if isinstance(event, events.CaseProgressed) and event.action in ("publish", "unpublish"):
        return  # publishing and unpublishing announce NeedPublished / NeedUnpublished
    card = session.scalars(select(NeedCard).where(NeedCard.case_id == event.case.id)).first()
    if card is not None and card.published_at is not None:
        enqueue(session, NEED, card.id, _need_op(card))


def on_listing_changed(session: Session, event: events.ListingChanged) -> None:
    kind, id = event.kind, event.id
    if kind not in LISTING_KINDS:
        return
    listing = session.get(LISTING_MODELS[ListingKind(kind)], id)
    op = OutboxOp.UPSERT if listing is not None and listing.status == ListingStatus.LISTED \
        else OutboxOp.DELETE
    enqueue(session, kind, id, op)


# ---- draining -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DrainReport:
    """What one drain did: rows applied, and whether the engine refused (rows kept)."""

    applied: int
    unavailable: bool = False
    rebuilt: bool = False


def _take_writer_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    # SQLite: every transaction begins IMMEDIATE (webapp.database), holding the write lock.


def _claim(session: Session, limit: int) -> list[SearchOutbox]:
    return list(session.scalars(select(SearchOutbox).order_by(SearchOutbox.id).limit(limit)
                                .with_for_update(skip_locked=True)))


def apply_changes(session: Session, backend: SearchBackend,
                  keys: Iterable[tuple[str, int]]) -> int:
    """Upsert the public records among ``keys`` and delete the others from the index."""
    wanted: dict[str, set[int]] = {}
    for kind, object_id in keys:
        if kind in SEARCH_KINDS:
            wanted.setdefault(kind, set()).add(object_id)
    towns = TownNames(session)
    upserts: list[SearchDocument] = []
    removals: dict[str, list[str]] = {}
    for kind, ids in wanted.items():
        found = load_documents(session, kind, sorted(ids), towns)
        upserts.extend(found.values())
        gone = sorted(ids - found.keys())
        if gone:
            removals[kind] = [str(i) for i in gone]
    if upserts:
        backend.index_many(upserts)
    for kind, gone_ids in removals.items():
        backend.delete(kind, gone_ids)
    return len(upserts) + sum(len(gone_ids) for gone_ids in removals.values())


BackendSource = SearchBackend | Callable[[], SearchBackend]


def _drain_batch(session: Session, source: BackendSource, limit: int) -> tuple[int, bool]:
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        mutex = WriteMutex.for_database(bind.engine.url.database, "-search-drain")
        if mutex is not None:
            if not mutex.acquire():
                return 0, False  # another drainer is at work; the rows stay for it
            try:
                return _drain_batch_sqlite(session, source, limit)
            finally:
                mutex.release()
    return _drain_batch_locked(session, source, limit)


def _drain_batch_sqlite(session: Session, source: BackendSource,
                        limit: int) -> tuple[int, bool]:
    """On SQLite, under the drainers' own mutex: claim and index in a read transaction, then
    take the database's one write lock only to delete the rows applied.

    Holding the write lock while documents were loaded and the index written (as
    :func:`_drain_batch_locked` does) queued every write of the app behind the drain: each
    pledge wakes it. A change committed after the read has an outbox row of its own, not
    deleted here, so the next batch indexes it; the mutex keeps two drainers from indexing
    out of order."""
    with reading():
        rows = _claim(session, limit)
        if not rows:
            session.commit()
            return 0, False
        backend = source() if callable(source) else source
        if not backend.health().ok:
            session.rollback()  # rebuilding writes: the whole batch under the write lock
            return _drain_batch_locked(session, source, limit)
        ids = [r.id for r in rows]
        apply_changes(session, backend, ((r.kind, r.object_id) for r in rows))
        session.commit()
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))
    session.commit()
    return len(ids), False


def _drain_batch_locked(session: Session, source: BackendSource,
                        limit: int) -> tuple[int, bool]:
    _take_writer_lock(session)
    rows = _claim(session, limit)
    if not rows:
        session.commit()
        return 0, False
    # Resolved after the claim, so rows always reach the backend the app uses now.
    backend = source() if callable(source) else source
    rebuilt = False
    if not backend.health().ok:
        # The index is missing or unreadable: the database is the truth, build it again.
        rebuild_index(session, backend)
        rebuilt = True
    else:
        apply_changes(session, backend, ((r.kind, r.object_id) for r in rows))
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
    session.commit()
    return len(rows), rebuilt


def drain(session: Session, backend: BackendSource, *, batch: int = BATCH) -> DrainReport:
    """Apply and remove every outbox row; stop (keeping the rows) if the engine is down.

    ``backend`` is the engine, or a callable returning it (the in-process worker passes the
    app's accessor).
    """
    applied, rebuilt = 0, False
    while True:
        try:
            done, did_rebuild = _drain_batch(session, backend, batch)
        except (SearchError, OSError) as exc:
            session.rollback()
            log.warning("search engine unavailable (%s); outbox rows kept for later",
                        type(exc).__name__)
            return DrainReport(applied, unavailable=True, rebuilt=rebuilt)
        rebuilt = rebuilt or did_rebuild
        if done == 0:
            return DrainReport(applied, rebuilt=rebuilt)
        applied += done


def pending_count(session: Session) -> int:
    """Outbox rows not yet applied."""
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


# ---- rebuilding ---------------------------------------------------------------------------

def _changed_since(session: Session, since: dt.datetime) -> Iterator[tuple[str, int]]:
    for card_id in session.scalars(select(NeedCard.id).where(NeedCard.updated_at >= since)):
        yield NEED, card_id
    for kind, model in LISTING_MODELS.items():
        for listing_id in session.scalars(select(model.id).where(model.updated_at >= since)):
            yield kind.value, listing_id


def rebuild_index(session: Session, backend: SearchBackend, *,
                  wrap: Callable[[Iterator[SearchDocument]], Iterable[SearchDocument]]
                  | None = None) -> int:
    """Rebuild the whole index from the database; ``wrap`` may add a progress bar.

    Searches keep answering from the old index until the new one is swapped in. Records
    changed while the rebuild ran are applied again afterwards, so none is lost to the swap.
    """
    started = utcnow()
    docs = all_documents(session)
    count = backend.rebuild(wrap(docs) if wrap else docs)
    apply_changes(session, backend, _changed_since(session, started - _REBUILD_MARGIN))
    return count


def expected_count(session: Session) -> int:
    """Number of documents a complete index holds."""
    return public_counts(session)

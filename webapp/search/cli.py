"""``flask search``: drain the outbox as a separate worker, rebuild the index, show its state."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from search.backend import SearchError
from search.evaluation import evaluate as run
from search.evaluation import evaluate_snapshot, format_report, load_judged
from webapp.extensions import db
from webapp.services.search import sync as search_sync

search_cli = AppGroup("search", help="The search index (embedded engine or Elasticsearch).")


@search_cli.command("sync")
@click.option("--follow", is_flag=True, help="Keep draining the outbox until interrupted.")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
def sync(follow: bool, interval: float):
    """Apply pending index updates from the outbox (once, or continuously with --follow)."""
    backend = search_sync.get_backend()
    while True:
        report = search_sync.drain(db.session, backend)
        if report.applied:
            click.echo(f"applied {report.applied} index update(s)"
                       + (" after rebuilding the index" if report.rebuilt else ""))
        if report.unavailable:
            click.echo(f"search engine unavailable; {search_sync.pending_count(db.session)} "
                       "update(s) kept in the outbox", err=True)
        db.session.rollback()
        if not follow:
            if report.unavailable:
                raise SystemExit(1)
            break
        time.sleep(interval)


def rebuild(echo=click.echo, *, progress: bool = False) -> int:
    """Rebuild the index from the database; used by ``reindex`` and ``flask derived rebuild``."""
    backend = search_sync.get_backend()
    total = search_sync.expected_count(db.session)
    if progress:
        with click.progressbar(length=total, label="indexing", show_pos=True) as bar:
            def wrap(docs):
                for doc in docs:
                    bar.update(1)
                    yield doc
            count = search_sync.rebuild_index(db.session, backend, wrap=wrap)
    else:
        count = search_sync.rebuild_index(db.session, backend)
    # The rebuild already holds every change; applying the outbox again only empties it.
    search_sync.drain(db.session, backend)
    echo(f"search index rebuilt: {count} document(s)")
    return count


@search_cli.command("reindex")
def reindex():
    """Rebuild the whole index from the database; searches keep working meanwhile."""
    try:
        rebuild(progress=True)
    except SearchError as exc:
        db.session.rollback()
        raise click.ClickException(f"search engine unavailable: {exc}") from None
    db.session.commit()


@search_cli.command("status")
def status():
    """Show the engine's health, its document count and the outbox backlog."""
    health = search_sync.get_backend().health()
    click.echo(f"backend: {health.backend} ({health.location})")
    click.echo(f"state: {'ok' if health.ok else 'UNAVAILABLE'} - {health.detail}")
    click.echo(f"documents: {health.doc_count if health.doc_count is not None else '-'} "
               f"(database has {search_sync.expected_count(db.session)} public records)")
    click.echo(f"outbox: {search_sync.pending_count(db.session)} pending update(s)")
    db.session.rollback()
    if not health.ok:
        raise SystemExit(1)


@search_cli.command("evaluate")
@click.option("--judged", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of queries.json and documents.json "
                                 "(default: tests/search/judged).")
@click.option("--snapshot", is_flag=True,
              help="Search the judged folder's documents in a temporary index instead of the "
                   "live one (whose records may have changed since they were judged).")
def evaluate(folder: Path | None, snapshot: bool):
    """nDCG@10, recall@10 and zero-result rate of the judged queries, plain vs expanded."""


    folder = folder or Path(current_app.root_path).parent / "tests" / "search" / "judged"
    queries, docs = load_judged(folder)
    if snapshot:
        report = evaluate_snapshot(queries, docs)
    else:
        report = run(search_sync.get_backend(), queries)
    click.echo(f"{len(queries)} judged queries from {folder}"
               f" ({'their documents' if snapshot else 'the live index'})")
    click.echo(format_report(report))

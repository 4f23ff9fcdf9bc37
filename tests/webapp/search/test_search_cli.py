"""flask search sync / reindex / status, and the derived-store rebuilder."""
from __future__ import annotations

from search.documents import SearchQuery
from webapp.services.search import sync as search_sync


def _count(backend) -> int:
    return backend.search(SearchQuery()).total


def test_cli_reindex_builds_index_and_empties_outbox(runner, db, no_worker, search_index,
                                                     case_with_applicant, publish,
                                                     announced_listing):
    publish(case_with_applicant())
    announced_listing("fund", title="爱心企业救急难基金")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "2 document(s)" in result.output
    assert _count(search_index) == 2
    assert search_sync.pending_count(db.session) == 0


def test_cli_sync_drains_outbox(runner, db, no_worker, search_index, case_with_applicant, publish):
    publish(case_with_applicant())
    assert search_sync.pending_count(db.session) == 1
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "applied 1 index update(s)" in result.output
    assert search_sync.pending_count(db.session) == 0
    assert _count(search_index) == 1


def test_cli_sync_engine_down_keeps_outbox(runner, app, db, no_worker, search_index,
                                           case_with_applicant,
                                           publish):
    from tests.webapp.search.test_search_sync import DownBackend
    app.extensions["search_backend"] = DownBackend()
    publish(case_with_applicant())
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 1
    assert "kept in the outbox" in result.output
    assert search_sync.pending_count(db.session) == 1


def test_cli_derived_rebuild_includes_search_index(runner, db, search_index, case_with_applicant,
                                                   publish):
    publish(case_with_applicant())
    search_index.clear()
    result = runner.invoke(args=["derived", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilding search index" in result.output
    assert _count(search_index) == 1


def test_cli_status_reports_backlog(runner, db, search_index):
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "outbox: 0 pending" in result.output and "state: ok" in result.output


def test_cli_evaluate_prints_plain_and_expanded_side_by_side(runner, db, search_index):
    result = runner.invoke(args=["search", "evaluate", "--snapshot"])
    assert result.exit_code == 0, result.output
    assert "nDCG@10" in result.output and "plain  expanded" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("all"))
    assert len(row.split()) == 8

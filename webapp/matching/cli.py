"""``flask matching``: run a batch now and print its report; evaluate the scorers."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.matching.labels import skip_reason
from webapp.models import MatchRun, RunStatus
from webapp.services import audit as audit_service
from webapp.services import matching

matching_cli = AppGroup("matching", help="Match open needs with resources.")


@matching_cli.command("run")
def run():
    """Run one batch over all open needs now (outside any web request) and print the report."""
    audit_service.client_address.set("cli")
    batch = MatchRun(status=RunStatus.QUEUED)
    db.session.add(batch)
    db.session.flush()
    result = matching.execute_run(db.session, batch)
    db.session.commit()
    click.echo(f"run #{batch.id}: {batch.n_needs} needs, {batch.n_resources} resources, "
               f"{batch.n_candidates} candidates, {batch.n_proposals} proposals "
               f"({batch.n_superseded} older proposals superseded)")
    click.echo(f"scorer: {batch.scorer} ({batch.scorer_reason})")
    click.echo(f"objective: {result.objective:.2f}   greedy baseline: "
               f"{result.greedy_objective:.2f}")
    click.echo("timings: " + ", ".join(f"{k} {v:.3f}s" for k, v in result.timings.items()))
    click.echo(f"skipped: {len(batch.skipped)}")
    for item in batch.skipped:
        label = item.get("resource_kind") or item["kind"]
        click.echo(f"  {label} #{item['id']}: {skip_reason(item['reason'])} ({item['reason']})")


@matching_cli.command("evaluate")
@click.option("--k", default=20, show_default=True, help="k of precision@k")
def evaluate(k: int):
    """Cross-validated AUC and precision@k of the default and learned scorers."""
    outcome = matching.evaluation(db.session, k=k)
    db.session.rollback()
    if isinstance(outcome, str):
        click.echo(f"too few decisions to evaluate: {outcome}")
        return
    click.echo(f"{outcome.n_decisions} decisions, {outcome.n_folds}-fold grouped by need")
    click.echo(f"{'scorer':<10}{'AUC':>8}{f'precision@{outcome.k}':>16}")
    click.echo(f"{'default':<10}{outcome.default_auc:>8.3f}"
               f"{outcome.default_precision_at_k:>16.3f}")
    click.echo(f"{'learned':<10}{outcome.learned_auc:>8.3f}"
               f"{outcome.learned_precision_at_k:>16.3f}")
    verdict = "learned model is used" if outcome.learned_wins else "default scorer is used"
    click.echo(f"=> {verdict}")

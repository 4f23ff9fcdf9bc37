"""``flask matching``: run a batch now and print its report; evaluate the scorers."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from matching.gold import GoldReport
from webapp.extensions import db
from webapp.matching.labels import skip_reason
from webapp.models import MatchRun, RunStatus
from webapp.services import audit as audit_service
from webapp.services import matching
from webapp.services.matching import training

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
@click.option("--gold", "gold", is_flag=True,
              help="Measure both scorers on the judged gold set (top-1, top-3, NDCG@5).")
@click.option("--gold-dir", default=str(training.GOLD_DIR), show_default=True,
              type=click.Path(file_okay=False), help="Directory of the gold set.")
def evaluate(k: int, gold: bool, gold_dir: str):
    """Cross-validated AUC and precision@k of the default and learned scorers."""
    if gold:
        _evaluate_gold(gold_dir)
        return
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


def _evaluate_gold(directory: str) -> None:
    learned = training.fitted_learned(db.session)
    db.session.rollback()
    reports = training.gold_reports(directory=directory, learned=learned)
    if not reports:
        raise click.ClickException(f"no gold set in {directory}")
    click.echo(f"gold set: {reports[0].n} judged scenarios in {directory}")
    _gold_table(reports)
    if learned is None:
        click.echo("learned: too few officer decisions to fit a model")
    blind = training.gold_reports(directory=directory, learned=learned, blind=True)
    if blind:
        click.echo(f"blind set: {blind[0].n} judged scenarios in {training.BLIND_FILE} "
                   "(written apart from the weights, with a catalogue of its own)")
        _gold_table(blind, prefix="blind ")
    choice = training.current_scorer(db.session)
    db.session.rollback()
    click.echo(f"=> {training.scorer_name(choice.scorer)} scorer is used ({choice.reason})")


def _gold_table(reports: list[GoldReport], *, prefix: str = "") -> None:
    click.echo(f"{'scorer':<16}{'top-1':>8}{'top-3':>8}{'NDCG@5':>8}{'excluded':>10}"
               f"{'(proposed)':>12}")
    for report in reports:
        excluded = report.excluded_suggested + report.excluded_proposed
        click.echo(f"{prefix + report.scorer:<16}{report.top1:>8.1%}{report.top3:>8.1%}"
                   f"{report.ndcg5:>8.3f}{excluded:>10}{report.excluded_proposed:>12}")
    for key, got, right in reports[0].misses:
        click.echo(f"  {prefix}default top-1 miss {key}: {got} (judged right: {right})")

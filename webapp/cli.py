"""Flask CLI commands: users, demo data, audit verification. Areas add their groups here."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from webapp import data_version, features
from webapp.demo import load_demo
from webapp.demo.scale import load_scale
from webapp.extensions import db
from webapp.models import Organisation, Role
from webapp.privacy.quality.corpus import generate_corpus, load_corpus
from webapp.privacy.quality.evaluation import evaluate, format_report
from webapp.services import DomainError, accounts, jobs, needs
from webapp.services import audit as audit_service
from webapp.services.cases.household import member_names_on_cards

users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data for Gaotang County.")
audit_cli = AppGroup("audit", help="The tamper-evident audit trail.")
derived_cli = AppGroup("derived", help="Stores derived from the database (search index, …).")
jobs_cli = AppGroup("jobs", help="Background jobs.")
privacy_cli = AppGroup("privacy", help="Personal-data detection quality.")


@privacy_cli.command("evaluate")
@click.option("-n", "--samples", default=1200, show_default=True,
              help="Size of the generated corpus.")
@click.option("--seed", default=20260305, show_default=True)
@click.option("--corpus", "corpus_path", type=click.Path(exists=True, dir_okay=False),
              help="Score a labelled JSON Lines corpus instead (see webapp/privacy/quality/corpus.py).")
@click.option("--examples", default=0, show_default=True, help="Show misses and false hits.")
def privacy_evaluate(samples, seed, corpus_path, examples):
    """Print precision, recall and F2 per personal-data type."""
    try:
        corpus = load_corpus(corpus_path) if corpus_path else generate_corpus(samples, seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    source = corpus_path or f"generated corpus (n={samples}, seed={seed})"
    click.echo(f"corpus: {source}, {len(corpus)} samples")
    click.echo(format_report(evaluate(corpus), examples=examples))


@privacy_cli.command("cards")
@click.option("-k", default=None, type=int, help="Re-generalise the published set at this k "
              "first (default: measure the cards as published).")
def privacy_cards(k):
    """Print how the published need cards are generalised and the share that show their town."""
    if k is not None:
        if k < 1:
            raise click.ClickException("k must be at least 1")
        changed = needs.reanonymise(db.session, None, k=k)
        db.session.commit()
        click.echo(f"re-generalised at k = {k}: {len(changed)} card(s) changed")
    report = needs.anonymity_report(db.session, k=k or needs.K_ANONYMITY)
    click.echo(f"published cards: {report.published}")
    click.echo(f"showing their town: {report.showing_town} ({report.town_share:.1%}) at k = "
               f"{report.k}")
    click.echo(f"smallest published class: {report.smallest_class}")
    click.echo("cards per level: " + ", ".join(f"{lv}: {n}" for lv, n in report.by_level.items()))
    exposure = member_names_on_cards(db.session)
    click.echo(f"household members of published cases: {exposure.members}, "
               f"whose name a card shows: {exposure.exposed}")


@jobs_cli.command("work")
@click.option("--follow", is_flag=True, help="Keep polling for new jobs until interrupted.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
def jobs_work(follow, interval):
    """Run queued jobs (once, or continuously with --follow)."""
    while True:
        ran = jobs.run_pending(db.session)
        if ran:
            click.echo(f"ran {ran} job(s)")
        if not follow:
            break
        time.sleep(interval)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--organisation", "org_name", required=True, help="Organisation name")
@click.option("--role", "role_names", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]))
@click.password_option()
def create_user(username, display_name, org_name, role_names, password):
    """Create a staff account."""
    audit_service.client_address.set("cli")
    org = db.session.scalars(select(Organisation).where(Organisation.name == org_name)).first()
    if org is None:
        raise click.ClickException(f"no organisation named {org_name!r}")
    try:
        user = accounts.create_user(db.session, None, accounts.NewUser(
            username, password, display_name, {Role(r) for r in role_names}, org))
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(f"{exc.message} ({details})") from None
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id})")


@demo_cli.command("load")
@click.option("--seed", default=20171206, show_default=True)
def demo_load(seed):
    """Load the Gaotang demo data; running it again adds nothing and loses nothing."""
    audit_service.client_address.set("cli")
    summary = load_demo(db.session, seed=seed, echo=click.echo)
    db.session.commit()
    click.echo("demo data: " + ", ".join(f"{k} +{v}" for k, v in summary.items()))


@demo_cli.command("scale")
@click.option("--cases", default=100_000, show_default=True, help="Synthetic cases to add.")
@click.option("--seed", default=20171206, show_default=True)
@click.option("--no-index", is_flag=True, help="Skip rebuilding the derived stores (search).")
def demo_scale(cases, seed, no_index):
    """Add a county's ten years (``--cases`` cases and all that hangs on them) in bulk."""
    if cases < 1:
        raise click.ClickException("--cases must be at least 1")
    started = time.perf_counter()
    audit_service.client_address.set("cli")
    written = load_scale(db.session, cases=cases, seed=seed, echo=click.echo)
    db.session.commit()
    click.echo("rows written: " + ", ".join(f"{k} {v:,}" for k, v in written.items()))
    click.echo(f"loaded in {time.perf_counter() - started:.0f} s")
    if written and not no_index:
        derived_rebuild.callback()
        click.echo(f"searchable in {time.perf_counter() - started:.0f} s")


@audit_cli.command("verify")
def audit_verify():
    """Walk the audit chain and report the first broken link."""
    report = audit_service.verify_chain(db.session)
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events verified")
        return
    click.echo(f"audit chain BROKEN at event #{report.broken_seq}: {report.reason} "
               f"({report.checked} events verified before it)", err=True)
    raise SystemExit(1)


@derived_cli.command("rebuild")
def derived_rebuild():
    """Rebuild every derived store from the database (safe to run at any time)."""
    rebuilders = features.derived_rebuilders()
    if not rebuilders:
        click.echo("no derived stores to rebuild")
    for name, rebuild in rebuilders:
        click.echo(f"rebuilding {name} …")
        rebuild(echo=click.echo)
        data_version.bump(db.session)  # cached pages may show what the store finds
        db.session.commit()


def register_cli(app: Flask) -> None:
    for group in (users_cli, demo_cli, audit_cli, derived_cli, jobs_cli, privacy_cli):
        app.cli.add_command(group)
    for group in features.cli_groups():
        app.cli.add_command(group)

"""``flask ledger``: verify the ledger and open missing accounts."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models.resources import Scheme
from webapp.services import DomainError, ledger
from webapp.services import audit as audit_service
from webapp.services.ledger.reserve import replenish_reserve as replenish

ledger_cli = AppGroup("ledger", help="The double-entry money ledger.")


@ledger_cli.command("verify")
def verify():
    """Recompute every balance from the journal; exit 1 and list differences when any."""
    report = ledger.verify_ledger(db.session)
    db.session.rollback()
    if report.ok:
        click.echo(f"ledger consistent: {report.accounts} accounts, "
                   f"{report.entries} journal entries verified")
        return
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(f"ledger INCONSISTENT: {len(report.problems)} difference(s)", err=True)
    raise SystemExit(1)


@ledger_cli.command("open-accounts")
def open_accounts():
    """Open the accounts of funds, projects and schemes that have none yet."""
    audit_service.client_address.set("cli")
    opened = ledger.open_all_listing_accounts(db.session, None)
    db.session.commit()
    click.echo(f"opened {opened} account(s)")


@ledger_cli.command("replenish-reserve")
@click.option("--scheme", "scheme_code", required=True, help="code of the scheme whose budget pays")
@click.option("--amount", required=True, help="yuan, e.g. 50000")
@click.option("--reference", required=True, help="the finance document, e.g. 高财社〔2026〕12号")
def replenish_reserve(scheme_code: str, amount: str, reference: str):
    """Top up the help-first reserve from a scheme's budget by one recorded ledger entry."""
    audit_service.client_address.set("cli")
    scheme = db.session.scalars(select(Scheme).where(Scheme.code == scheme_code)).first()
    if scheme is None:
        raise click.ClickException(f"no scheme with code {scheme_code!r}")
    try:
        transfer = replenish(db.session, None, scheme_id=scheme.id, amount=amount,
                             reference=reference)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"reserve topped up: transfer #{transfer.id}, {transfer.amount} yuan "
               f"from {scheme.code}")

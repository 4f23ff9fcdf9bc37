"""``flask ledger``: verify the ledger and open missing accounts."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.services import audit as audit_service
from webapp.services import ledger

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

"""``flask deadlines check``: mark overdue steps, notify owners and supervisors, send mail."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.services import audit
from webapp.services.cases import deadlines, notifications

deadlines_cli = AppGroup("deadlines", help="Time limits of urgent cases (限时办结).")


@deadlines_cli.command("check")
def check():
    """Mark steps past their due date and notify; running it again notifies nobody twice."""
    audit.client_address.set("cli")
    marked = deadlines.newly_overdue(db.session)
    sent = 0
    for row in marked:
        sent += notifications.notify_overdue(db.session, row)
    db.session.commit()
    mailed = notifications.send_pending_email(
        db.session, notifications.MailSettings.from_config(current_app.config))
    db.session.commit()
    click.echo(f"overdue steps marked: {len(marked)}, notifications: {sent}, e-mails: {mailed}")

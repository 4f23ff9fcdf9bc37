"""``flask messages retry``: queue the deliveries whose retry is due (run it from cron, like
``flask deadlines check``)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.services.doors import messages

messages_cli = AppGroup("messages", help="Text messages to applicants.")


@messages_cli.command("retry")
def retry() -> None:
    """Queue a new delivery attempt for every message whose backoff has run out."""
    n = messages.retry_due(db.session)
    db.session.commit()
    click.echo(f"{n} message(s) queued for another attempt")

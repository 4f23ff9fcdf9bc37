"""``flask deadlines check``: mark overdue steps, notify owners and supervisors, escalate
overdue supervision orders, send mail."""
from __future__ import annotations

import datetime as dt
import functools

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.models import utcnow
from webapp.services import audit, county_rules
from webapp.services.cases import deadlines, notifications, orders

deadlines_cli = AppGroup("deadlines", help="Time limits of urgent cases (限时办结).")


@deadlines_cli.command("check")
def check():
    """Mark steps past their due date and notify; running it again notifies nobody twice."""
    audit.client_address.set("cli")
    marked = deadlines.newly_overdue(db.session)
    sent = 0
    for row in marked:
        sent += notifications.notify_overdue(db.session, row)
    now = utcnow()
    county_rules.apply_due_scheme_standards(db.session, deadlines.local_date(now))

    @functools.cache
    def rules_on(day: dt.date):
        return county_rules.settings_on(db.session, current_app.config, day)

    raised = orders.escalate_orders(db.session, now=now,
                                    settings=rules_on(deadlines.local_date(now)),
                                    rules_on=rules_on)
    db.session.commit()
    mailed = notifications.send_pending_email(
        db.session, notifications.MailSettings.from_config(current_app.config))
    db.session.commit()
    click.echo(f"overdue steps marked: {len(marked)}, orders escalated: {len(raised)}, "
               f"notifications: {sent}, e-mails: {mailed}")

"""``flask rules …``: show and change the county's rules and calendar from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.models import Scheme, User, utcnow
from webapp.services import DomainError, audit, county_rules
from webapp.services.cases.deadlines import local_date

rules_cli = AppGroup("rules", help="County rules: limits, calendar, thresholds (县级规则).")


def _actor(username: str) -> User:
    user = db.session.query(User).filter_by(username=username).one_or_none()
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _run(action):
    audit.client_address.set("cli")
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    return result


@rules_cli.command("show")
def show():
    """Print each rule with the value in force today and changes scheduled later."""
    today = local_date(utcnow())
    for view in county_rules.rules_overview(db.session, current_app.config, today):
        since = view.since.isoformat() if view.since else "config default"
        later = ", ".join(f"{r.value} from {r.effective_from}" for r in view.scheduled)
        click.echo(f"{view.spec.key:32} {view.value!s:>10}  (since {since})"
                   + (f"  scheduled: {later}" if later else ""))


@rules_cli.command("set")
@click.argument("key", type=click.Choice(sorted(county_rules.RULES)))
@click.argument("value")
@click.option("--from", "effective_from", default=None, help="effective date (YYYY-MM-DD)")
@click.option("--note", default="")
@click.option("--user", "username", required=True, help="the administrator making the change")
def set_rule(key: str, value: str, effective_from: str | None, note: str, username: str):
    """Set KEY to VALUE from a date (today by default; never in the past)."""
    today = local_date(utcnow())
    actor = _actor(username)
    row = _run(lambda: county_rules.set_rule(db.session, actor, key, value,
                                             effective_from=effective_from or today,
                                             today=today, note=note))
    click.echo(f"{row.key} = {row.value} from {row.effective_from}")


@rules_cli.command("seed")
def seed():
    """Write the config values as the first version of every rule not set yet."""
    added = _run(lambda: county_rules.seed_defaults(db.session, None, current_app.config,
                                                     effective_from=local_date(utcnow())))
    click.echo(f"rules seeded: {added}")


@rules_cli.command("calendar-load")
@click.argument("years", nargs=-1, type=int, required=True)
def calendar_load(years: tuple[int, ...]):
    """Load China's statutory holidays and make-up working days of YEARS from ``holidays``."""
    for year in years:
        loaded = _run(lambda y=year: county_rules.load_library_year(db.session, None, y))
        click.echo(f"{year}: {loaded.holidays} holidays, {loaded.workdays} make-up working days"
                   + ("" if loaded.adjusted else
                      " (the library has no State Council arrangement for this year yet:"
                      " add it with `flask rules calendar-override`)"))


@rules_cli.command("calendar-override")
@click.argument("day")
@click.argument("kind", type=click.Choice(["holiday", "workday"]))
@click.option("--note", default="")
@click.option("--user", "username", required=True)
def calendar_override(day: str, kind: str, note: str, username: str):
    """Make DAY a local holiday or a (make-up) working day."""
    actor = _actor(username)
    row = _run(lambda: county_rules.set_override(
        db.session, actor, year=day[:4], day=day, kind=kind, today=local_date(utcnow()),
        note=note))
    click.echo(f"{row.day} {row.kind.value}")


@rules_cli.command("calendar-remove")
@click.argument("day")
@click.option("--user", "username", required=True)
def calendar_remove(day: str, username: str):
    """Remove the local adjustment of DAY (today or later)."""
    actor = _actor(username)
    _run(lambda: county_rules.remove_override(db.session, actor, day,
                                              today=local_date(utcnow())))
    click.echo(f"{day} local adjustment removed")


@rules_cli.command("scheme")
@click.argument("scheme_id", type=int)
@click.option("--min", "min_amount", default="", help="minimum amount in yuan (empty: none)")
@click.option("--max", "max_amount", default="", help="maximum amount in yuan (empty: none)")
@click.option("--times", "times_per_year", default="", help="times per person per year")
@click.option("--from", "effective_from", default=None, help="effective date (YYYY-MM-DD)")
@click.option("--user", "username", required=True, help="the administrator making the change")
def scheme_standards(scheme_id: int, min_amount: str, max_amount: str, times_per_year: str,
                     effective_from: str | None, username: str):
    """Set the standards of scheme SCHEME_ID, checked at approvals from a date on."""
    today = local_date(utcnow())
    actor = _actor(username)
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None:
        raise click.ClickException(f"no scheme {scheme_id}")
    row = _run(lambda: county_rules.set_scheme_standards(
        db.session, actor, scheme, min_amount=min_amount, max_amount=max_amount,
        times_per_year=times_per_year, effective_from=effective_from or today, today=today))
    click.echo(f"scheme {scheme_id}: {row.min_amount or '-'}–{row.max_amount or '-'}, "
               f"{row.times_per_year or '-'} a year, from {row.effective_from}")

"""``flask retention purge`` (nightly) and ``flask person export|correct`` (an applicant's
access and correction requests, run by an officer)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Applicant, Role, User
from webapp.services import DomainError, audit, retention

retention_cli = AppGroup("retention", help="Personal-data retention periods.")
person_cli = AppGroup("person", help="An applicant's access and correction requests.")


def _upload_dir() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR")
                or Path(current_app.config["DATA_DIR"]) / "uploads")


@retention_cli.command("purge")
def purge():
    """Replace personal data whose retention period ran out with tombstones (cron, nightly)."""
    audit.client_address.set("cli")
    try:
        policy = retention.RetentionPolicy.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    report = retention.purge_expired(db.session, None, policy, upload_dir=_upload_dir())
    db.session.commit()
    click.echo(f"purged {report.cases} case(s): {report.applicants} applicant(s), "
               f"{report.documents} with documents; {report.skipped_shared} left for later "
               "(the person has another open case); "
               f"{report.leads} lead(s) that never became a case, "
               f"{report.codes} old verification code(s)")


def _officer(username: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.has_role(Role.OFFICER):
        raise click.ClickException(f"{username!r} is not a civil affairs officer")
    return user


def _applicant(applicant_id: int) -> Applicant:
    applicant = db.session.get(Applicant, applicant_id)
    if applicant is None:
        raise click.ClickException(f"no applicant {applicant_id}")
    return applicant


@person_cli.command("export")
@click.argument("applicant_id", type=int)
@click.option("--officer", required=True, help="Username of the officer answering the request.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--reason", type=click.Choice(sorted(retention.EXPORT_REASONS)),
              default="access_request", show_default=True, help="Why (kept in the audit).")
def export(applicant_id, officer, out, reason):
    """Write everything held about one applicant to a JSON file (an access request)."""
    audit.client_address.set("cli")
    record = retention.export_person(db.session, _officer(officer), _applicant(applicant_id),
                                     reason=reason)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    out.chmod(0o600)
    db.session.commit()
    click.echo(f"written to {out}; hand it to the applicant in person, then delete it")


@person_cli.command("correct")
@click.argument("applicant_id", type=int)
@click.option("--officer", required=True)
@click.option("--set", "pairs", multiple=True, required=True, metavar="FIELD=VALUE",
              help=f"Field to correct: {', '.join(retention.CORRECTABLE)}.")
@click.option("--reason", required=True, help="The document the correction rests on.")
def correct(applicant_id, officer, pairs, reason):
    """Correct an applicant's data at their request."""
    audit.client_address.set("cli")
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.ClickException(f"--set {pair!r}: write FIELD=VALUE")
        changes[name.strip()] = value
    try:
        changed = retention.correct_person(
            db.session, _officer(officer), _applicant(applicant_id), changes, reason=reason,
            hash_key=current_app.config["PERSON_HASH_KEY"])
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    db.session.commit()
    click.echo(f"corrected: {', '.join(changed) or 'nothing (values were the same)'}")

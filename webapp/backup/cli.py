"""``flask backup create`` and ``flask backup restore``."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp import features
from webapp.backup.archive import BackupError, Manifest, peek_manifest
from webapp.backup.service import create_backup, restore_backup
from webapp.extensions import db

backup_cli = AppGroup("backup", help="Back up the platform, or restore a backup.")
PASSPHRASE_ENV = "JIUJINAN_BACKUP_PASSPHRASE"  # noqa: S105 (the variable's name, not a secret)


def _passphrase(passphrase_file: str | None, *, confirm: bool) -> str:
    if passphrase_file:
        return Path(passphrase_file).read_text().strip()
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    return click.prompt("backup passphrase", hide_input=True, confirmation_prompt=confirm)


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help=f"File holding the passphrase that seals the keys (or set {PASSPHRASE_ENV}).")
@click.option("--without-keys", is_flag=True,
              help="Leave the keys out (they are kept in a secret store).")
def create(path, passphrase_file, without_keys):
    """Write one consistent archive while the platform runs."""
    passphrase = None if without_keys else _passphrase(passphrase_file, confirm=True)
    try:
        result = create_backup(current_app, db.engine, path, passphrase=passphrase,
                               echo=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"backup written to {result.path} (schema "
               f"{result.manifest.schema_revision or 'unversioned'}, keys "
               f"{result.manifest.keys})")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help=f"File holding the passphrase (or set {PASSPHRASE_ENV}).")
def restore(path, passphrase_file):
    """Restore an archive into an empty database and data dir, then rebuild derived stores."""
    try:
        manifest: Manifest = peek_manifest(path)
        passphrase = (_passphrase(passphrase_file, confirm=False)
                      if manifest.keys == "included" else None)
        restore_backup(current_app, db.engine, path, passphrase=passphrase, echo=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.remove()
    for name, rebuild in features.derived_rebuilders():
        click.echo(f"rebuilding {name} …")
        rebuild(echo=click.echo)
        db.session.commit()
    click.echo("restore complete: restart the app so every process reads the restored keys")

"""``flask keys …``: rotating the field key, the person-hash key and SECRET_KEY.

Each command takes a lock file in the data dir (one rotation at a time on a machine), records
its steps in the audit chain, and commits after every batch, so an interruption loses nothing
and ``--resume`` goes on from where it stopped.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.ops import keyfiles
from webapp.ops.keyfiles import FIELD, HASH, SECRET, KeyFileError
from webapp.ops.rotation import (
    RotationError,
    rederive_person_hashes,
    reseal_field_values,
    stale_values,
)
from webapp.privacy.infrastructure.keyring import FieldKeyRing, key_id
from webapp.services import audit

keys_cli = AppGroup("keys", help="Rotate the keys that protect personal data and logins.")
rotate_cli = AppGroup("rotate", help="Rotate one key.")
keys_cli.add_command(rotate_cli)


@contextlib.contextmanager
def rotation_lock():
    """One rotation at a time: a second one started meanwhile is refused, not queued."""
    path = Path(current_app.config["DATA_DIR"]) / "keys.lock"
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RotationError("another key rotation is running on this machine") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _grace() -> float:
    """Seconds to let every process see a key change before the last pass."""
    return float(current_app.config.get("KEY_ROTATION_GRACE_SECONDS", 2.0))


def _audit(action: str, name: str, **summary) -> None:
    audit.client_address.set("cli")
    audit.record(db.session, None, action, object_type="key", object_id=name,
                 summary=summary)
    db.session.commit()


def _fail(exc: Exception):
    db.session.rollback()
    raise click.ClickException(str(exc)) from None


@keys_cli.command("status")
def status():
    """Show where each key lives, its id, and what a rotation still has to do."""
    app = current_app._get_current_object()
    for name in (FIELD, HASH, SECRET):
        keys = keyfiles.key_set(app, name)
        where = "data dir" if keys.in_files else "environment/config"
        line = f"{name}: {where}, {len(keys.previous)} earlier key(s) kept"
        if name == FIELD:
            ring = FieldKeyRing(keys.current, keys.previous)
            line += (f", current id {ring.current_id}, "
                     f"{stale_values(db.session, ring)} value(s) under earlier keys")
        if name == HASH and keyfiles.next_key_path(app, name).exists():
            line += ", rotation under way (run `flask keys rotate hash --resume`)"
        click.echo(line)
    db.session.rollback()


@rotate_cli.command("field")
@click.option("--resume", is_flag=True, help="Finish a rotation that was interrupted.")
@click.option("--batch", default=200, show_default=True, help="Rows per committed batch.")
def rotate_field(resume, batch):
    """New field key; re-seal every value under it; retire the old key when none is left."""
    app = current_app._get_current_object()
    try:
        with rotation_lock():
            _rotate_field(app, resume=resume, batch=batch)
    except (RotationError, KeyFileError) as exc:
        _fail(exc)


def _rotate_field(app, *, resume: bool, batch: int) -> None:
    keys = keyfiles.key_set(app, FIELD)
    if not resume:
        if keys.previous:
            raise RotationError(
                f"a rotation of {FIELD} is under way ({len(keys.previous)} earlier key(s) "
                "still kept): finish it with `flask keys rotate field --resume`")
        old, new = keyfiles.start_rotation(app, FIELD)
        _audit("keys.rotate_start", FIELD, new_key_id=key_id(new), old_key_ids=[key_id(old)])
        click.echo(f"new field key {key_id(new)}; the old key {key_id(old)} stays readable")
    elif not keys.previous:
        raise RotationError(f"no rotation of {FIELD} to resume (no earlier key is kept)")
    keys = keyfiles.key_set(app, FIELD)
    ring = FieldKeyRing(keys.current, keys.previous)

    def after_batch(table: str, done: int, total: int) -> None:
        db.session.commit()
        click.echo(f"  {table}: {done}/{total}")

    report = reseal_field_values(db.session, ring, batch=batch, after_batch=after_batch)
    db.session.commit()
    _audit("keys.reseal", FIELD, key_id=ring.current_id, resealed=report.resealed,
           changed_meanwhile=report.changed_meanwhile)
    click.echo(f"re-sealed {report.resealed} value(s) under {ring.current_id}")
    left = stale_values(db.session, ring)
    if left:
        click.echo(f"{left} value(s) still under earlier keys (changed while this ran): "
                   "run `flask keys rotate field --resume` again")
        return
    retired = keyfiles.retire_previous(app, FIELD)
    # A request that took its keys just before the switch may still write under the old
    # key: after a moment, one more pass (this ring still holds the old key) re-seals it.
    time.sleep(_grace())
    late = reseal_field_values(db.session, ring, batch=batch,
                               after_batch=lambda *a: db.session.commit())
    db.session.commit()
    ids = [key_id(s) for s in retired]
    _audit("keys.retire", FIELD, key_ids=ids, late_resealed=late.resealed)
    click.echo(f"retired {', '.join(ids) or 'no key'}: no value uses it any more")
    if not keys.in_files:
        click.echo("remove JIUJINAN_FIELD_KEYS_READ from every host's environment now")


@rotate_cli.command("hash")
@click.option("--resume", is_flag=True, help="Finish a rotation that was interrupted.")
@click.option("--batch", default=500, show_default=True, help="Rows per progress step.")
def rotate_hash(resume, batch):
    """New person-hash key; re-derive every person hash under it in one transaction."""
    app = current_app._get_current_object()
    try:
        with rotation_lock():
            _rotate_hash(app, resume=resume, batch=batch)
    except (RotationError, KeyFileError) as exc:
        _fail(exc)


def _rotate_hash(app, *, resume: bool, batch: int) -> None:
    keys = keyfiles.key_set(app, HASH)
    if not keys.in_files:
        raise RotationError(f"{HASH} comes from the environment: see docs/operations.md for "
                            "rotating it in a maintenance window")
    pending = keyfiles.next_key_path(app, HASH)
    if pending.exists() and not resume:
        raise RotationError(f"a rotation of {HASH} is under way: finish it with "
                            "`flask keys rotate hash --resume`")
    if not pending.exists():
        if resume:
            raise RotationError(f"no rotation of {HASH} to resume")
        keyfiles.write_secret_file(pending, secrets.token_urlsafe(32))
        _audit("keys.rotate_start", HASH, new_key_id=key_id(pending.read_text().strip()))
    new = pending.read_text().strip()
    ring = keyfiles.field_key_ring(app=app, refresh=True)
    changed = rederive_person_hashes(
        db.session, ring, new, batch=batch,
        progress=lambda done, total: click.echo(f"  applicants: {done}/{total}"))
    db.session.commit()
    keyfiles.switch_to(app, HASH, new, keep_previous=False)
    pending.unlink()
    # Intake that read the old key just before the switch: re-derive once more after a moment.
    time.sleep(_grace())
    late = rederive_person_hashes(db.session, ring, new, batch=batch)
    db.session.commit()
    _audit("keys.rotate_done", HASH, key_id=key_id(new), rederived=changed, late=late)
    click.echo(f"re-derived {changed + late} person hash(es) under {key_id(new)}; "
               "the old key is gone (nothing uses it)")


@rotate_cli.command("secret")
def rotate_secret():
    """New SECRET_KEY; the old one stays a fallback so signed-in users stay signed in."""
    app = current_app._get_current_object()
    try:
        with rotation_lock():
            keys = keyfiles.key_set(app, SECRET)
            if not keys.in_files:
                raise RotationError("SECRET_KEY comes from the environment: set the new one in "
                                    "SECRET_KEY and the old one in SECRET_KEY_FALLBACKS")
            new = secrets.token_urlsafe(32)
            keyfiles.switch_to(app, SECRET, new, keep_previous=True)
            _audit("keys.rotate_start", SECRET, new_key_id=key_id(new))
    except (RotationError, KeyFileError) as exc:
        _fail(exc)
    hours = int(app.config.get("PERMANENT_SESSION_LIFETIME", 8 * 3600)) // 3600
    click.echo(f"new SECRET_KEY in use; retire the old one after {hours} h (sessions expire) "
               "with `flask keys retire secret`")


@keys_cli.command("retire")
@click.argument("name", type=click.Choice(["secret"]))
def retire(name):
    """Forget the earlier SECRET_KEYs (after every session signed with them expired)."""
    app = current_app._get_current_object()
    retired = keyfiles.retire_previous(app, SECRET)
    _audit("keys.retire", SECRET, key_ids=[key_id(s) for s in retired])
    click.echo(f"retired {len(retired)} earlier SECRET_KEY(s)")
    if os.environ.get("SECRET_KEY_FALLBACKS"):
        click.echo("SECRET_KEY_FALLBACKS is still set in the environment: remove it")

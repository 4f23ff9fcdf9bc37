"""Making a backup of a running platform and restoring one onto an empty machine."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, select, text

from webapp.backup import database
from webapp.backup.archive import (
    KEYS,
    UPLOADS,
    ArchiveWriter,
    BackupError,
    Manifest,
    open_keys,
    seal_keys,
    unpack,
)
from webapp.ops import keyfiles
from webapp.ops.sealed import sealed_columns
from webapp.privacy.infrastructure.keyring import FieldKeyRing

KEY_NAMES = (keyfiles.SECRET, keyfiles.FIELD, keyfiles.HASH)


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    warnings: list[str]


def upload_dir(app: Flask) -> Path:
    return Path(app.config.get("UPLOAD_DIR") or Path(app.config["DATA_DIR"]) / "uploads")


def code_revisions(app: Flask) -> set[str]:
    """The schema revision(s) this release's migrations end at."""
    config = AlembicConfig()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(config).get_heads())


def create_backup(app: Flask, engine: Engine, path: Path, *, passphrase: str | None,
                  echo: Callable[[str], None]) -> BackupResult:
    """Write one archive: database snapshot, uploads, keys sealed under ``passphrase``.

    ``passphrase=None`` leaves the keys out (they live in a secret store); keys that come
    from the environment are always left out, with a warning.
    """
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new file name")
    warnings: list[str] = []
    writer = ArchiveWriter(path)
    try:
        with tempfile.TemporaryDirectory(prefix="jj-backup-") as tmp:
            member, revision, counts = database.dump(engine, Path(tmp))
            writer.add_file(member, Path(tmp) / member)
            echo(f"database: {len(counts)} tables, {sum(counts.values())} rows")
            uploads = upload_dir(app)
            files = sorted(p for p in uploads.rglob("*") if p.is_file()) \
                if uploads.is_dir() else []
            for file in files:
                writer.add_file(UPLOADS + file.relative_to(uploads).as_posix(), file)
            echo(f"uploads: {len(files)} files")
            keys_state = "omitted"
            if passphrase is None:
                warnings.append("the keys are NOT in this archive: keep field_key, "
                                "person_hash_key and secret_key safe elsewhere, or the "
                                "personal data in it cannot be read")
            else:
                material, from_env = key_material(app)
                for name in from_env:
                    warnings.append(f"{name} comes from the environment and is NOT in this "
                                    "archive: keep it in your secret store")
                if material:
                    writer.add_bytes(KEYS, seal_keys(material, passphrase))
                    keys_state = "included"
            manifest = Manifest(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                engine.dialect.name, revision, counts, keys=keys_state)
            writer.finish(manifest)
    except BaseException:
        writer.abort()
        raise
    return BackupResult(path, manifest, warnings)


def key_material(app: Flask) -> tuple[dict[str, list[str]], list[str]]:
    """Keys kept in the data dir (current first, then earlier ones), and those from the env."""
    material, from_env = {}, []
    for name in KEY_NAMES:
        keys = keyfiles.key_set(app, name)
        if keys.in_files:
            material[name] = [keys.current, *keys.previous]
        else:
            from_env.append(name)
    return material, from_env


def _require_empty_data_dir(app: Flask) -> None:
    uploads = upload_dir(app)
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        raise BackupError(f"the upload folder {uploads} is not empty: restore only into an "
                          "empty data dir")


def _write_keys(app: Flask, material: dict[str, list[str]]) -> None:
    data = Path(app.config["DATA_DIR"])
    for name, secrets_ in material.items():
        keyfiles.write_secret_file(data / name, secrets_[0])
        previous = data / f"{name}.previous"
        if secrets_[1:]:
            keyfiles.write_secret_file(previous, "\n".join(secrets_[1:]) + "\n")
        else:
            previous.unlink(missing_ok=True)


def _check_decrypts(engine: Engine, ring: FieldKeyRing) -> int:
    """Open every sealed applicant value with the restored keys; returns how many."""
    opened = 0
    with engine.connect() as conn:
        for table, columns in sealed_columns():
            for row in conn.execute(select(*(text(f'"{c}"') for c in columns))
                                    .select_from(text(f'"{table}"'))):
                for value in row:
                    if value is not None:
                        ring.decrypt(value)
                        opened += 1
    return opened


def restore_backup(app: Flask, engine: Engine, path: Path, *, passphrase: str | None,
                   echo: Callable[[str], None]) -> Manifest:
    """Restore an archive into an empty database and data dir, after checking all of it."""
    if not path.is_file():
        raise BackupError(f"no archive at {path}")
    with tempfile.TemporaryDirectory(prefix="jj-restore-") as tmp:
        manifest = unpack(path, Path(tmp))
        expected = code_revisions(app)
        if manifest.schema_revision not in expected:
            raise BackupError(
                f"schema version mismatch: the archive is at revision "
                f"{manifest.schema_revision or '(none)'}, this release expects "
                f"{', '.join(sorted(expected))}. Restore with the release that made the "
                "archive, then run `flask db upgrade`")
        material: dict[str, list[str]] = {}
        if manifest.keys == "included":
            if not passphrase:
                raise BackupError("the archive's keys are sealed: give the passphrase")
            material = open_keys((Path(tmp) / KEYS).read_bytes(), passphrase)
        database.require_empty(engine)
        _require_empty_data_dir(app)
        member = Path(tmp) / (database.PG_DUMP if manifest.dialect == "postgresql"
                              else database.SQLITE_COPY)
        database.restore(engine, manifest.dialect, member, echo)
        restored = database.counts(engine)
        differ = {t: (n, restored.get(t)) for t, n in manifest.tables.items()
                  if restored.get(t) != n}
        if differ:
            raise BackupError(f"row counts differ after the restore: {differ}")
        uploads = upload_dir(app)
        source = Path(tmp) / UPLOADS.rstrip("/")
        if source.is_dir():
            shutil.copytree(source, uploads, dirs_exist_ok=True)
        if material:
            _write_keys(app, material)
    field = material.get(keyfiles.FIELD) or [app.config["FIELD_ENCRYPTION_KEY"]]
    try:
        opened = _check_decrypts(engine, FieldKeyRing(field[0], field[1:]))
    except ValueError as exc:
        raise BackupError("the restored personal data cannot be decrypted with the keys "
                          f"{'from the archive' if material else 'configured here'} "
                          f"({type(exc).__name__}): give this machine the keys of the "
                          "backed-up one") from None
    echo(f"restored {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, "
         f"{sum(1 for n in manifest.files if n.startswith(UPLOADS))} uploads; "
         f"{opened} sealed values open with the restored keys")
    if material and any(os.environ.get(v) for v in ("JIUJINAN_FIELD_KEY", "JIUJINAN_HASH_KEY",
                                                     "SECRET_KEY")):
        echo("warning: keys set in the environment override the restored key files")
    return manifest

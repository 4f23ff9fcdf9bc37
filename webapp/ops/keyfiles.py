"""Where the keys live: the data directory (generated on first start) or the environment.

Keys kept in the data dir can be rotated by ``flask keys rotate``: the current key stays in
``<name>`` and the keys it replaced, still needed to read older values, in
``<name>.previous`` (one per line). Every process re-reads both files when they change, so a
rotation started on one machine's CLI is seen by the web processes at their next value.
Keys given in the environment (a secret store) are rotated by the operator: the new key in
``JIUJINAN_FIELD_KEY`` and the old one in ``JIUJINAN_FIELD_KEYS_READ`` (comma-separated),
see docs/operations.md.
"""
from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from webapp.privacy.infrastructure.keyring import FieldKeyRing

FIELD = "field_key"
HASH = "person_hash_key"
SECRET = "secret_key"  # noqa: S105 (a file name in the data dir, not a secret)
_ENV = {FIELD: "JIUJINAN_FIELD_KEY", HASH: "JIUJINAN_HASH_KEY", SECRET: "SECRET_KEY"}
_CONFIG = {FIELD: "FIELD_ENCRYPTION_KEY", HASH: "PERSON_HASH_KEY", SECRET: "SECRET_KEY"}
_lock = threading.Lock()


class KeyFileError(RuntimeError):
    """The keys cannot be changed here (they come from the environment, or a file is bad)."""


@dataclass(frozen=True)
class KeySet:
    """One kind of key: the current secret and the earlier ones still read."""

    current: str
    previous: tuple[str, ...]
    in_files: bool


def _read_lines(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())


def write_secret_file(path: Path, text: str) -> None:
    """Replace a key file atomically, readable by the owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def remember_start_keys(app: Flask) -> None:
    """Note which keys the app read from its data dir at start, and the SECRET_KEY fallbacks.

    A key is managed in files when no environment variable gave it and the configured value
    is the file's: then a rotation may write the files and every process follows them.
    """
    data = Path(app.config["DATA_DIR"])
    managed = {}
    for name, key in _CONFIG.items():
        path = data / name
        managed[name] = bool(not os.environ.get(_ENV[name]) and path.exists()
                             and path.read_text().strip() == str(app.config.get(key) or ""))
    app.extensions["ops_keys_in_files"] = managed
    app.extensions["ops_field_ring"] = None
    env_previous = [s for s in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if s]
    previous = _read_lines(data / f"{SECRET}.previous") if managed[SECRET] else ()
    fallbacks = list(app.config.get("SECRET_KEY_FALLBACKS") or []) + env_previous + list(previous)
    app.config["SECRET_KEY_FALLBACKS"] = list(dict.fromkeys(fallbacks))
    follow_files(app)  # note the files' state at start


def key_set(app: Flask, name: str) -> KeySet:
    """The current and earlier secrets of one kind of key, as this app reads them now."""
    data = Path(app.config["DATA_DIR"])
    if app.extensions.get("ops_keys_in_files", {}).get(name):
        return KeySet((data / name).read_text().strip(), _read_lines(data / f"{name}.previous"),
                      True)
    env_read = os.environ.get(f"{_ENV[name]}S_READ", "")
    return KeySet(str(app.config[_CONFIG[name]]),
                  tuple(s.strip() for s in env_read.split(",") if s.strip()), False)


def _file_stamps(data: Path, name: str) -> tuple[tuple[int, int, int] | None, ...]:
    """(mtime, size, inode) of a key file and of its ``.previous``, None where missing: a
    change of either means a rotation wrote it."""
    stamps: list[tuple[int, int, int] | None] = []
    for path in (data / name, data / f"{name}.previous"):
        try:
            stat = path.stat()
            stamps.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def _stamp(app: Flask) -> tuple[object, ...]:
    data = Path(app.config["DATA_DIR"])
    return (app.config.get("FIELD_ENCRYPTION_KEY"), _file_stamps(data, FIELD))


def field_key_ring(refresh: bool = False, app: Flask | None = None) -> FieldKeyRing:
    """The app's field key ring, re-read when the key files changed (a rotation)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    stamp = _stamp(app)
    cached = app.extensions.get("ops_field_ring")
    if cached is not None and cached[0] == stamp and not refresh:
        return cached[1]
    with _lock:
        keys = key_set(app, FIELD)
        ring = FieldKeyRing(keys.current, keys.previous)
        app.extensions["ops_field_ring"] = (stamp, ring)
    return ring


def start_rotation(app: Flask, name: str) -> tuple[str, str]:
    """Make a new current key in the data dir, keeping the old one readable; (old, new)."""
    keys = key_set(app, name)
    if not keys.in_files:
        raise KeyFileError(f"{name} comes from the environment ({_ENV[name]}): set the new key "
                           f"there and keep the old one in {_ENV[name]}S_READ, then run "
                           "this command with --resume")
    data = Path(app.config["DATA_DIR"])
    new = secrets.token_urlsafe(32)
    # The old key becomes readable-only first, so no process ever lacks a key it needs.
    write_secret_file(data / f"{name}.previous",
                       "\n".join((keys.current, *keys.previous)) + "\n")
    write_secret_file(data / name, new)
    return keys.current, new


def retire_previous(app: Flask, name: str) -> tuple[str, ...]:
    """Forget the earlier keys of ``name`` (the caller proved nothing uses them)."""
    keys = key_set(app, name)
    if keys.in_files:
        path = Path(app.config["DATA_DIR"]) / f"{name}.previous"
        if path.exists():
            path.unlink()
    return keys.previous


def next_key_path(app: Flask, name: str) -> Path:
    """Where a rotation keeps the key it is moving to until the switch."""
    return Path(app.config["DATA_DIR"]) / f"{name}.next"


def switch_to(app: Flask, name: str, new: str, *, keep_previous: bool) -> str:
    """Make ``new`` the current key in the data dir; returns the key it replaced."""
    keys = key_set(app, name)
    data = Path(app.config["DATA_DIR"])
    if keep_previous:
        write_secret_file(data / f"{name}.previous",
                          "\n".join((keys.current, *keys.previous)) + "\n")
    write_secret_file(data / name, new)
    return keys.current


def follow_files(app: Flask) -> None:
    """Keep SECRET_KEY, its fallbacks and PERSON_HASH_KEY in step with the data-dir files.

    Runs before each request: after ``flask keys rotate secret|hash`` on this machine every
    process signs and hashes with the new key at its next request, with no restart.
    """
    managed = app.extensions.get("ops_keys_in_files", {})
    data = Path(app.config["DATA_DIR"])
    for name in (SECRET, HASH):
        if not managed.get(name):
            continue
        stamp = _file_stamps(data, name)
        seen = app.extensions.setdefault("ops_key_stamps", {})
        if seen.get(name) == stamp:
            continue
        if name in seen:
            keys = key_set(app, name)
            app.config[_CONFIG[name]] = keys.current
            if name == SECRET:
                env = [s for s in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if s]
                app.config["SECRET_KEY_FALLBACKS"] = list(dict.fromkeys(
                    [*keys.previous, *env]))
        seen[name] = stamp

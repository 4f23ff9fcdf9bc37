"""The backup archive: a tar file with a manifest of checksums, and keys sealed under a
passphrase.

Layout: ``database.dump`` (PostgreSQL custom format) or ``database.sqlite3``,
``uploads/<stored name>`` per attachment, ``keys.sealed`` when the keys are included, and
``manifest.json`` last, so a truncated archive has none. The manifest lists every other member with its size and SHA-256, the
schema revision, and each table's row count in the snapshot. Keys are sealed with AES-GCM
under a key derived from the operator's passphrase with scrypt; the archive never holds them
in clear.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "jiujinan-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys.sealed"
UPLOADS = "uploads/"
_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    schema_revision: str | None
    tables: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)
    keys: str = "omitted"  # "included" or "omitted"

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, **self.__dict__},
                          ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError:
            raise BackupError("the archive's manifest is not readable JSON") from None
        if data.get("format") != FORMAT:
            raise BackupError("not a Jiujinan backup archive (no Jiujinan manifest)")
        if data.get("version") != VERSION:
            raise BackupError(f"archive format version {data.get('version')} is not "
                              f"supported by this release (it reads version {VERSION})")
        try:
            return cls(data["created_at"], data["dialect"], data["schema_revision"],
                       data["tables"], data["files"], data["keys"])
        except KeyError as exc:
            raise BackupError(f"the archive's manifest lacks {exc.args[0]!r}") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _passphrase_key(passphrase: str, salt: bytes, params: dict) -> bytes:
    if not passphrase:
        raise BackupError("the passphrase is empty")
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))


def seal_keys(keys: dict[str, list[str]], passphrase: str) -> bytes:
    """The keys as JSON, sealed under the passphrase (scrypt, then AES-256-GCM)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _passphrase_key(passphrase, salt, _SCRYPT)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(keys).encode(), FORMAT.encode())
    b64 = base64.b64encode
    return json.dumps({"kdf": "scrypt", **_SCRYPT, "salt": b64(salt).decode(),
                       "nonce": b64(nonce).decode(), "sealed": b64(sealed).decode()}).encode()


def open_keys(raw: bytes, passphrase: str) -> dict[str, list[str]]:
    """Open sealed keys; a wrong passphrase is a clear refusal."""
    try:
        box = json.loads(raw)
        params = {k: int(box[k]) for k in ("n", "r", "p")}
        salt, nonce, sealed = (base64.b64decode(box[k]) for k in ("salt", "nonce", "sealed"))
    except (ValueError, KeyError, TypeError):
        raise BackupError("the sealed keys in the archive are damaged") from None
    key = _passphrase_key(passphrase, salt, params)
    try:
        return json.loads(AESGCM(key).decrypt(nonce, sealed, FORMAT.encode()))
    except InvalidTag:
        raise BackupError("wrong passphrase: the keys in the archive cannot be opened") from None


class ArchiveWriter:
    """Writes members to a new tar file, recording each one's checksum for the manifest."""

    def __init__(self, path: Path):
        self.path = path
        self.files: dict[str, dict] = {}
        self._tmp = path.with_name(path.name + ".partial")
        # The archive holds personal data and documents: readable by the owner only.
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w:gz")  # noqa: SIM115 (closed by finish/abort)

    def add_file(self, name: str, source: Path) -> None:
        self.files[name] = {"sha256": sha256_file(source), "size": source.stat().st_size}
        self._tar.add(str(source), arcname=name, recursive=False)

    def add_bytes(self, name: str, data: bytes, *, record: bool = True) -> None:
        if record:
            self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o600
        self._tar.addfile(info, io.BytesIO(data))

    def finish(self, manifest: Manifest) -> None:
        """Write the manifest last and move the archive into place (never a half archive)."""
        manifest.files = dict(self.files)
        self.add_bytes(MANIFEST, manifest.to_json(), record=False)
        self._tar.close()
        self._file.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._tar.close()
        self._file.close()
        self._tmp.unlink(missing_ok=True)


def unpack(path: Path, into: Path) -> Manifest:
    """Extract and check an archive: every listed member present with its checksum."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            names = {m.name for m in members}
            if MANIFEST not in names:
                raise BackupError("the archive has no manifest: it is truncated or not a "
                                  "Jiujinan backup")
            manifest_file = tar.extractfile(MANIFEST)
            if manifest_file is None:
                raise BackupError("the archive's manifest is not a file: it is not a "
                                  "Jiujinan backup")
            manifest = Manifest.from_json(manifest_file.read())
            unexpected = names - set(manifest.files) - {MANIFEST}
            if unexpected:
                raise BackupError(f"the archive holds files its manifest does not list: "
                                  f"{sorted(unexpected)[:3]}")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"the archive cannot be read ({type(exc).__name__}): it is "
                          "truncated or damaged") from None
    for name, expected in manifest.files.items():
        member = into / name
        if not member.is_file():
            raise BackupError(f"the archive lacks {name}, which its manifest lists")
        if sha256_file(member) != expected["sha256"]:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged")
    return manifest


def peek_manifest(path: Path) -> Manifest:
    """Read only the manifest (to know whether a passphrase is needed)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            try:
                raw = tar.extractfile(MANIFEST)
            except KeyError:
                raw = None
            if raw is None:
                raise BackupError("the archive has no manifest: it is truncated or not a "
                                  "Jiujinan backup")
            return Manifest.from_json(raw.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"the archive cannot be read ({type(exc).__name__}): it is "
                          "truncated or damaged") from None

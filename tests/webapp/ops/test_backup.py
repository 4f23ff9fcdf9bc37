"""Backup and restore: a round trip keeps every row, and a bad archive changes nothing."""
from __future__ import annotations

import io
import tarfile

import pytest
from sqlalchemy import select

from tests.webapp.ops.conftest import PASSPHRASE, fingerprint
from webapp.backup.archive import BackupError
from webapp.backup.service import create_backup, restore_backup, upload_dir
from webapp.models import Applicant, Case, User
from webapp.services import audit, ledger

PDF = b"%PDF-1.4\n% hospital bill\n"


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def _attach(db, app):
    from webapp.services.cases.attachments import add_attachment
    case = db.session.scalars(select(Case).order_by(Case.id)).all()
    open_case = next(c for c in case if not c.is_terminal)
    officer = db.session.scalars(select(User).where(User.username == "officer")).one()
    row = add_attachment(db.session, officer, open_case, data=PDF, label="住院费用清单",
                         upload_dir=upload_dir(app), max_bytes=1 << 20)
    stored_name = row.stored_name  # read before the commit expires it (no new transaction)
    db.session.commit()
    return stored_name


@pytest.fixture
def archive(app, db, tmp_path, stamped_schema):
    """A backup (keys included) of the test database with the demo base only."""
    def make(name="backup.tar.gz", passphrase=PASSPHRASE):
        path = tmp_path / name
        create_backup(app, db.engine, path, passphrase=passphrase, echo=lambda s: None)
        return path
    return make


def test_backup_restore_round_trip_keeps_every_row(app, db, demo_slice, stamped_schema,
                                                   tmp_path, empty_target, app_on):
    stored_name = _attach(db, app)
    uploads = _files(upload_dir(app))
    before = fingerprint(db.engine)
    names = sorted(a.name for a in db.session.scalars(select(Applicant)))
    path = tmp_path / "county.tar.gz"
    result = create_backup(app, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)
    assert result.manifest.keys == "included"
    assert sum(result.manifest.tables.values()) > 500
    # The 告知同意 notice and the applicants' consents travel with the rest (demo has both).
    assert result.manifest.tables["consent_notices"] == 2
    assert result.manifest.tables["consent_records"] > 0

    url, data_dir = empty_target
    target = app_on(url, data_dir)
    with target.app_context():
        restore_backup(target, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)

    restarted = app_on(url, data_dir)  # a new process reads the restored key files
    with restarted.app_context():
        assert fingerprint(db.engine) == before
        assert audit.verify_chain(db.session).ok
        assert ledger.verify_ledger(db.session).ok
        assert sorted(a.name for a in db.session.scalars(select(Applicant))) == names
        restored = _files(data_dir / "uploads")
        assert restored == uploads
        assert restored[stored_name] == PDF
        db.session.remove()


def test_restore_refuses_a_database_that_is_not_empty(app, db, archive):
    path = archive()
    before = fingerprint(db.engine)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(app, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)
    assert fingerprint(db.engine) == before


def test_restore_refuses_a_wrong_passphrase_and_leaves_the_target_empty(
        app, db, archive, empty_target, app_on):
    path = archive()
    target = app_on(*empty_target)
    with target.app_context(), pytest.raises(BackupError, match="wrong passphrase"):
        restore_backup(target, db.engine, path, passphrase="not it", echo=lambda s: None)
    with target.app_context():
        assert fingerprint(db.engine) == {}


def test_restore_refuses_a_truncated_archive(app, db, archive, empty_target, app_on):
    path = archive()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    target = app_on(*empty_target)
    with target.app_context(), pytest.raises(BackupError, match="truncated"):
        restore_backup(target, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)


def test_restore_refuses_a_member_whose_checksum_differs(app, db, archive, tmp_path,
                                                         empty_target, app_on):
    path = archive()
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(path) as src, tarfile.open(forged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    target = app_on(*empty_target)
    with target.app_context(), pytest.raises(BackupError, match="checksum mismatch"):
        restore_backup(target, db.engine, forged, passphrase=PASSPHRASE, echo=lambda s: None)
    with target.app_context():
        assert fingerprint(db.engine) == {}


def test_restore_refuses_another_schema_version(app, db, tmp_path, empty_target, app_on):
    path = tmp_path / "unversioned.tar.gz"  # the test schema is not stamped: no revision
    create_backup(app, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)
    target = app_on(*empty_target)
    with target.app_context(), pytest.raises(BackupError, match="schema version mismatch"):
        restore_backup(target, db.engine, path, passphrase=PASSPHRASE, echo=lambda s: None)


def test_backup_without_keys_says_so(app, db, tmp_path):
    result = create_backup(app, db.engine, tmp_path / "nokeys.tar.gz", passphrase=None,
                           echo=lambda s: None)
    assert result.manifest.keys == "omitted"
    assert any("NOT in this archive" in w for w in result.warnings)
    with tarfile.open(result.path) as tar:
        assert "keys.sealed" not in tar.getnames()


def test_backup_cli_writes_an_archive_and_restore_cli_refuses_a_full_database(
        app, runner, tmp_path, stamped_schema, monkeypatch):
    monkeypatch.setenv("JIUJINAN_BACKUP_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "cli.tar.gz"
    made = runner.invoke(args=["backup", "create", str(path)])
    assert made.exit_code == 0, made.output
    assert path.stat().st_mode & 0o077 == 0
    refused = runner.invoke(args=["backup", "restore", str(path)])
    assert refused.exit_code == 1
    assert "not empty" in refused.output

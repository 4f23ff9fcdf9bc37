"""Key rotation: field key, person-hash key and SECRET_KEY, while the app keeps serving."""
from __future__ import annotations

import fcntl

import pytest
from sqlalchemy import select, text

from tests.conftest import AuthActions
from webapp.models import Applicant, AuditEvent, utcnow
from webapp.ops import keyfiles, rotation
from webapp.privacy.infrastructure.crypto import derive_key, encrypt, name_key, person_key
from webapp.privacy.infrastructure.keyring import key_id
from webapp.services import audit

PEOPLE = [(f"测试人{i}", f"37152619800101{i:03d}X") for i in range(7)]


@pytest.fixture
def keys_app(app, app_on, tmp_path):
    """An app on the test database with key files of its own (rotations rewrite them)."""
    data = tmp_path / "keys-data"
    data.mkdir()
    own = app_on(app.config["SQLALCHEMY_DATABASE_URI"], data, keys_in_files=True)
    own.config["KEY_ROTATION_GRACE_SECONDS"] = 0
    with own.app_context():
        yield own


def _raw(db, column: str) -> list[str]:
    return list(db.session.execute(text(f"SELECT {column} FROM applicants ORDER BY id")).scalars())


@pytest.fixture
def applicants(keys_app, db):
    """Seven applicants; the first two sealed the way values were before the key ring (v1)."""
    hash_key = keys_app.config["PERSON_HASH_KEY"]
    for name, id_number in PEOPLE:
        db.session.add(Applicant(name=name, id_number=id_number, phone="13800000000",
                                 person_key=person_key(id_number, hash_key),
                                 name_key=name_key(name, hash_key), created_at=utcnow()))
    db.session.commit()
    legacy = derive_key(keys_app.config["FIELD_ENCRYPTION_KEY"])
    for row_id, (name, _) in zip(db.session.scalars(select(Applicant.id).order_by(Applicant.id)),
                                 PEOPLE[:2]):
        db.session.execute(text("UPDATE applicants SET name = :v WHERE id = :id"),
                           {"v": encrypt(name, legacy), "id": row_id})
    db.session.commit()
    db.session.expire_all()
    return PEOPLE


def _names(db) -> list[str]:
    db.session.expire_all()
    return [a.name for a in db.session.scalars(select(Applicant).order_by(Applicant.id))]


def _actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("keys.%")).order_by(AuditEvent.seq)))


def test_keyring_reads_values_sealed_before_it(keys_app, db, applicants):
    assert _raw(db, "name")[0].startswith("v1:")
    assert _names(db) == [name for name, _ in applicants]


def test_field_rotation_reseals_every_value_and_retires_the_old_key(keys_app, db, applicants):
    old_id = key_id(keys_app.config["FIELD_ENCRYPTION_KEY"])
    result = keys_app.test_cli_runner().invoke(args=["keys", "rotate", "field", "--batch", "3"])
    assert result.exit_code == 0, result.output
    new_id = key_id(keyfiles.key_set(keys_app, keyfiles.FIELD).current)
    assert new_id != old_id
    assert all(v.startswith(f"v2:{new_id}:") for v in _raw(db, "name") + _raw(db, "id_number"))
    assert _names(db) == [name for name, _ in applicants]
    assert not (keys_app.config["DATA_DIR"] / "field_key.previous").exists()
    assert _actions(db) == ["keys.rotate_start", "keys.reseal", "keys.retire"]
    assert audit.verify_chain(db.session).ok


class PowerCut(Exception):
    pass


def test_field_rotation_interrupted_half_way_serves_reads_and_resumes(keys_app, db, applicants,
                                                                     monkeypatch):
    from webapp.ops import cli
    real = rotation.reseal_field_values

    def cut_after_first_batch(session, ring, *, batch, after_batch):
        def stop(table, done, total):
            after_batch(table, done, total)
            raise PowerCut
        return real(session, ring, batch=batch, after_batch=stop)

    runner = keys_app.test_cli_runner()
    monkeypatch.setattr(cli, "reseal_field_values", cut_after_first_batch)
    cut = runner.invoke(args=["keys", "rotate", "field", "--batch", "3"])
    assert isinstance(cut.exception, PowerCut)
    monkeypatch.setattr(cli, "reseal_field_values", real)
    db.session.rollback()

    new_id = key_id(keyfiles.key_set(keys_app, keyfiles.FIELD).current)
    under_new = sum(v.startswith(f"v2:{new_id}:") for v in _raw(db, "name"))
    assert 0 < under_new < len(applicants)
    assert _names(db) == [name for name, _ in applicants]  # both keys read meanwhile

    twice = runner.invoke(args=["keys", "rotate", "field"])
    assert twice.exit_code == 1
    assert "under way" in twice.output
    assert key_id(keyfiles.key_set(keys_app, keyfiles.FIELD).current) == new_id

    resumed = runner.invoke(args=["keys", "rotate", "field", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert all(v.startswith(f"v2:{new_id}:") for v in _raw(db, "name"))
    assert _names(db) == [name for name, _ in applicants]
    assert not (keys_app.config["DATA_DIR"] / "field_key.previous").exists()
    assert audit.verify_chain(db.session).ok


def test_rotation_refused_while_another_one_runs(keys_app, db, applicants):
    before = _raw(db, "name")
    with (keys_app.config["DATA_DIR"] / "keys.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = keys_app.test_cli_runner().invoke(args=["keys", "rotate", "field"])
        fcntl.flock(held, fcntl.LOCK_UN)
    assert result.exit_code == 1
    assert "another key rotation is running" in result.output
    assert _raw(db, "name") == before
    assert not (keys_app.config["DATA_DIR"] / "field_key.previous").exists()


def test_hash_rotation_rederives_every_person_hash(keys_app, db, applicants):
    old = keys_app.config["PERSON_HASH_KEY"]
    result = keys_app.test_cli_runner().invoke(args=["keys", "rotate", "hash"])
    assert result.exit_code == 0, result.output
    new = (keys_app.config["DATA_DIR"] / "person_hash_key").read_text().strip()
    assert new != old
    assert _raw(db, "person_key") == [person_key(i, new) for _, i in applicants]
    assert _raw(db, "name_key") == [name_key(n, new) for n, _ in applicants]  # case search
    keys_app.test_client().get("/healthz")  # the next request follows the key file
    assert keys_app.config["PERSON_HASH_KEY"] == new
    assert _actions(db) == ["keys.rotate_start", "keys.rotate_done"]


def test_secret_rotation_keeps_signed_in_users_signed_in(keys_app, db, demo_base):
    client = keys_app.test_client()
    AuthActions(client).login("officer")
    assert client.get("/dashboard").status_code == 200
    old = keys_app.config["SECRET_KEY"]
    result = keys_app.test_cli_runner().invoke(args=["keys", "rotate", "secret"])
    assert result.exit_code == 0, result.output
    keyfiles.follow_files(keys_app)  # as any request does first, here another user's
    assert keys_app.config["SECRET_KEY"] != old
    assert client.get("/dashboard").status_code == 200  # the cookie was signed with the old
    assert old in keys_app.config["SECRET_KEY_FALLBACKS"]
    assert "keys.rotate_start" in _actions(db)

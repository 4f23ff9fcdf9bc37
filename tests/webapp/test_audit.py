"""The audit chain: appended in the same transaction, tamper evident."""
from sqlalchemy import select, text

from webapp.models import AuditEvent
from webapp.services import audit


def test_audit_verify_reports_intact_chain(runner, demo_base, db):
    events = len(db.session.scalars(select(AuditEvent)).all())
    assert events >= 9  # the base loader audits its organisations and users
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert f"audit chain intact: {events} events verified" in result.output


def test_audit_verify_catches_edited_row(runner, demo_base, db):
    target = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
    db.session.execute(text("UPDATE audit_events SET summary = :s WHERE id = :id"),
                       {"s": '{"roles": ["admin"]}', "id": target.id})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event #4" in result.output


def test_audit_verify_catches_deleted_row(runner, demo_base, db):
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "#3" in result.output


def test_audit_record_is_rolled_back_with_its_change(db, demo_base):
    before = len(db.session.scalars(select(AuditEvent)).all())
    audit.record(db.session, None, "test.action", object_type="x", object_id=1)
    db.session.rollback()
    assert len(db.session.scalars(select(AuditEvent)).all()) == before
    assert audit.verify_chain(db.session).ok


def test_audit_chain_never_forks_under_concurrent_writers(app, db, demo_base):
    import threading

    from webapp.extensions import db as _db

    def write(n):
        with app.app_context():
            for i in range(5):
                audit.record(_db.session, None, "test.concurrent", object_type="t",
                             object_id=f"{n}-{i}")
                _db.session.commit()

    before = len(db.session.scalars(select(AuditEvent)).all())
    db.session.rollback()  # end the read: on SQLite it holds the write lock the threads need
    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit.verify_chain(db.session)
    assert report.ok, report
    assert report.checked == before + 20

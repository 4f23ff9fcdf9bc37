"""Background jobs: queued in the caller's transaction, run once, failures recorded."""
import json

import pytest

from webapp.models import Job, JobStatus
from webapp.services import DomainError, jobs


@pytest.fixture
def echo_handler():
    calls = []

    @jobs.handler("test.echo")
    def run(session, payload):
        calls.append(payload)
        if payload.get("fail"):
            raise ValueError("boom")
        return {"echo": payload["value"]}

    return calls


def test_jobs_enqueue_then_run_records_result(db, echo_handler):
    job = jobs.enqueue(db.session, "test.echo", {"value": 3})
    db.session.commit()
    assert jobs.run_pending(db.session) == 1
    db.session.refresh(job)
    assert job.status == JobStatus.DONE
    assert json.loads(job.result) == {"echo": 3}
    assert jobs.run_pending(db.session) == 0
    assert echo_handler == [{"value": 3}]


def test_jobs_failure_is_recorded_not_raised(db, echo_handler):
    job = jobs.enqueue(db.session, "test.echo", {"value": 1, "fail": True})
    db.session.commit()
    jobs.run_pending(db.session)
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED
    assert "boom" in job.error


def test_jobs_unknown_kind_is_refused(db):
    with pytest.raises(DomainError):
        jobs.enqueue(db.session, "no.such.kind", {})


def test_jobs_rolled_back_enqueue_leaves_nothing(db, echo_handler):
    jobs.enqueue(db.session, "test.echo", {"value": 1})
    db.session.rollback()
    assert jobs.run_pending(db.session) == 0

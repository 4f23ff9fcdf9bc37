"""Queue and run background jobs (matching batches, exports …).

A job is a row; ``claim_next`` takes one with ``FOR UPDATE SKIP LOCKED`` so any number of
workers (in-process or ``flask jobs work --follow`` on other hosts) never run one twice.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.background import request_kick
from webapp.models import User
from webapp.models.base import utcnow
from webapp.models.jobs import Job, JobStatus
from webapp.services import DomainError

log = logging.getLogger(__name__)
WORKER = "jobs"
JobHandler = Callable[[Session, dict[str, Any]], dict[str, Any] | None]
_handlers: dict[str, JobHandler] = {}


def handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that runs jobs of ``kind``: ``fn(session, payload) -> result``."""

    def register(fn: JobHandler) -> JobHandler:
        _handlers[kind] = fn
        return fn

    return register


def enqueue(session: Session, kind: str, payload: dict[str, Any], *, actor: User | None = None) -> Job:
    if kind not in _handlers:
        raise DomainError("未知的任务类型：%(kind)s", kind=kind)
    job = Job(kind=kind, payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
              created_by_id=getattr(actor, "id", None))
    session.add(job)
    session.flush()
    request_kick(session, WORKER)
    return job


def claim_next(session: Session) -> Job | None:
    """Mark the oldest queued job running and return it (caller commits)."""
    job = session.scalars(select(Job).where(Job.status == JobStatus.QUEUED).order_by(Job.id)
                          .limit(1).with_for_update(skip_locked=True)).first()
    if job is None:
        return None
    job.status = JobStatus.RUNNING
    job.started_at = utcnow()
    job.attempts += 1
    session.flush()
    return job


def run_job(session: Session, job: Job) -> None:
    """Run one claimed job; the handler's writes and the job's outcome commit together."""
    fn = _handlers.get(job.kind)
    try:
        if fn is None:
            raise DomainError("没有处理 %(kind)s 的程序", kind=job.kind)
        result = fn(session, json.loads(job.payload))
    except Exception as exc:
        session.rollback()
        failed = session.get_one(Job, job.id)
        failed.status = JobStatus.FAILED
        failed.error = f"{type(exc).__name__}: {exc}"[:2000]
        failed.finished_at = utcnow()
        session.commit()
        log.exception("job %s (%s) failed", job.id, job.kind)
        return
    job.status = JobStatus.DONE
    job.result = json.dumps(result or {}, ensure_ascii=False, default=str)
    job.finished_at = utcnow()
    session.commit()


def run_pending(session: Session, *, limit: int | None = None) -> int:
    """Claim and run queued jobs until none is left (or ``limit``); returns how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim_next(session)
        session.commit()
        if job is None:
            break
        run_job(session, job)
        done += 1
    return done

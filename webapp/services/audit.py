"""Writing and verifying the tamper-evident audit chain."""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import AuditEvent, AuditHead, User, utcnow

GENESIS = "0" * 64

# The web or CLI edge sets who is acting from where; services read it when recording.
client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_client_address", default=None)


def _digest(prev_hash: str, seq: int, occurred_at: dt.datetime, actor_id: int | None,
            action: str, object_type: str | None, object_id: str | int | None,
            address: str | None, summary: str) -> str:
    payload = json.dumps(
        [prev_hash, seq, occurred_at.isoformat(timespec="microseconds"), actor_id, action,
         object_type, object_id, address, summary],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def record(session: Session, actor: User | None, action: str, obj: Any = None, *,
           object_type: str | None = None,
           object_id: str | int | None = None,
           summary: dict[str, Any] | None = None) -> AuditEvent:
    """Append one audit event in the caller's transaction.

    ``summary`` must hold no personal data: ids, states, amounts and field names only.
    """
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    text = json.dumps(summary or {}, ensure_ascii=False, sort_keys=True, default=str)
    occurred_at = utcnow()
    seq = head.seq + 1
    actor_id = getattr(actor, "id", None)
    oid = None if object_id is None else str(object_id)
    address = client_address.get()
    digest = _digest(head.hash, seq, occurred_at, actor_id, action, object_type, oid, address, text)
    event = AuditEvent(seq=seq, occurred_at=occurred_at, actor_id=actor_id, action=action,
                       object_type=object_type, object_id=oid, client_address=address,
                       summary=text, prev_hash=head.hash, hash=digest)
    session.add(event)
    head.seq, head.hash = seq, digest
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Walk the chain in order and report the first broken link, if any."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return ChainReport(checked, expected_seq, "missing event")
            if ev.prev_hash != prev_hash:
                return ChainReport(checked, ev.seq, "previous hash does not match")
            digest = _digest(ev.prev_hash, ev.seq, ev.occurred_at, ev.actor_id, ev.action,
                             ev.object_type, ev.object_id, ev.client_address, ev.summary)
            if digest != ev.hash:
                return ChainReport(checked, ev.seq, "content does not match its hash")
            prev_hash, expected_seq, checked, last_seq = ev.hash, ev.seq + 1, checked + 1, ev.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return ChainReport(checked, last_seq + 1, "chain tip does not match the last event")
    return ChainReport(checked)

"""Notifications: an in-app inbox, and e-mail through SMTP when configured (off by default).

Messages name the case by its number only, never the person. In-app rows are written in the
caller's transaction by event subscribers; e-mail is sent later, after commit, by
:func:`send_pending_email` (``flask deadlines check`` calls it), so a rolled-back change never
sends mail.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from webapp.models import (
    Case,
    Notification,
    Organisation,
    OrgKind,
    Role,
    StepDeadline,
    User,
    UserRole,
    utcnow,
)
from webapp.services import events
from webapp.services.cases.notices import Notice

log = logging.getLogger(__name__)
STEP_LABELS = {"acceptance": "受理", "verification": "核查", "transfer_answer": "部门答复",
               "procedure": "办理总时限"}


def case_link(case: Case) -> str:
    return f"/cases/{case.id}"


def notify(session: Session, user_ids: Iterable[int | None], kind: str, title: Notice, *,
           body: Notice | str = "", case: Case | None = None, dedupe: str | None = None) -> int:
    """Put a message in each user's inbox; with ``dedupe`` a repeat call adds nothing.

    ``title`` and ``body`` are keyed messages (a body may be typed text), stored in Chinese
    and as their keys and values, which the inbox shows in the reader's language."""
    added = 0
    words = {"title": title.words,
             "body": body.words if isinstance(body, Notice) else None}
    title_text = title.chinese()
    body_text = body.chinese() if isinstance(body, Notice) else body
    for user_id in dict.fromkeys(u for u in user_ids if u):
        key = f"{dedupe}:{user_id}" if dedupe else None
        if key and session.scalars(select(Notification.id).where(
                Notification.dedupe_key == key)).first():
            continue
        session.add(Notification(user_id=user_id, kind=kind, title=title_text[:200],
                                 body=body_text[:1000], words=words,
                                 link=case_link(case) if case else None,
                                 case_id=case.id if case else None, dedupe_key=key))
        added += 1
    session.flush()
    return added


def users_with_role(session: Session, role: Role, *, organisation_id: int | None = None,
                    town_id: int | None = None) -> list[int]:
    """Active users holding ``role`` (in one organisation, or in a town and its communities)."""
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True)))
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if town_id is not None:
        communities = select(Organisation.id).where(Organisation.parent_id == town_id,
                                                    Organisation.kind == OrgKind.COMMUNITY)
        stmt = stmt.where((User.organisation_id == town_id)
                          | User.organisation_id.in_(communities))
    return list(session.scalars(stmt))


def mark_read(session: Session, user: User, notification_ids: Iterable[int] | None = None, *,
              now: dt.datetime | None = None) -> int:
    """Mark the user's messages read (all unread ones when no ids are given)."""
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    result = cast(CursorResult[Any], session.execute(stmt.values(read_at=now or utcnow())))
    session.flush()
    return result.rowcount or 0


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notify_overdue(session: Session, deadline: StepDeadline) -> int:
    """Tell the responsible person and the supervisors (officers) that a step is overdue."""
    case = deadline.case
    if deadline.responsible_id:
        owners = [deadline.responsible_id]
    elif deadline.department_id:
        owners = users_with_role(session, Role.DEPARTMENT_HANDLER,
                                 organisation_id=deadline.department_id)
    else:
        owners = users_with_role(session, Role.INTAKE_WORKER, town_id=deadline.town_id)
    supervisors = users_with_role(session, Role.OFFICER)
    step = STEP_LABELS.get(deadline.step.value, deadline.step.value)
    return notify(session, [*owners, *supervisors], "overdue",
                  Notice("overdue", number=case.number, step=step),
                  body=Notice("overdue_body", due=deadline.due_on.isoformat()), case=case,
                  dedupe=f"overdue:{deadline.id}")


# ---- subscribers: the case workflow announces, the inbox reacts in the same transaction ----

def on_transfer(session: Session, event: events.CaseTransferred) -> events.Effects:
    case, added = event.case, 0
    for transfer in event.transfers:
        added += notify(session, users_with_role(session, Role.DEPARTMENT_HANDLER,
                                        organisation_id=transfer.department_id),
               "transfer", Notice("transfer", number=case.number),
               body=Notice("transfer_body", due=transfer.due_on.isoformat()), case=case)
    return events.Effects(notices=added)


def on_answer(session: Session, event: events.TransferAnswered) -> events.Effects:
    case = event.case
    return events.Effects(notices=notify(session, [case.owner_id], "transfer_answer",
                                         Notice("transfer_answer", number=case.number), case=case))


def on_handover(session: Session, event: events.CaseHandedOver) -> events.Effects:
    return events.Effects(notices=notify(session, [event.new_owner_id], "handover",
                                         Notice("handover", number=event.case.number),
                                         case=event.case))


DECISION_LABELS = {events.CaseApproved: "已批准救助", events.CaseEnded: "决定不予救助"}


def on_decision(session: Session, event: events.CaseApproved | events.CaseEnded
                ) -> events.Effects | None:
    """An approval or a rejection: the responsible worker and the reporter are told."""
    if isinstance(event, events.CaseEnded) and event.reason != "reject":
        return None
    case, actor = event.case, event.actor
    recipients = [case.owner_id, case.reported_by_id]
    return events.Effects(notices=notify(
        session, [u for u in recipients if u != getattr(actor, "id", None)], "decision",
        Notice("decision", number=case.number, decision=DECISION_LABELS[type(event)]), case=case))


def on_escalated(session: Session, event: events.CaseEscalated) -> events.Effects:
    return events.Effects(notices=notify(session, users_with_role(session, Role.OFFICER),
                                         "escalated", Notice("escalated", number=event.case.number),
                                         case=event.case))


# ---- e-mail -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    sender: str = "jiujinan@localhost"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(config.get("MAIL_SERVER"), int(config.get("MAIL_PORT") or 25),
                   config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD"),
                   bool(config.get("MAIL_USE_TLS")), config.get("MAIL_FROM") or
                   "jiujinan@localhost")

    @property
    def enabled(self) -> bool:
        return bool(self.server)


def smtp_send(settings: MailSettings, messages: list[EmailMessage]) -> None:
    """Send messages over one SMTP connection (STARTTLS and login when configured)."""
    with smtplib.SMTP(settings.server or "", settings.port, timeout=30) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        for message in messages:
            smtp.send_message(message)


def send_pending_email(session: Session, settings: MailSettings, *,
                       send: Callable[[MailSettings, list[EmailMessage]], None] = smtp_send,
                       now: dt.datetime | None = None, limit: int = 200) -> int:
    """E-mail unsent messages to users with an address; returns how many were sent."""
    if not settings.enabled:
        return 0
    rows = session.execute(
        select(Notification, User.email).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email.is_not(None))
        .order_by(Notification.id).limit(limit)).all()
    messages = []
    for notification, address in rows:
        message = EmailMessage()
        message["From"], message["To"] = settings.sender, address
        message["Subject"] = f"[高唐救急难] {notification.title}"
        message.set_content(f"{notification.title}\n\n{notification.body}\n")
        messages.append(message)
    if not messages:
        return 0
    try:
        send(settings, messages)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail delivery failed: %s", type(exc).__name__)
        return 0
    stamp = now or utcnow()
    for notification, _address in rows:
        notification.emailed_at = stamp
    session.flush()
    return len(messages)

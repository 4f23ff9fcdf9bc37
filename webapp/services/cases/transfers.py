"""Transfers to departments (转办): create one with a reason and due date, record the answer.

The state change itself goes through :mod:`workflow` (actions ``transfer`` and
``transfer_answer``, and ``workflow.answer_transfer``); this module holds the transfer records
and their checks, and imports nothing of the workflow.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from webapp.models import (
    Case,
    CaseStatus,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    Step,
    Transfer,
    TransferStatus,
    User,
)
from webapp.services import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from webapp.services.cases import deadlines
from webapp.services.cases.settings import CaseSettings

MAX_DUE_DAYS = 60


def departments(session: Session) -> list[Organisation]:
    """The approved departments a case can be transferred to."""
    return list(session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.DEPARTMENT, Organisation.status == OrgStatus.APPROVED)
        .order_by(Organisation.name)))


def _department(session: Session, value: Any) -> Organisation:
    try:
        org = session.get(Organisation, int(value))
    except (TypeError, ValueError):
        org = None
    if org is None or org.kind != OrgKind.DEPARTMENT or org.status != OrgStatus.APPROVED:
        raise DomainError("转办部门不存在", field="department_id")
    return org


def _due_on(value: object, today: dt.date, settings: CaseSettings, case: Case) -> dt.date:
    if value in (None, ""):
        return deadlines.add_working_days(
            today, deadlines.case_limit(case, Step.TRANSFER_ANSWER, settings), settings)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("答复期限格式不正确（YYYY-MM-DD）", field="due_on") from None
    if not today <= value <= today + dt.timedelta(days=MAX_DUE_DAYS):
        raise DomainError("答复期限应在今天到 %(days)s 天之内", field="due_on", days=MAX_DUE_DAYS)
    return value


def create_transfers(session: Session, actor: User, case: Case, params: dict[str, Any], *,
                     settings: CaseSettings, now: dt.datetime) -> list[Transfer]:
    """Validate and record a transfer to one department (``department_id``) or several
    (``department_ids``), and start each answer clock."""
    ids = params.get("department_ids") or [params.get("department_id")]
    found = [_department(session, value) for value in ids]
    if len({d.id for d in found}) != len(found):
        raise DomainError("转办部门重复", field="department_id")
    reason = str(params.get("reason") or "").strip()
    if not reason:
        raise DomainError("请填写转办事由", field="reason")
    if len(reason) > 1000:
        raise DomainError("转办事由不能超过 1000 个字", field="reason")
    due_on = _due_on(params.get("due_on"), deadlines.local_date(now), settings, case)
    back_to = CaseStatus(params.get("return_to") or case.status)
    created = []
    for department in found:
        transfer = Transfer(case_id=case.id, department_id=department.id, reason=reason,
                            due_on=due_on, from_status=back_to, created_by_id=actor.id,
                            created_at=now, department=department)
        session.add(transfer)
        session.flush()
        deadlines.open_step(session, case, Step.TRANSFER_ANSWER, settings=settings, now=now,
                            department_id=department.id, transfer_id=transfer.id, due_on=due_on)
        created.append(transfer)
    session.refresh(case, ["transfers"])
    return created


def record_answer(session: Session, actor: User, case: Case, params: dict[str, Any], *,
                  now: dt.datetime) -> tuple[Transfer, CaseStatus]:
    """Store a department's answer; return the transfer and the status the case goes to."""
    transfer = params.get("transfer")
    if transfer is None or transfer.case_id != case.id:
        raise NotFoundError("转办记录不存在")
    if not actor.has_role(Role.OFFICER) and transfer.department_id != actor.organisation_id:
        raise PermissionDeniedError("只能答复转给本部门的个案")
    if transfer.status != TransferStatus.OPEN:
        raise ConflictError("该转办已经答复")
    answer = str(params.get("answer") or "").strip()
    if not answer:
        raise DomainError("请填写答复意见", field="answer")
    if len(answer) > 2000:
        raise DomainError("答复意见不能超过 2000 个字", field="answer")
    transfer.answer, transfer.status = answer, TransferStatus.ANSWERED
    transfer.answered_by_id, transfer.answered_at = actor.id, now
    deadlines.close_steps(session, case, (Step.TRANSFER_ANSWER,), now=now,
                          transfer_id=transfer.id)
    still_open = [t for t in case.transfers
                  if t.status == TransferStatus.OPEN and t.id != transfer.id]
    if still_open:
        return transfer, CaseStatus.TRANSFERRED
    return transfer, transfer.from_status


def visible_transfers_stmt(user: User) -> Select[tuple[Transfer]]:
    """Transfers a user may see: their department's, or all for officers and auditors;
    those of high-impact (重大敏感) cases first."""
    stmt = (select(Transfer).join(Case, Case.id == Transfer.case_id)
            .order_by(Case.high_impact.desc(), Transfer.status, Transfer.due_on, Transfer.id))
    if user.has_role(Role.OFFICER, Role.AUDITOR):
        return stmt
    if user.has_role(Role.DEPARTMENT_HANDLER):
        return stmt.where(Transfer.department_id == user.organisation_id)
    return stmt.where(Transfer.id.is_(None))

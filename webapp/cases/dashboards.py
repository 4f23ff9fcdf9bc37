"""Dashboard tiles of the case area, registered with ``webapp.main.dashboards``."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.main.dashboards import register
from webapp.models import (
    TERMINAL_STATUSES,
    Case,
    CaseStatus,
    Role,
    StepDeadline,
    Transfer,
    TransferStatus,
    utcnow,
)
from webapp.services.cases import deadlines, queries


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _overdue_cases(user):
    today = deadlines.local_date(utcnow())
    return queries.apply_filters(queries.visible_cases_stmt(user), user,
                                 queries.CaseFilters(overdue=True), today=today)


def intake_tiles(user):
    mine = select(Case).where(Case.owner_id == user.id,
                              Case.status.not_in(list(TERMINAL_STATUSES)))
    waiting = queries.visible_cases_stmt(user).where(Case.status == CaseStatus.REPORTED)
    return [("我承办的在办个案", _count(mine), url_for("cases.index", mine=1)),
            ("待受理", _count(waiting), url_for("cases.index", status="reported")),
            ("超期个案", _count(_overdue_cases(user)), url_for("cases.index", overdue=1))]


def department_tiles(user):
    open_transfers = select(Transfer).where(Transfer.department_id == user.organisation_id,
                                            Transfer.status == TransferStatus.OPEN)
    return [("待答复转办", _count(open_transfers), url_for("cases.transfer_inbox"))]


def officer_tiles(user):
    visible = queries.visible_cases_stmt(user)
    return [("待受理", _count(visible.where(Case.status == CaseStatus.REPORTED)),
             url_for("cases.index", status="reported")),
            ("待审批", _count(visible.where(Case.status == CaseStatus.VERIFIED)),
             url_for("cases.index", status="verified")),
            ("提交联席会议", _count(visible.where(Case.status == CaseStatus.ESCALATED)),
             url_for("cases.index", status="escalated")),
            ("超期个案", _count(_overdue_cases(user)), url_for("cases.supervision"))]


def auditor_tiles(user):
    today = deadlines.local_date(utcnow())
    overdue = deadlines.overdue_stmt(today).with_only_columns(StepDeadline.id)
    return [("全部个案", _count(select(Case)), url_for("cases.index")),
            ("超期环节", _count(overdue), url_for("cases.supervision"))]


register(frozenset({Role.INTAKE_WORKER}), intake_tiles)
register(frozenset({Role.DEPARTMENT_HANDLER}), department_tiles)
register(frozenset({Role.OFFICER}), officer_tiles)
register(frozenset({Role.AUDITOR}), auditor_tiles)

"""Dashboard tiles of the doors area: the open leads waiting for the town window's first
contact (the officer sees every town's), linking to the lead queue."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.main.dashboards import register
from webapp.models import LeadStatus, Role
from webapp.services.doors import leads


def lead_tiles(user):
    waiting = leads.queue_stmt(user, status=LeadStatus.OPEN).order_by(None)
    count = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    return [("待联系线索", count, url_for("doors.lead_queue"))]


register(frozenset({Role.INTAKE_WORKER, Role.OFFICER}), lead_tiles)

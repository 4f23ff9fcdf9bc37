"""Demo county rules and supervision: the config values as the first version of each rule,
China's calendar for this year and next, a few supervision orders at different levels and
one 重大敏感 case."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    TERMINAL_STATUSES,
    CalendarDay,
    Case,
    SupervisionOrder,
    User,
    utcnow,
)
from webapp.services import county_rules
from webapp.services.cases import deadlines, orders

# (days ago issued, reply?) — the escalation sweep then sets each one's level.
ORDERS = ((25, False), (8, False), (1, False), (12, True))


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"rules": 0, "orders": 0}
    now = utcnow()
    today = deadlines.local_date(now)
    admin = session.scalars(select(User).where(User.username == "admin")).first()
    officer = session.scalars(select(User).where(User.username == "officer")).first()
    counter["rules"] = county_rules.seed_defaults(session, admin, current_app.config,
                                                  effective_from=dt.date(today.year, 1, 1))
    if not session.scalars(select(CalendarDay)).first():
        for year in (today.year, today.year + 1):
            county_rules.load_library_year(session, admin, year)
    if officer is None or session.scalars(select(SupervisionOrder)).first():
        return counter
    settings = county_rules.settings_on(session, current_app.config, today)
    candidates = session.scalars(select(Case).where(
        Case.status.not_in(list(TERMINAL_STATUSES)),
        Case.reported_at < now - dt.timedelta(days=30)).order_by(Case.id)
        .limit(len(ORDERS) + 1)).all()
    for case, (days_ago, replied) in zip(candidates, ORDERS):
        issued_at = now - dt.timedelta(days=days_ago)
        order = orders.issue_order(
            session, officer, subject_kind="case", subject_id=case.id,
            recipient_id=case.town_id, request="该个案核查已超期，请说明原因并尽快办结",
            settings=settings, now=issued_at)
        if replied:
            worker = session.scalars(select(User).where(
                User.organisation_id == case.town_id).order_by(User.id)).first()
            if worker is not None:
                orders.reply_order(session, worker, order, now=issued_at + dt.timedelta(days=1),
                                   reply="已入户核查完毕，材料已补齐，今日提交审批")
        counter["orders"] += 1
    orders.escalate_orders(session, settings=settings, now=now)
    if len(candidates) > len(ORDERS):
        orders.set_high_impact(session, officer, candidates[-1], flag=True,
                               reason="媒体关注，县领导批示限期办结", settings=settings, now=now)
    return counter

"""Demo joint conference records: member departments, the first meeting's attendance and
minutes, and a second meeting whose time has passed without minutes (shown as overdue)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Conference, Role, User, UserRole, utcnow
from webapp.services.cases import conference, conference_records, transfers

FIRST = "2026年第一次救急难联席会议"
OVERDUE = "救急难联席会议（困难群众医疗费用专题）"
MINUTES = ("会议由县民政局主持，听取了提交联席会议的急难个案情况汇报。\n"
           "一、对再次遭遇急难的个案，同意按例外程序再次给予临时救助。\n"
           "二、对已享受其他救助政策的个案，不再重复救助，由镇（街道）做好解释工作。\n"
           "三、对医疗费用缺口较大的个案，由县卫生健康局、县医疗保障局按政策协同落实，"
           "三个工作日内答复办理结果。")


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"conference_members": 0, "conferences": 0}
    officer = session.scalars(select(User).join(UserRole).where(
        UserRole.role == Role.OFFICER).order_by(User.id)).first()
    if officer is None:
        return counter
    now = utcnow()
    if not conference_records.members(session):
        for department in transfers.departments(session):
            conference_records.add_member(session, officer, department, now=now)
            counter["conference_members"] += 1
    members = conference_records.members(session)
    first = session.scalars(select(Conference).where(Conference.title == FIRST)).first()
    if first is not None and first.minutes_at is None and first.scheduled_at <= now and members:
        present = [m.organisation_id for m in members[: max(1, len(members) - 1)]]
        conference_records.record_attendance(
            session, officer, first, present=present,
            representatives={i: "分管负责同志" for i in present}, now=now)
        conference_records.record_minutes(session, officer, first, minutes=MINUTES, now=now)
    if session.scalars(select(Conference).where(Conference.title == OVERDUE)).first() is None:
        conference.schedule_conference(session, officer, title=OVERDUE,
                                       location="县民政局三楼会议室",
                                       scheduled_at=now - dt.timedelta(days=1, hours=3),
                                       now=now - dt.timedelta(days=5))
        counter["conferences"] += 1
    return counter

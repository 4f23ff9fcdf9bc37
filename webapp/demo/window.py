"""Every town's window filled in (address, hours, telephones) and a few complaints to the
county bureau: one answered, one waiting, one late on the supervision board."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.demo.base import TOWNS
from webapp.models import Complaint, Organisation, OrgKind, User, utcnow
from webapp.services import complaints, windows
from webapp.services.cases.settings import CaseSettings

HOURS = "周一至周五 上午 8:30–12:00，下午 13:30–17:30（法定节假日除外；急难求助随时拨打窗口电话）"
COMPLAINTS = [
    # (days ago, town index or None, topic, text, answered)
    (2, 3, "delay", ("上个月在镇便民服务中心递交了临时救助申请，到现在还没有人联系我，"
                    "想问问办到哪一步了。"), False),
    (25, 5, "shirking", ("到窗口咨询大病救助，工作人员让我先去医保局问，医保局又让我回镇里，"
                        "来回跑了三趟。"), False),
    (12, None, "attitude", "打监督电话反映情况时接线人员态度不耐烦，希望改进。", True),
]


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"town_windows": 0, "complaints": 0}
    towns = {t.name: t for t in session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.TOWN))}
    for i, name in enumerate(TOWNS):
        town = towns.get(name)
        if town is None or windows.window_of(session, town) is not None:
            continue
        windows.update_window(
            session, None, town, address=f"{name}便民服务中心一楼社会救助窗口",
            opening_hours=HOURS, phone=f"0635-39{51100 + i:05d}",
            supervision_phone=f"0635-38{62200 + i:05d}" if i % 2 else "")
        counter["town_windows"] += 1
    if session.scalars(select(Complaint)).first() is not None:
        return counter
    settings = CaseSettings.from_config(current_app.config)
    policy = complaints.ComplaintPolicy(address_limit=len(COMPLAINTS) + 1)
    officer = session.scalars(select(User).where(User.username == "officer")).first()
    now = utcnow()
    for days, town_index, topic, text, answered in COMPLAINTS:
        town = towns.get(TOWNS[town_index]) if town_index is not None else None
        complaint = complaints.file_complaint(
            session, complaints.ComplaintInput(topic=topic, content=text,
                                               town_id=town.id if town else None,
                                               contact_phone="13800000000" if answered else ""),
            address="demo", policy=policy, settings=settings,
            now=now - dt.timedelta(days=days))
        if answered and officer is not None:
            complaints.answer_complaint(
                session, officer, complaint, now=now - dt.timedelta(days=days - 2),
                answer="已核实情况并对接线人员进行了批评教育，今后接听监督电话将耐心记录、"
                       "及时转办。感谢您的监督。")
        counter["complaints"] += 1
    return counter

"""Demo leads in each state (open, late, turned into a case, closed), an online application,
and an appeal waiting for the second officer. All people are synthetic."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.demo.base import BUREAU, DEMO_PASSWORD, town_orgs
from webapp.demo.cases import synthetic_id
from webapp.demo.consent import ensure_notices
from webapp.demo.ledger import EXTRA_OFFICERS
from webapp.models import Case, CaseStatus, ConsentMethod, Lead, Organisation, Role, User, utcnow
from webapp.services import accounts
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput, record_consent
from webapp.services.doors import appeals, leads
from webapp.services.doors.settings import DoorSettings

# (reporter, town, name, phone, what happened, urgency, days ago, then)
LEADS = [
    ("volunteer", "梁村镇", "刘凤英", "13905350101", "独居老人冬天摔伤，卧床三天无人照料，药费也拿不出。", 3, 0, None),
    ("rescue", "鱼丘湖街道", "无名氏（男，约五十岁）", None, "夜间在车站发现一名流浪男子，腿部溃烂，需要就医和临时安置。", 4, 0, None),
    ("intake", "梁村镇", "赵建军", "13905350102", "家中失火，房屋烧毁大半，一家四口暂住亲戚家。", 4, 9, None),
    ("dept", "尹集镇", "马小雨", "13905350103", "学生父亲突发脑出血住院，学生可能辍学。", 2, 12, None),
    ("volunteer", "梁村镇", "王桂芝", "13905350104", "丈夫车祸去世，本人患病，两个孩子上学。", 3, 20, "convert"),
    ("rescue", "梁村镇", "陈某", "13905350105", "外地来高务工人员工伤，老板失联，身无分文。", 3, 25, "refer"),
    ("volunteer", "清平镇", "李保国", "13905350106", "邻居说他家困难，核实后已有低保和医疗救助在办。", 1, 30, "duplicate"),
    (None, "梁村镇", "孙玉兰", "13905350107", "孩子查出白血病，需要去济南治疗，家里拿不出钱。", 4, 1, None),
]


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"leads": 0, "appeals": 0}
    if session.scalars(select(Lead.id)).first() is not None:
        return counter
    # The second officer (the ledger loader's officer2) exists before the appeal is filed,
    # so the appeal goes to someone other than the officer who rejected the case.
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
    for username, display in EXTRA_OFFICERS[:1]:
        if session.scalars(select(User).where(User.username == username)).first() is None:
            accounts.create_user(session, None, accounts.NewUser(
                username, DEMO_PASSWORD, display, {Role.OFFICER}, bureau))
    case_settings = CaseSettings.from_config(current_app.config)
    settings = DoorSettings.from_config(current_app.config)
    towns = town_orgs(session)
    window = _user(session, "intake")
    now = utcnow()
    notice = ensure_notices(session)
    for reporter, town, name, phone, what, urgency, days, then in LEADS:
        actor = _user(session, reporter) if reporter else None
        lead = leads.file_lead(session, actor, leads.LeadInput(
            name=name, town_id=towns[town].id, phone=phone or "",
            address=f"{town}{'车站广场' if phone is None else '某村'}", description=what,
            urgency=urgency, on_behalf=actor is not None),
            settings=settings, case_settings=case_settings, now=now - dt.timedelta(days=days))
        if actor is None:  # the online applicant agreed to the notice on the form
            record_consent(session, None, {"notice": notice, "method": ConsentMethod.ONLINE,
                                           "proxy_name": None, "proxy_relation": None},
                           lead=lead, now=lead.created_at)
        counter["leads"] += 1
        moment = now - dt.timedelta(days=max(days - 1, 0), hours=2)
        if then == "convert":
            leads.convert_lead(session, window, lead,
                               id_number=synthetic_id(rng, dt.date(1979, 4, 18)),
                               category="accident", amount_needed="20000",
                               consent=ConsentInput(notice.version, True, "paper"),
                               case_settings=case_settings, now=moment)
        elif then == "refer":
            leads.close_lead(session, window, lead, reason="referred",
                             note="已转介县人社局劳动监察大队追讨工资", now=moment)
        elif then == "duplicate":
            leads.close_lead(session, _user(session, "officer"), lead, reason="duplicate",
                             now=moment)
    refused = session.scalars(select(Case).where(Case.status == CaseStatus.REJECTED)
                              .order_by(Case.closed_at.desc())).first()
    if refused is not None and appeals.appeal_until(refused, settings) is not None:
        appeals.file_appeal(session, None, refused, reason="家里还有老人要照顾，收入算得不对，请求复核。",
                            settings=settings,
                            now=min((refused.closed_at or now) + dt.timedelta(hours=2), now))
        counter["appeals"] += 1
    return counter

"""Demo organisations (the bureau, departments, towns, villages, charities) and one login per role."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Organisation, OrgKind, OrgStatus, Role, User
from webapp.services import accounts

DEMO_PASSWORD = "jiujinan-demo"  # noqa: S105  (the published demo login; README: change it)
BUREAU = "高唐县民政局"

TOWNS = ["鱼丘湖街道", "汇鑫街道", "人和街道", "梁村镇", "尹集镇", "清平镇", "固河镇",
         "三十里铺镇", "琉璃寺镇", "赵寨子镇", "姜店镇", "杨屯镇", "高唐经济开发区"]

VILLAGES = {
    "鱼丘湖街道": ["鱼丘湖社区", "金城社区", "官道社区", "东关社区"],
    "汇鑫街道": ["汇鑫社区", "锦绣社区", "南湖社区", "新华社区"],
    "人和街道": ["人和社区", "西湖社区", "北关社区", "育才社区"],
    "梁村镇": ["梁村", "张官屯村", "李楼村", "前王村", "后刘村"],
    "尹集镇": ["尹集村", "东刘村", "西杜村", "马庄村"],
    "清平镇": ["清平村", "南街村", "北孙村", "魏庄村"],
    "固河镇": ["固河村", "后屯村", "前赵村", "王辛庄村"],
    "三十里铺镇": ["三十里铺村", "大官村", "小屯村", "孟庄村"],
    "琉璃寺镇": ["琉璃寺村", "北镇村", "东魏村", "田庄村"],
    "赵寨子镇": ["赵寨子村", "前张村", "后李村", "郭庄村"],
    "姜店镇": ["姜店村", "东姜村", "西王村", "周庄村"],
    "杨屯镇": ["杨屯村", "南屯村", "北屯村", "孙庄村"],
    "高唐经济开发区": ["开发区一社区", "开发区二社区", "金光社区"],
}

DEPARTMENTS = {
    "education": "高唐县教育和体育局", "hrss": "高唐县人力资源和社会保障局",
    "housing": "高唐县住房和城乡建设局", "health": "高唐县卫生健康局",
    "medical_insurance": "高唐县医疗保障局", "disabled": "高唐县残疾人联合会",
    "finance": "高唐县财政局", "audit": "高唐县审计局",
}

OTHER_ORGS = [
    ("高唐县慈善总会", OrgKind.CHARITY, "charity-main"),
    ("高唐县红十字会", OrgKind.CHARITY, "charity-redcross"),
    ("高唐县爱心助学协会", OrgKind.CHARITY, "charity-edu"),
    ("鲁西爱心实业有限公司", OrgKind.ENTERPRISE, "ent-luxi"),
    ("高唐县志愿者协会", OrgKind.VOLUNTEER_TEAM, "vol-assoc"),
    ("高唐县救助管理站", OrgKind.RESCUE_STATION, "rescue-station"),
]

DEMO_USERS = [
    ("admin", "系统管理员", BUREAU, {Role.ADMIN}),
    ("officer", "民政局王科长", BUREAU, {Role.OFFICER}),
    ("intake", "梁村镇受理窗口", "梁村镇", {Role.INTAKE_WORKER}),
    ("dept", "教体局经办人", DEPARTMENTS["education"], {Role.DEPARTMENT_HANDLER}),
    ("charity", "慈善总会项目专员", "高唐县慈善总会", {Role.CHARITY_STAFF}),
    ("fundmgr", "鲁西公益基金管理员", "鲁西爱心实业有限公司", {Role.FUND_MANAGER}),
    ("volunteer", "志愿者小陈", "高唐县志愿者协会", {Role.VOLUNTEER}),
    ("donor", "爱心人士刘先生", "社会公众", {Role.DONOR}),
    ("auditor", "审计局审计员", DEPARTMENTS["audit"], {Role.AUDITOR}),
    ("rescue", "救助管理站值班员", "高唐县救助管理站", {Role.RESCUE_STATION}),
]


def _org(session: Session, name: str, kind: OrgKind, code: str | None = None,
         parent: Organisation | None = None, counter: dict | None = None) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, kind=kind, status=OrgStatus.APPROVED, code=code,
                           parent=parent)
        session.add(org)
        session.flush()
        if counter is not None:
            counter["organisations"] = counter.get("organisations", 0) + 1
    return org


def town_orgs(session: Session) -> dict[str, Organisation]:
    """The town organisations by name."""
    rows = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.TOWN))
    return {o.name: o for o in rows}


def load(session: Session, rng, echo) -> dict[str, int]:
    counter: dict[str, int] = {"organisations": 0, "users": 0}
    bureau = _org(session, BUREAU, OrgKind.CIVIL_AFFAIRS, "bureau", counter=counter)
    for code, name in DEPARTMENTS.items():
        _org(session, name, OrgKind.DEPARTMENT, f"dept-{code}", bureau, counter)
    for i, town in enumerate(TOWNS, start=1):
        t = _org(session, town, OrgKind.TOWN, f"town-{i:02d}", bureau, counter)
        for j, village in enumerate(VILLAGES[town], start=1):
            _org(session, f"{town}{village}", OrgKind.COMMUNITY, f"town-{i:02d}-{j:02d}", t,
                 counter)
    for name, kind, code in OTHER_ORGS:
        _org(session, name, kind, code, counter=counter)
    accounts.public_organisation(session)
    for username, display, org_name, roles in DEMO_USERS:
        if session.scalars(select(User).where(User.username == username)).first():
            continue
        org = session.scalars(select(Organisation).where(Organisation.name == org_name)).one()
        accounts.create_user(session, None, accounts.NewUser(username, DEMO_PASSWORD, display,
                                                             roles, org))
        counter["users"] += 1
    return counter

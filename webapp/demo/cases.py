"""About 300 synthetic urgent cases across all 13 towns and every state, walked through the
real workflow (so timelines, deadlines and the audit chain are genuine): some overdue, some
transferred, and one joint conference with decisions. All people are invented; their ID
numbers carry valid GB 11643 check characters."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.demo.base import DEMO_PASSWORD, DEPARTMENTS, TOWNS, VILLAGES
from webapp.demo.consent import ensure_notices
from webapp.demo.ledger import RESERVE_FUNDING
from webapp.models import Case, CaseStatus, Category, Conference, Organisation, Role, User, utcnow
from webapp.privacy.detection.identifiers import id_check_code
from webapp.services import accounts, ledger
from webapp.services.cases import conference, workflow
from webapp.services.cases.household import MemberInput
from webapp.services.cases.intake import ApplicantInput, CaseInput, HouseholdInput, report_case
from webapp.services.cases.settings import CaseSettings
from webapp.services.consent import ConsentInput
from webapp.services.ledger.accounts import funded_total, reserve_account

CASES = 300
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "秀英桂兰玉凤建国志强海燕春梅文华淑珍明亮红霞德胜金花学军丽娟子涵浩然雨萱俊杰欣怡"
ILLNESSES = ["白血病", "尿毒症", "恶性肿瘤", "脑出血", "肺癌", "先天性心脏病", "乳腺癌",
             "再生障碍性贫血", "脑梗死", "肝硬化"]
STORIES = {
    Category.SERIOUS_ILLNESS: "家中主要劳动力确诊{illness}住院治疗，医疗费用自付部分较高，家庭积蓄已用尽，"
                              "后续治疗和康复费用无力承担。",
    Category.ACCIDENT: "在务工途中意外受伤，需手术治疗，短期内无法劳动，家庭失去主要收入来源。",
    Category.TRAFFIC: "遭遇交通事故致重伤，肇事方无力赔偿，医疗费和护理费用缺口较大。",
    Category.FIRE: "住房夜间突发火灾，家具衣物和口粮被烧毁，一家人暂住亲戚家，急需基本生活物资。",
    Category.DISASTER: "暴雨导致房屋部分倒塌，农作物绝收，家庭生活陷入困境。",
    Category.EMERGENCY: "家庭遭遇突发变故，子女面临辍学，急需助学帮扶，基本生活难以为继。",
    Category.OTHER: "因突发困难导致基本生活暂时出现严重困难，需要临时救助和心理疏导。",
}


def story(category: Category, illness: str) -> str:
    """A synthetic case story; illness cases name one of several serious illnesses."""
    return STORIES[category].format(illness=illness)
# target state → share of the demo cases. Published and in-assistance cases (95) carry a public
# card: enough per town for most cards to show their town at k = 5 (``flask privacy cards``).
PLAN = [(CaseStatus.REPORTED, 30), (CaseStatus.REFUSED, 8), (CaseStatus.ACCEPTED, 20),
        (CaseStatus.EMERGENCY_AID, 15), (CaseStatus.VERIFYING, 25), (CaseStatus.VERIFIED, 25),
        (CaseStatus.TRANSFERRED, 20), (CaseStatus.ESCALATED, 12), (CaseStatus.APPROVED, 15),
        (CaseStatus.REJECTED, 10), (CaseStatus.PUBLISHED, 70), (CaseStatus.IN_ASSISTANCE, 25),
        (CaseStatus.WITHDRAWN, 5), (CaseStatus.CLOSED, 20)]


def plan_for(total: int) -> list[CaseStatus]:
    """PLAN scaled to ``total`` cases with every state at least once (largest remainder).

    At 300 it is PLAN itself; a smaller demo (tests load 24–60 cases) still holds a case in
    every state, so what it shows does not depend on which states a shuffle happened to keep.
    """
    whole = sum(n for _, n in PLAN)
    exact = {status: n * total / whole for status, n in PLAN}
    counts = {status: max(1, int(x)) for status, x in exact.items()}
    by_remainder = sorted(exact, key=lambda status: exact[status] - int(exact[status]),
                          reverse=True)
    for status in itertools.islice(itertools.cycle(by_remainder),
                                   max(0, total - sum(counts.values()))):
        counts[status] += 1
    return [status for status, _ in PLAN for _ in range(counts[status])]


PATHS = {
    CaseStatus.REPORTED: [], CaseStatus.REFUSED: ["refuse"], CaseStatus.ACCEPTED: ["accept"],
    CaseStatus.EMERGENCY_AID: ["accept", "emergency_aid"],
    CaseStatus.VERIFYING: ["accept", "start_verification"],
    CaseStatus.VERIFIED: ["accept", "start_verification", "verify"],
    CaseStatus.TRANSFERRED: ["accept", "start_verification", "transfer"],
    CaseStatus.ESCALATED: ["accept", "start_verification", "escalate"],
    CaseStatus.APPROVED: ["accept", "start_verification", "verify", "approve"],
    CaseStatus.REJECTED: ["accept", "start_verification", "verify", "reject"],
    CaseStatus.PUBLISHED: ["accept", "start_verification", "verify", "approve", "publish"],
    CaseStatus.IN_ASSISTANCE: ["accept", "emergency_aid", "start_verification", "verify",
                               "approve", "publish", "start_assistance"],
    CaseStatus.WITHDRAWN: ["accept", "withdraw"],
    CaseStatus.CLOSED: ["accept", "start_verification", "verify", "approve", "publish",
                        "start_assistance", "close"],
}


def synthetic_id(rng, birth: dt.date) -> str:
    first17 = f"371526{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_code(first17)


def synthetic_phone(rng) -> str:
    return rng.choice(["138", "139", "150", "152", "158", "186", "187"]) + \
        f"{rng.randint(0, 99_999_999):08d}"


# (relation, how the story calls them, flags) of demo household members.
KIN = [("spouse", "妻子", frozenset()), ("spouse", "丈夫", frozenset({"serious_illness"})),
       ("child", "儿子", frozenset({"minor"})), ("child", "女儿", frozenset({"minor"})),
       ("parent", "母亲", frozenset({"elderly"})), ("parent", "父亲", frozenset({"elderly",
                                                                            "disability"}))]


def household_members(ref: str, surname: str, start: dt.date) -> list[tuple[MemberInput, str]]:
    """One to three invented members of a demo household, from their own random stream (so
    the rest of the demo data stays as it was); with how a story would mention each."""
    rng = random.Random(f"members:{ref}")  # noqa: S311  (reproducible demo data)
    members = []
    for relation, word, flags in rng.sample(KIN, rng.randint(1, 3)):
        name = (surname if relation != "spouse" else rng.choice(SURNAMES)) + \
            rng.choice(GIVEN) + rng.choice(GIVEN)
        id_number = ""
        if rng.random() < 0.6:
            birth = dt.date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28))
            id_number = synthetic_id(rng, min(birth, start))
        members.append((MemberInput(name, relation, id_number, flags), word))
    return members


def demo_consent(version: int, i: int) -> ConsentInput:
    """How the window told this applicant: most sign the paper form, some hear it read
    aloud, and now and then a relative agrees for someone too ill to come. (Not drawn from
    the loader's random stream, which would change every demo case after this one.)"""
    method = "read_aloud" if i % 3 == 1 else "paper"
    if i % 9 == 4:
        return ConsentInput(version, True, method, proxy_name=SURNAMES[i % len(SURNAMES)] + "建国",
                            proxy_relation="child")
    return ConsentInput(version, True, method)


def _user(session: Session, username: str, display: str, org: Organisation, role: Role,
          counter: dict) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = accounts.create_user(session, None, accounts.NewUser(
            username, DEMO_PASSWORD, display, {role}, org))
        counter["users"] += 1
    return user


def _staff(session: Session, counter: dict):
    orgs = {o.name: o for o in session.scalars(select(Organisation))}
    workers = {}
    for i, town in enumerate(TOWNS, start=1):
        name = "intake" if town == "梁村镇" else f"intake-{i:02d}"
        workers[town] = _user(session, name, f"{town}受理窗口", orgs[town], Role.INTAKE_WORKER,
                              counter)
    handlers = {}
    for code, dept in DEPARTMENTS.items():
        if code in ("finance", "audit"):
            continue
        name = "dept" if code == "education" else f"dept-{code}"
        handlers[code] = _user(session, name, f"{dept[3:-1]}经办人", orgs[dept],
                               Role.DEPARTMENT_HANDLER, counter)
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    return orgs, workers, handlers, officer


def _params(action, rng, case, orgs):
    if action == "refuse":
        return {"reason": "经了解不属于急难救助范围", "referred_to": "县医疗保障局窗口"}
    if action == "emergency_aid":
        return {"amount": min(case.amount_needed,
                              Decimal(rng.choice([500, 800, 1000, 1500, 2000, 3000])))}
    if action == "transfer":
        dept = rng.choice(["education", "health", "medical_insurance", "disabled", "housing"])
        return {"department_id": orgs[DEPARTMENTS[dept]].id,
                "reason": "请协助核实并落实相关政策"}
    if action == "escalate":
        return {"reason": "救助金额较大，需联席会议研究"}
    if action == "approve":
        return {"amount": min(case.amount_needed, Decimal(rng.choice([3000, 5000, 8000, 12000]))),
                "exception_reason": "再次遭遇急难，经研究同意再次救助"}
    if action == "reject":
        return {"reason": "经核查家庭经济状况不符合救助条件"}
    if action == "close":
        return {"outcome": "救助资金已发放，困难已缓解"}
    if action == "withdraw":
        return {"reason": "申请人主动撤回申请"}
    return {}


def _fund_reserve(session: Session) -> None:
    """Help-first aid is paid from the reserve (ledger area): fund it the way its loader would,
    before the demo grants any; the ledger loader sees it funded and adds nothing."""
    if funded_total(session, reserve_account(session)) == 0:
        ledger.top_up(session, None, source="reserve", source_id=None, amount=RESERVE_FUNDING,
                      reference="县财政拨付临时救助备用金")


def load(session: Session, rng, echo) -> dict[str, int]:
    counter = {"users": 0, "cases": 0, "conferences": 0}
    orgs, workers, handlers, officer = _staff(session, counter)
    _fund_reserve(session)
    notice = ensure_notices(session)
    # The app's keys: demo applicants must be found by the same keyed hashes as real ones.
    settings = CaseSettings.from_config(current_app.config)
    done = set(session.scalars(select(Case.external_ref).where(
        Case.external_ref.like("demo-case-%"))))
    real_now = utcnow()
    plan = plan_for(CASES)
    rng.shuffle(plan)
    people: list[tuple[str, str, dt.date]] = []
    # Cases that end up published cycle through the illnesses on their own, so every illness
    # (白血病, 尿毒症 …) appears on some public need card.
    illnesses = {True: itertools.cycle(["白血病", "尿毒症", *ILLNESSES]),
                 False: itertools.cycle(ILLNESSES)}
    public = {CaseStatus.PUBLISHED, CaseStatus.IN_ASSISTANCE}
    for i, target in enumerate(plan):
        ref = f"demo-case-{i:04d}"
        town = TOWNS[i % len(TOWNS)]
        category = rng.choice(list(Category))
        birth = dt.date(rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        id_number = synthetic_id(rng, birth)
        if people and i % 25 == 0:  # the same person again, in another town, another cause
            name, id_number, birth = people[rng.randrange(len(people))]
            category = Category.OTHER
        people.append((name, id_number, birth))
        amount = Decimal(rng.choice([2000, 3000, 5000, 8000, 12000, 20000, 50000]))
        start = real_now - dt.timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
        phone = synthetic_phone(rng)
        local = rng.random() > 0.12
        village = rng.choice(VILLAGES[town])
        flags = frozenset(f for f in ("disability", "elderly", "minor", "serious_illness",
                                      "dibao", "tekun") if rng.random() < 0.2)
        size = rng.randint(1, 6)
        services = rng.sample(["生活帮扶", "心理疏导", "陪护就医", "法律援助", "资源链接"],
                              rng.randint(0, 2))
        if ref in done:
            continue
        kin = household_members(ref, name[0], start.date()) if i % 3 == 0 else []
        description = story(category, next(illnesses[target in public]))
        if kin and i % 2 == 0:  # the story names a member, as real stories do
            word, member = kin[0][1], kin[0][0]
            description += f"{word}{member.name}目前在家照料，无法外出务工。"
        size = max(size, len(kin) + 1)
        worker = workers[town]
        case = report_case(session, worker, CaseInput(
            applicant=ApplicantInput(name, id_number, phone, f"{town}{village}{rng.randint(1, 99)}号",
                                     local_hukou=local),
            town_id=orgs[town].id, village_id=orgs[f"{town}{village}"].id,
            category=category.value, urgency=rng.randint(1, 4), amount_needed=amount,
            description=description, source=rng.choice(
                ["window", "window", "outreach", "hotline", "referral", "rescue_station"]),
            services=services, household=HouseholdInput(size, flags), external_ref=ref,
            members=[m for m, _word in kin], consent=demo_consent(notice.version, i)),
            settings=settings, now=start)
        counter["cases"] += 1
        moment = start
        for action in PATHS[target]:
            moment = min(moment + dt.timedelta(hours=rng.randint(3, 70)),
                         real_now - dt.timedelta(minutes=5))
            actor = officer if action in ("approve", "reject", "publish") else worker
            workflow.fire(session, actor, case, action, settings=settings, now=moment,
                          **_params(action, rng, case, orgs))
        if target == CaseStatus.TRANSFERRED and i % 3 == 0:
            transfer = case.transfers[-1]
            code = next(c for c, n in DEPARTMENTS.items() if orgs[n].id == transfer.department_id)
            workflow.answer_transfer(session, handlers[code], transfer,
                                     answer="已按政策落实相关救助，请继续办理", settings=settings,
                                     now=min(moment + dt.timedelta(days=1), real_now))
    if not session.scalars(select(Conference)).first():
        _conference(session, officer, orgs, settings, real_now)
        counter["conferences"] += 1
    return counter


def _conference(session: Session, officer, orgs, settings, now) -> None:
    escalated = session.scalars(select(Case).where(Case.status == CaseStatus.ESCALATED)
                                .order_by(Case.id).limit(5)).all()
    meeting = conference.schedule_conference(
        session, officer, title="2026年第一次救急难联席会议", location="县民政局三楼会议室",
        scheduled_at=now - dt.timedelta(days=2), now=now - dt.timedelta(days=6))
    items = [conference.add_to_agenda(session, officer, meeting, c) for c in escalated]
    decisions: list[tuple[str, dict[str, Any]]] = [("approve", {"amount": Decimal(6000),
                              "exception_reason": "再次遭遇急难，经联席会议同意再次救助"}),
                 ("reject", {"note": "已享受其他救助政策，不再重复救助"}),
                 ("assign", {"department_ids": [orgs[DEPARTMENTS["health"]].id,
                                                orgs[DEPARTMENTS["medical_insurance"]].id],
                             "note": "由卫健局、医保局按政策协同落实"})]
    for item, (decision, extra) in zip(items, decisions):
        conference.record_decision(session, officer, item, decision=decision,
                                   settings=settings, now=now - dt.timedelta(days=2), **extra)

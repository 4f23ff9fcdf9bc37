"""Fixtures of the case tests: settings, staff in two towns, a case factory, a funded reserve."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

_seq = itertools.count(100)


def make_id(birth: str = "19800305", seq: int | None = None) -> str:
    """A synthetic resident ID with a valid GB 11643 check character."""
    from webapp.privacy.identifiers import id_check_code
    first17 = f"371526{birth}{(seq if seq is not None else next(_seq)) % 1000:03d}"
    return first17 + id_check_code(first17)


@pytest.fixture
def settings(app):
    from webapp.services.cases.settings import CaseSettings
    return CaseSettings.from_config(app.config)


@pytest.fixture
def staff(db, demo_base, make_user):
    """Demo users plus an intake worker in 清平镇, a community worker in 梁村镇 and a health
    department handler."""
    from webapp.models import Organisation, Role, User

    def org(name):
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()

    def user(name):
        return db.session.scalars(select(User).where(User.username == name)).one()

    make_user(Role.INTAKE_WORKER, organisation=org("清平镇"), username="intake2",
              password="jiujinan-demo")
    make_user(Role.INTAKE_WORKER, organisation=org("梁村镇梁村"), username="village",
              password="jiujinan-demo")
    make_user(Role.DEPARTMENT_HANDLER, organisation=org("高唐县卫生健康局"), username="health",
              password="jiujinan-demo")
    names = ["officer", "intake", "intake2", "village", "dept", "health", "auditor", "admin",
             "donor"]
    found = {n: user(n) for n in names}
    found["org"] = org
    return found


@pytest.fixture
def funded_reserve(db, staff):
    """Help-first aid is paid by the ledger area from the reserve: give it money."""
    from webapp.services import ledger
    ledger.top_up(db.session, None, source="reserve", source_id=None,
                  amount=Decimal(100000), reference="test reserve")
    db.session.commit()


@pytest.fixture
def case_input(staff):
    from webapp.services.cases.intake import ApplicantInput, CaseInput, HouseholdInput

    def build(town="梁村镇", *, id_number=None, category="serious_illness", amount="8000",
              local_hukou=True, **extra):
        return CaseInput(
            applicant=ApplicantInput("王秀英", id_number or make_id(), "13812345678",
                                     "梁村镇前王村 12 号", local_hukou=local_hukou),
            town_id=staff["org"](town).id, category=category, amount_needed=amount,
            description="家中主要劳动力突发重病住院，医疗费用缺口较大。",
            household=HouseholdInput(3, frozenset({"minor"})), **extra)

    return build


@pytest.fixture
def make_case(db, staff, settings, case_input):
    """Report a case as the town's intake worker and walk it through ``actions``."""
    from webapp.services.cases import workflow
    from webapp.services.cases.intake import report_case

    params = {"refuse": {"reason": "不属于急难范围", "referred_to": "县医保局"},
              "emergency_aid": {"amount": "2000"}, "approve": {},
              "reject": {"reason": "不符合条件"}, "escalate": {"reason": "金额较大"},
              "close": {"outcome": "已救助"}, "withdraw": {"reason": "本人撤回"},
              "transfer": lambda: {"department_id": staff["org"]("高唐县教育和体育局").id,
                                   "reason": "请落实教育救助"}}
    officer_actions = {"approve", "reject", "publish", "unpublish"}

    def make(town="梁村镇", actions=(), *, worker=None, now=None, **kwargs):
        worker = worker or staff["intake" if town == "梁村镇" else "intake2"]
        case = report_case(db.session, worker, case_input(town, **kwargs), settings=settings,
                           now=now)
        for action in actions:
            p = params.get(action, {})
            p = p() if callable(p) else p
            actor = staff["officer"] if action in officer_actions else worker
            workflow.fire(db.session, actor, case, action, settings=settings, now=now, **p)
        db.session.commit()
        return case

    return make


ORDINARY = ("accept", "start_verification", "verify")


@pytest.fixture
def frozen():
    """A fixed moment: Friday 2026-03-06 10:00 in Gaotang (02:00 UTC)."""
    return dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)

"""Test factories, one per state they make, as fixtures returning callables (STYLE.md).

Every factory is visible to every test folder (``tests/conftest.py`` imports this module).
Its name says what it makes:

- ``make_user(*roles)``: a user with roles in a new (or given) organisation;
  ``user_named``, ``org_named``, ``town``, ``make_town``: demo users and organisations by name;
  ``staff``: the demo staff plus a second town's intake worker, a village worker and a health
  department handler.
- ``reported_case(town, actions=...)``: a case reported through intake (with an applicant),
  then walked through ``actions`` by the workflow; ``case_walked_at(town, reported, steps)``:
  the same with each action at its own moment (help-first money paid at that moment);
  ``approved_case(amount, status=APPROVED)``: a bare case row (no applicant) for the ledger;
  ``case_with_applicant(...)``: a case row whose applicant's data must never leak.
- ``published_need(town, ...)``: a published card behind a published case, no applicant;
  ``need_card(status=PUBLISHED, ...)``: a card in ``status`` behind a bare case whose
  description holds personal data.
- ``listed_resource(kind, title=...)``: a listed project, fund or offer inserted directly;
  ``announced_listing(kind, status=LISTED)``: a listing row announced with ``ListingChanged``;
  ``make_project(owner, status=LISTED)``: a project through the listings service.
- ``reserve_funded(amount)`` / ``funded_reserve``: money in the help-first reserve.
- ``need_record(id)`` / ``resource_record(id)``: plain ``matching.records`` values, no database.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from matching.records import Need, Resource

_counter = itertools.count(1)
_numbers = itertools.count(1)
_seq = itertools.count(100)
ORDINARY = ("accept", "start_verification", "verify")


# ---- helpers -----------------------------------------------------------------------------

def make_id(birth: str = "19800305", seq: int | None = None) -> str:
    """A synthetic resident ID with a valid GB 11643 check character."""
    from webapp.privacy.detection.identifiers import id_check_code
    first17 = f"371526{birth}{(seq if seq is not None else next(_seq)) % 1000:03d}"
    return first17 + id_check_code(first17)


def ident(obj) -> int:
    """The primary key of a model instance, even once it is expired and detached."""
    from sqlalchemy import inspect
    return inspect(obj).identity[0]


def project_data(**overrides) -> dict:
    data = {"title": "梁村镇大病救助计划", "description": "对大病困难家庭给予补充资助。",
            "categories": ["serious_illness"], "towns": [], "budget": "100000",
            "per_case_cap": "5000", "starts_on": dt.date(2026, 1, 1),
            "ends_on": dt.date(2026, 12, 31)}
    data.update(overrides)
    return data



# ---- people and places -------------------------------------------------------------------

@pytest.fixture
def make_user(db):
    """Create a user with the given roles in a (new or given) organisation."""
    from webapp.models import Organisation, OrgKind, OrgStatus, Role
    from webapp.services import accounts

    def make(*roles: Role, organisation=None, username=None, password="correct-horse-1",
             org_kind=OrgKind.CIVIL_AFFAIRS):
        n = next(_counter)
        if organisation is None:
            organisation = Organisation(name=f"测试机构{n}", kind=org_kind,
                                        status=OrgStatus.APPROVED)
            db.session.add(organisation)
            db.session.flush()
        user = accounts.create_user(db.session, None, accounts.NewUser(
            username or f"user{n}", password, f"测试用户{n}", set(roles) or {Role.DONOR},
            organisation))
        db.session.commit()
        return user

    return make


@pytest.fixture
def user_named(db, demo_base):
    from webapp.models import User

    def get(username: str):
        return db.session.scalars(select(User).where(User.username == username)).one()

    return get


@pytest.fixture
def org_named(db, demo_base):
    from webapp.models import Organisation

    def get(name: str):
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()

    return get


@pytest.fixture
def town(db, demo_base):
    """A town organisation by name (default 梁村镇)."""
    from webapp.models import Organisation

    def get(name: str = "梁村镇"):
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()

    return get


@pytest.fixture
def make_town(db):
    from webapp.models import Organisation, OrgKind, OrgStatus

    def make(name: str = "梁村镇") -> Organisation:
        from sqlalchemy import select
        town = db.session.scalars(select(Organisation).where(Organisation.name == name)).first()
        if town is None:
            town = Organisation(name=name, kind=OrgKind.TOWN, status=OrgStatus.APPROVED)
            db.session.add(town)
            db.session.flush()
        return town

    return make


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
def other_charity_user(db, make_user):
    """A charity staff member of a second charity."""
    from webapp.models import Organisation, OrgKind, OrgStatus, Role
    org = Organisation(name="另一家慈善组织", kind=OrgKind.CHARITY, status=OrgStatus.APPROVED)
    db.session.add(org)
    db.session.commit()
    return make_user(Role.CHARITY_STAFF, organisation=org, username="othercharity")



# ---- cases ---------------------------------------------------------------------------------

@pytest.fixture
def settings(app):
    from webapp.services.cases.settings import CaseSettings
    return CaseSettings.from_config(app.config)


def add_notice(db):
    """Publish version 1 of a 告知同意 notice, in force since 2000 (committed); its id."""
    from webapp.models.consent import ConsentNotice

    notice = ConsentNotice(version=1, title="个人信息处理告知书",
                           body="我们收集您的姓名、身份证号码和联系方式，只用于核实和发放救助。",
                           effective_on=dt.date(2000, 1, 1))
    db.session.add(notice)
    db.session.commit()
    return notice.id


@pytest.fixture
def consent_notice(db):
    """A notice in force, as every county publishes before its first case. Plain values:
    the row itself is detached once a request ends its session."""
    from types import SimpleNamespace
    return SimpleNamespace(id=add_notice(db), version=1)


@pytest.fixture
def case_input(staff, consent_notice):
    from webapp.services.cases.intake import ApplicantInput, CaseInput, HouseholdInput
    from webapp.services.consent import ConsentInput

    def build(town="梁村镇", *, id_number=None, category="serious_illness", amount="8000",
              local_hukou=True, **extra):
        extra.setdefault("consent", ConsentInput(consent_notice.version, True, "paper"))
        return CaseInput(
            applicant=ApplicantInput("王秀英", id_number or make_id(), "13812345678",
                                     "梁村镇前王村 12 号", local_hukou=local_hukou),
            town_id=staff["org"](town).id, category=category, amount_needed=amount,
            description="家中主要劳动力突发重病住院，医疗费用缺口较大。",
            household=HouseholdInput(3, frozenset({"minor"})), **extra)

    return build


@pytest.fixture
def reported_case(db, staff, settings, case_input):
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


@pytest.fixture
def case_walked_at(db, staff, settings, case_input, funded_reserve):
    """Report a case at ``reported`` and walk it through ``steps`` of (action, moment), each
    at its own time; a help-first payment (``emergency_aid``) is disbursed at once and its
    recorded payment time set to the action's moment."""
    from webapp.models import MoneyTransfer
    from webapp.services import ledger
    from webapp.services.cases import workflow
    from webapp.services.cases.intake import report_case
    from webapp.services.statistics import timings

    params = {"emergency_aid": {"amount": "1000"}, "approve": {},
              "close": {"outcome": "已救助"}, "reject": {"reason": "不符合条件"},
              "refuse": {"reason": "不属于救助范围", "referred_to": "县医疗保障局"},
              "transfer": lambda: {"department_id": staff["org"]("高唐县教育和体育局").id,
                                   "reason": "请落实教育救助"}}

    def make(town="梁村镇", reported=None, steps=(), **kwargs):
        worker = staff["intake" if town == "梁村镇" else "intake2"]
        case = report_case(db.session, worker, case_input(town, **kwargs), settings=settings,
                           now=reported)
        for action, moment in steps:
            p = params.get(action, {})
            p = p() if callable(p) else p
            actor = staff["officer"] if action in ("approve", "reject", "publish") else worker
            workflow.fire(db.session, actor, case, action, settings=settings, now=moment, **p)
            if action == "emergency_aid":
                transfer = db.session.scalars(select(MoneyTransfer).where(
                    MoneyTransfer.case_id == case.id)).one()
                ledger.disburse(db.session, staff["officer"], transfer, payee="王秀英",
                                method="bank_transfer", voucher_number=f"PZ-{case.id}",
                                paid_on=moment.date(), second_officer_above=Decimal(10**6))
                transfer.posted_at = moment
                # As if paid then: the case's timing record counts from the backdated time.
                timings.refresh(db.session, [case.id])
        db.session.commit()
        return case

    return make


@pytest.fixture
def approved_case(db, demo_base):
    """Create a bare case (no applicant) needing ``amount_needed`` yuan, approved unless
    ``status`` says otherwise; return it."""
    from webapp.models import Case, CaseStatus, Category, Organisation, OrgKind

    def make(amount_needed="5000.00", status=CaseStatus.APPROVED):
        town = db.session.scalars(select(Organisation).where(
            Organisation.kind == OrgKind.TOWN)).first()
        case = Case(number=f"GT-2026-{next(_numbers):06d}", town_id=town.id,
                    category=Category.SERIOUS_ILLNESS, amount_needed=Decimal(amount_needed),
                    status=status)
        db.session.add(case)
        db.session.commit()
        return case

    return make


@pytest.fixture
def case_with_applicant(db, make_town):
    """A case with a synthetic applicant whose personal data must never be indexed."""
    from webapp.models import Applicant, Case, Category

    def make(*, town: str = "梁村镇", category=Category.SERIOUS_ILLNESS, urgency: int = 3,
             description: str = "患者确诊白血病，需要化疗，家庭无力承担。",
             amount: str = "30000", applicant: dict | None = None) -> Case:
        n = next(_numbers)
        person = Applicant(person_key=f"key-{n}", **(applicant or {
            "name": "测试人", "id_number": "371526198001010011", "phone": "13800000000"}))
        db.session.add(person)
        db.session.flush()
        case = Case(number=f"GT-TEST-{n:06d}", town_id=make_town(town).id, category=category,
                    urgency=urgency, description=description, amount_needed=Decimal(amount),
                    applicant_id=person.id)
        db.session.add(case)
        db.session.flush()
        return case

    return make



# ---- money ---------------------------------------------------------------------------------

@pytest.fixture
def reserve_funded(db, demo_base):
    """Put money into the help-first reserve."""
    from webapp.services import ledger

    def fund(amount="100000.00"):
        ledger.top_up(db.session, None, source="reserve", source_id=None, amount=amount,
                      reference="测试拨款")
        db.session.commit()

    return fund


@pytest.fixture
def funded_reserve(reserve_funded):
    """Help-first aid is paid by the ledger area from the reserve: give it 100,000 yuan."""
    reserve_funded()



# ---- needs ---------------------------------------------------------------------------------

@pytest.fixture
def published_need(db, org_named):
    """A published need card behind an approved case (no applicant: nothing personal)."""
    from webapp.models import Case, CaseStatus, Category, NeedCard, NeedStatus, utcnow

    def make(town="梁村镇", *, category=Category.SERIOUS_ILLNESS, needed="8000", urgency=3,
             title="重病家庭急需住院医疗费用", story="家中主要劳动力突发重病住院手术，医疗费用缺口较大。",
             services="", days_ago=3):
        n = next(_numbers)
        place = org_named(town)
        case = Case(number=f"GT-M-{n:06d}", town_id=place.id, category=category,
                    urgency=urgency, amount_needed=Decimal(needed), status=CaseStatus.PUBLISHED,
                    reported_at=utcnow() - dt.timedelta(days=days_ago), approved_at=utcnow())
        db.session.add(case)
        db.session.flush()
        card = NeedCard(case_id=case.id, status=NeedStatus.PUBLISHED, title=f"{title}{n}",
                        story=story, category=category, area=place.name, town_id=place.id,
                        urgency=urgency, amount_needed=Decimal(needed), services=services,
                        published_at=utcnow())
        db.session.add(card)
        db.session.commit()
        db.session.refresh(card)  # loaded, so it stays readable after a request ends
        return card

    return make


@pytest.fixture
def need_card(db, town):
    """Create a need card in ``status`` (published by default) behind a bare case whose
    description holds personal data."""
    from webapp.models import Case, Category, NeedCard, NeedStatus, utcnow

    def make(*, status=NeedStatus.PUBLISHED, urgency=2, needed="10000", covered="0",
             category=Category.SERIOUS_ILLNESS, town_name="梁村镇", days_waiting=0,
             reported_days_ago=None, title=None):
        n = next(_numbers)
        place = town(town_name)
        published = utcnow() - dt.timedelta(days=days_waiting)
        case = Case(number=f"GT-T-{n:06d}", town_id=place.id, category=category,
                    urgency=urgency, amount_needed=Decimal(needed),
                    description="张三，身份证 370000199001011234，电话 13800000000",
                    reported_at=published - dt.timedelta(days=reported_days_ago or 1))
        db.session.add(case)
        db.session.flush()
        card = NeedCard(case_id=case.id, status=status, title=title or f"重病家庭急需医疗费用{n}",
                        story="家中主要劳动力突发重病住院，急需医疗费用。", category=category,
                        area=place.name, town_id=place.id, urgency=urgency,
                        amount_needed=Decimal(needed),
                        published_at=published if status == NeedStatus.PUBLISHED else None)
        db.session.add(card)
        db.session.flush()
        if Decimal(covered) > 0:  # money already granted: a reservation from the reserve
            from webapp.services import ledger
            ledger.top_up(db.session, None, source="reserve", source_id=None, amount=covered,
                          reference="测试拨款")
            ledger.reserve_for_case(db.session, None, source="reserve", source_id=None,
                                    case=case, amount=covered, reference="测试预留")
        db.session.commit()
        return card

    return make



# ---- resources -----------------------------------------------------------------------------

@pytest.fixture
def listed_resource(db, org_named):
    """A listed project, fund or offer, inserted directly; a project or fund receives
    ``amount`` by a recorded top-up."""
    from webapp.models import Fund, ListingStatus, Offer, Project

    def make(kind="project", *, title, description="", categories=("serious_illness",),
             towns=(), amount="50000", per_case_cap="5000", services="", org=None):
        town_ids = ",".join(str(org_named(t).id) for t in towns)
        cats = ",".join(categories)
        if kind == "project":
            listing = Project(organisation_id=org_named(org or "高唐县慈善总会").id, title=title,
                              description=description, categories=cats, towns=town_ids,
                              budget=Decimal(amount),
                              per_case_cap=Decimal(per_case_cap) if per_case_cap else None,
                              status=ListingStatus.LISTED)
        elif kind == "fund":
            listing = Fund(organisation_id=org_named(org or "鲁西爱心实业有限公司").id, title=title,
                           description=description, categories=cats, towns=town_ids,
                           capital=Decimal(amount),
                           per_case_cap=Decimal(per_case_cap) if per_case_cap else None,
                           status=ListingStatus.LISTED)
        else:
            listing = Offer(organisation_id=org_named(org or "高唐县志愿者协会").id, title=title,
                            description=description, categories=cats, towns=town_ids,
                            services=services, hours_per_week=4, status=ListingStatus.LISTED)
        db.session.add(listing)
        db.session.flush()
        if kind in ("project", "fund") and Decimal(amount) > 0:  # the money it holds
            from webapp.services import ledger
            ledger.top_up(db.session, None, source=kind, source_id=listing.id, amount=amount,
                          reference="测试资金到账")
        db.session.commit()
        db.session.refresh(listing)
        return listing

    return make


@pytest.fixture
def accepted_service_pairing(db, user_named, org_named):
    """A volunteer's individual offer paired with a case's need card for ``hours`` hours,
    approved by the bureau and accepted by the volunteer (named ``volunteer`` by default)."""
    from webapp.models import ListingKind, ListingStatus, Offer, Proposal, ProposalStatus, utcnow

    def make(card, *, hours="10", volunteer="volunteer", accepted_days_ago=7):
        person = user_named(volunteer)
        offer = Offer(organisation_id=person.organisation_id or org_named("高唐县志愿者协会").id,
                      volunteer_id=person.id, title="陪诊和心理疏导服务", services="陪诊",
                      hours_per_week=4, status=ListingStatus.LISTED)
        db.session.add(offer)
        db.session.flush()
        then = utcnow() - dt.timedelta(days=accepted_days_ago)
        pairing = Proposal(need_card_id=card.id, case_id=card.case_id,
                           resource_kind=ListingKind.OFFER, resource_id=offer.id,
                           organisation_id=offer.organisation_id, unit="hours",
                           amount=Decimal(hours), approved_amount=Decimal(hours), score=0.5,
                           status=ProposalStatus.ACCEPTED, decided_by_id=user_named("officer").id,
                           decided_at=then, responded_by_id=person.id, responded_at=then)
        db.session.add(pairing)
        db.session.commit()
        return pairing

    return make


@pytest.fixture
def closed_by_officer(app, db, user_named):
    """Close a published case through the workflow (start assistance, then close)."""
    from webapp.services.cases import workflow
    from webapp.services.cases.settings import CaseSettings

    def close(case):
        settings = CaseSettings.from_config(app.config)
        officer = user_named("officer")
        workflow.fire(db.session, officer, case, "start_assistance", settings=settings)
        workflow.fire(db.session, officer, case, "close", settings=settings, outcome="已救助")
        db.session.commit()
        db.session.expire_all()

    return close


@pytest.fixture
def budgeted_scheme(db, demo_base):
    """A listed 临时救助 scheme of the bureau: ¥500–¥3,000, once a year, ¥100,000 budget
    in its ledger account (a recorded top-up)."""
    from webapp.models import ListingStatus, Organisation, Scheme
    from webapp.services import ledger
    bureau = db.session.scalars(select(Organisation).where(
        Organisation.name == demo_base.BUREAU)).one()
    row = Scheme(title="临时救助（测试）", code=f"TEST-LSJZ-{next(_numbers)}",
                 organisation_id=bureau.id, min_amount=Decimal(500), max_amount=Decimal(3000),
                 annual_budget=Decimal(100000), times_per_year=1, status=ListingStatus.LISTED)
    db.session.add(row)
    db.session.flush()
    ledger.top_up(db.session, None, source="scheme", source_id=row.id, amount="100000",
                  reference="县财政拨付")
    db.session.commit()
    return row


@pytest.fixture
def announced_listing(db, make_town):
    """A listing row in the given status, announced as the listings service does (commits)."""
    from webapp.models import Organisation, OrgKind, OrgStatus
    from webapp.models.resources import LISTING_MODELS, ListingKind, ListingStatus
    from webapp.services import events

    def make(kind: str = "project", *, title: str = "助学圆梦项目", description: str = "",
             categories: str = "", towns: tuple[str, ...] = (),
             status: ListingStatus = ListingStatus.LISTED, **extra):
        n = next(_numbers)
        org = Organisation(name=f"高唐县测试慈善会{n}", kind=OrgKind.CHARITY,
                           status=OrgStatus.APPROVED)
        db.session.add(org)
        db.session.flush()
        model = LISTING_MODELS[ListingKind(kind)]
        if kind == "scheme":
            extra.setdefault("code", f"SCHEME-{n}")
        listing = model(title=title, description=description, categories=categories,
                        towns=",".join(str(make_town(t).id) for t in towns), status=status,
                        organisation_id=org.id, **extra)
        db.session.add(listing)
        db.session.flush()
        events.publish(db.session, events.ListingChanged(kind, listing.id))
        db.session.commit()
        return listing

    return make


@pytest.fixture
def make_project(db, user_named):
    """Create a project through the service, by default listed (submitted and approved)."""
    from webapp.models import ListingStatus
    from webapp.models.resources import ListingKind
    from webapp.services import listings

    def make(owner: str = "charity", *, status=ListingStatus.LISTED, **overrides):
        actor = user_named(owner)
        project = listings.create_listing(db.session, actor, ListingKind.PROJECT,
                                          project_data(**overrides))
        if status in (ListingStatus.PENDING_REVIEW, ListingStatus.LISTED):
            review = listings.submit_listing(db.session, actor, project)
            if status == ListingStatus.LISTED:
                listings.decide_review(db.session, user_named("officer"), review, approve=True)
        db.session.commit()
        return project

    return make



# ---- plain matching records (no database) --------------------------------------------------

@pytest.fixture
def need_record():
    """Return a factory of ``matching.records.Need`` values with sensible defaults."""

    def make(id=1, **overrides):
        fields = {
            "id": id,
            "category": "medical",
            "town": "梁村镇",
            "urgency": 3,
            "gap": 20_000.0,
            "days_waiting": 10,
            "vulnerability": frozenset({"serious_illness"}),
            "tokens": ("白血病", "化疗", "医疗费", "住院"),
            "age": 45,
        }
        fields.update(overrides)
        return Need(**fields)

    return make


@pytest.fixture
def resource_record():
    """Return a factory of ``matching.records.Resource`` values with sensible defaults."""

    def make(id=100, **overrides):
        fields = {
            "id": id,
            "kind": "project",
            "categories": frozenset({"medical"}),
            "towns": frozenset({"梁村镇"}),
            "unit": "yuan",
            "capacity": 100_000.0,
            "tokens": ("大病", "医疗费", "化疗", "救助"),
        }
        fields.update(overrides)
        return Resource(**fields)

    return make


@pytest.fixture
def listed_scheme(db, demo_base):
    """A listed government scheme of the bureau with standards ``low``–``high`` yuan,
    ``times`` a year, and ¥100,000 in its account."""
    from webapp.models import ListingStatus, Organisation, Scheme
    from webapp.services import ledger

    def make(*, low="500", high="3000", times=1, title="临时救助（测试）"):
        bureau = db.session.scalars(select(Organisation).where(
            Organisation.name == demo_base.BUREAU)).one()
        row = Scheme(title=title, code=f"TEST-SCHEME-{bureau.id}-{low}-{high}-{times}",
                     organisation_id=bureau.id, min_amount=Decimal(low),
                     max_amount=Decimal(high), annual_budget=Decimal(100000),
                     times_per_year=times, status=ListingStatus.LISTED)
        db.session.add(row)
        db.session.flush()
        ledger.top_up(db.session, None, source="scheme", source_id=row.id, amount="100000",
                      reference="县财政拨付")
        db.session.commit()
        return row

    return make
# ---- every door in: leads, codes, the applicants' outbox ----------------------------------

@pytest.fixture
def door_settings(app):
    from webapp.services.doors.settings import DoorSettings
    return DoorSettings.from_config(app.config)


@pytest.fixture
def filed_lead(db, staff, settings, door_settings, user_named):
    """A lead filed by ``reporter`` (a demo username; ``None``: a resident's online
    application) for ``town``, open in its window's queue."""
    from webapp.services.doors import leads

    def make(reporter: str | None = "volunteer", town: str = "梁村镇", *,
             name: str = "孙桂兰", phone: str = "13900001111", now=None, **extra):
        data = leads.LeadInput(name=name, town_id=staff["org"](town).id, phone=phone,
                               address=f"{town}后刘村 3 号",
                               description="独居老人摔伤卧床，无人照料，医药费困难。", **extra)
        actor = user_named(reporter) if reporter else None
        lead = leads.file_lead(db.session, actor, data, settings=door_settings,
                               case_settings=settings, now=now)
        db.session.commit()
        return lead

    return make


@pytest.fixture
def outbox_texts(db):
    """The texts in the local outbox sent to ``phone``, oldest first."""
    from webapp.models import OutboundMessage
    from webapp.services.doors.codes import phone_key

    def read(phone: str) -> list[str]:
        from flask import current_app
        key = phone_key(phone, str(current_app.config["PERSON_HASH_KEY"]))
        rows = db.session.scalars(select(OutboundMessage).where(
            OutboundMessage.phone_key == key).order_by(OutboundMessage.id))
        return [r.body for r in rows]

    return read

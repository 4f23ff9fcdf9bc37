"""One synthetic case of the county's ten years and what hangs on it, as rows for bulk writing.

:class:`CaseHistory` draws a case from the seeded generator: its applicant (personal columns
sealed by the column types), household, timeline with hand-overs, step deadlines (a few
overdue), transfers to departments, and where the case was approved its case account,
reservation, voucher and journal; published and helped cases get a need card with pledges and
matching proposals. :class:`webapp.demo.scale.ScaleLoader` drives it chunk by chunk.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.demo.base import TOWNS
from webapp.demo.bulk import BulkWriter
from webapp.demo.cases import (
    GIVEN,
    ILLNESSES,
    PATHS,
    PLAN,
    SURNAMES,
    story,
    synthetic_id,
    synthetic_phone,
)
from webapp.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Household,
    ListingReview,
    NeedCard,
    Organisation,
    Pledge,
    Project,
    Proposal,
    StepDeadline,
    Transfer,
    User,
    utcnow,
)
from webapp.models.ledger import (
    AccountKind,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    Voucher,
)
from webapp.privacy.infrastructure.crypto import name_key, person_key
from webapp.services.cases.settings import CaseSettings

YEARS = 10
OPEN_SHARE = 0.03          # the newest cases are still open
# How the old, ended cases ended (the path through the workflow of each end state).
ENDED = [(CaseStatus.CLOSED, 70), (CaseStatus.REFUSED, 9), (CaseStatus.REJECTED, 12),
         (CaseStatus.WITHDRAWN, 9)]
NOTES = ["电话回访申请人，了解最新情况", "入户走访核实家庭状况", "补充提交医疗费用票据",
         "与村（社区）干部沟通核实", "申请人来电询问办理进度", "联系医院了解治疗费用"]
DEPT_CODES = ["education", "health", "medical_insurance", "disabled", "housing"]
STEP_OF = {"accept": "acceptance", "start_verification": "verification"}



class CaseHistory:
    """The generator and the id counters one load shares; :meth:`_case` adds one case's rows.

    The reference data below is read by the loader (:meth:`ScaleLoader._reference`) before the
    first case is drawn.
    """

    towns: list[Organisation]
    villages: dict[str, list[Organisation]]
    departments: dict[str, Organisation]
    workers: list[User]
    handlers: dict[str, User]
    officer: User
    payer: User
    donors: list[User]
    reserve: LedgerAccount
    counters: dict[int, int]
    ids: dict[str, int]
    reserve_totals: dict[str, Decimal]
    need_numbers: dict[int, int]
    projects: list[int]


    def __init__(self, session: Session, *, cases: int, seed: int, offset: int = 0,
                 open_share: float = OPEN_SHARE, echo: Callable[[str], None]):
        self.session, self.cases, self.echo, self.offset = session, cases, echo, offset
        self.open_share = open_share
        self.rng = random.Random(f"scale:{seed}:{offset}")  # noqa: S311  (reproducible synthetic data)
        self.writer = BulkWriter(session.connection())
        self.now = utcnow().replace(microsecond=0)
        self.key = CaseSettings.from_config(current_app.config).person_hash_key

    MODELS: ClassVar[dict[str, Any]] = {
        "applicant": Applicant, "case": Case, "household": Household, "event": CaseEvent,
        "transfer": Transfer, "deadline": StepDeadline, "account": LedgerAccount,
        "money": MoneyTransfer, "entry": JournalEntry, "line": JournalLine,
        "voucher": Voucher, "need": NeedCard, "pledge": Pledge, "proposal": Proposal,
        "project": Project, "review": ListingReview}

    def _id(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    # -- one case ----------------------------------------------------------------------

    def _plan(self, index: int) -> CaseStatus:
        if index >= self.cases * (1 - self.open_share):
            return self.rng.choice([st for st, n in PLAN for _ in range(n)])
        return self.rng.choices([st for st, _ in ENDED], [w for _, w in ENDED])[0]

    def _case(self, index: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        rng = self.rng
        span = dt.timedelta(days=365 * YEARS)
        start = self.now - span + span * (index / self.cases) + dt.timedelta(
            minutes=rng.randint(0, 600))
        start = min(start, self.now - dt.timedelta(hours=2))
        target = self._plan(index)
        town_no = rng.randrange(len(TOWNS))
        town, worker = self.towns[town_no], self.workers[town_no]
        village = rng.choice(self.villages[TOWNS[town_no]])
        category = rng.choice(list(Category))
        birth = dt.date(rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        id_number = synthetic_id(rng, birth)
        amount = Decimal(rng.choice([2000, 3000, 5000, 8000, 12000, 20000, 50000]))
        applicant_id, case_id = self._id("applicant"), self._id("case")
        rows["applicant"].append({
            "id": applicant_id, "name": name, "id_number": id_number, "phone": synthetic_phone(rng),
            "address": f"{village.name}{rng.randint(1, 99)}号", "birth_date": birth.isoformat(),
            "person_key": person_key(id_number, self.key), "name_key": name_key(name, self.key),
            "local_hukou": rng.random() > 0.12, "created_at": start})
        year = start.year
        self.counters[year] = self.counters.get(year, 0) + 1
        case: dict[str, Any] = {
            "id": case_id, "number": f"GT-{year}-{self.counters[year]:06d}", "town_id": town.id,
            "village_id": village.id, "category": category.value, "urgency": rng.randint(1, 4),
            "amount_needed": amount, "status": target.value, "owner_id": worker.id,
            "description": story(category, rng.choice(ILLNESSES)), "reported_at": start,
            "updated_at": start, "applicant_id": applicant_id,
            "source": rng.choice(["window", "window", "outreach", "hotline", "referral"]),
            "services": "", "reported_by_id": worker.id, "external_ref": f"scale-{self.offset + index:07d}"}
        rows["household"].append(dict(
            id=self._id("household"), case_id=case_id, size=rng.randint(1, 6),
            **{f: rng.random() < 0.2 for f in ("disability", "elderly", "minor",
                                               "serious_illness", "dibao", "tekun")}))
        events = rows["event"]
        events.append({"id": self._id("event"), "case_id": case_id, "at": start,
                           "actor_id": worker.id, "action": "report", "from_status": None,
                           "to_status": CaseStatus.REPORTED.value, "note": ""})
        deadlines = rows["deadline"]
        open_steps: dict[str, dict[str, Any]] = {}

        def open_step(step: str, at: dt.datetime, days: int, **extra: Any) -> None:
            row = dict(id=self._id("deadline"), case_id=case_id, step=step, town_id=town.id,
                       responsible_id=worker.id, started_at=at,
                       due_on=(at + dt.timedelta(days=days)).date(), done_at=None,
                       overdue_at=None, department_id=None, transfer_id=None, **extra)
            deadlines.append(row)
            open_steps[step] = row

        def close_step(step: str, at: dt.datetime) -> None:
            row = open_steps.pop(step, None)
            if row is not None:
                row["done_at"] = at

        open_step("acceptance", start, 1)
        status, moment = CaseStatus.REPORTED, start
        path = PATHS[target]
        ended = target in (CaseStatus.CLOSED, CaseStatus.REFUSED, CaseStatus.REJECTED,
                           CaseStatus.WITHDRAWN)
        transferred_before = ended and rng.random() < 0.15 and "verify" in path
        ceiling = self.now - dt.timedelta(minutes=5)
        for action in path:
            hours = rng.randint(3, 70) if not ended else rng.randint(12, 24 * 12)
            moment = min(moment + dt.timedelta(hours=hours), ceiling)
            for _ in range(rng.choice([0, 0, 1, 1, 2])):  # handovers between staff
                events.append({"id": self._id("event"), "case_id": case_id, "at": moment,
                                   "actor_id": worker.id, "action": "handover",
                                   "from_status": status.value, "to_status": status.value,
                                   "note": rng.choice(NOTES)})
            if action == "verify" and transferred_before:
                events.append({"id": self._id("event"), "case_id": case_id, "at": moment,
                                   "actor_id": worker.id, "action": "transfer",
                                   "from_status": status.value,
                                   "to_status": CaseStatus.TRANSFERRED.value, "note": ""})
                self._transfer(case_id, town, worker, moment, rows, answered=True)
            before, after = status, self._after(action, status)
            actor = self.officer if action in ("approve", "reject", "publish") else worker
            note = ""
            if action == "refuse":
                case["refusal_reason"] = "经了解不属于急难救助范围"
                case["referred_to"] = "县医疗保障局窗口"
            if action == "accept":
                case["accepted_at"] = moment
                close_step("acceptance", moment)
                open_step("procedure", moment, 21)
            if action == "start_verification":
                open_step("verification", moment, 7)
            if action in ("verify", "escalate"):
                close_step("verification", moment)
            if action == "transfer":
                close_step("verification", moment)
                self._transfer(case_id, town, worker, moment, rows, answered=False)
            if action == "emergency_aid":
                case["emergency_amount"] = min(amount, Decimal(rng.choice([500, 1000, 2000])))
            if action == "approve":
                granted = min(amount, Decimal(rng.choice([3000, 5000, 8000, 12000])))
                case["approved_at"], case["approved_amount"] = moment, granted
                case["procedure_due_on"] = (moment + dt.timedelta(days=21)).date()
                self._grant(case_id, case["number"], granted, amount, moment,
                            paid=target in (CaseStatus.CLOSED, CaseStatus.IN_ASSISTANCE),
                            rows=rows)
            if action == "publish":
                self._need(case_id, town, category, amount, moment, target, rows)
            if action == "close":
                case["outcome"] = "救助资金已发放，困难已缓解"
            if after in (CaseStatus.CLOSED, CaseStatus.REFUSED, CaseStatus.REJECTED,
                         CaseStatus.WITHDRAWN):
                case["closed_at"] = moment
                for step in list(open_steps):
                    close_step(step, moment)
            events.append({"id": self._id("event"), "case_id": case_id, "at": moment,
                               "actor_id": actor.id, "action": action, "from_status": before.value,
                               "to_status": after.value, "note": note})
            status = after
        case["updated_at"] = moment
        for row in open_steps.values():  # open steps past their due date are overdue
            if row["due_on"] < self.now.date() and rng.random() < 0.5:
                row["overdue_at"] = dt.datetime.combine(
                    row["due_on"] + dt.timedelta(days=1), dt.time(1), dt.UTC)
        rows["case"].append(case)

    @staticmethod
    def _after(action: str, status: CaseStatus) -> CaseStatus:
        return {"refuse": CaseStatus.REFUSED, "accept": CaseStatus.ACCEPTED,
                "emergency_aid": CaseStatus.EMERGENCY_AID,
                "start_verification": CaseStatus.VERIFYING, "verify": CaseStatus.VERIFIED,
                "transfer": CaseStatus.TRANSFERRED, "escalate": CaseStatus.ESCALATED,
                "approve": CaseStatus.APPROVED, "reject": CaseStatus.REJECTED,
                "publish": CaseStatus.PUBLISHED, "start_assistance": CaseStatus.IN_ASSISTANCE,
                "close": CaseStatus.CLOSED, "withdraw": CaseStatus.WITHDRAWN}.get(action, status)

    def _transfer(self, case_id: int, town: Organisation, worker: User, at: dt.datetime,
                  rows: dict[str, list[dict[str, Any]]], *, answered: bool) -> None:
        code = self.rng.choice(DEPT_CODES)
        department, handler = self.departments[code], self.handlers[code]
        transfer_id = self._id("transfer")
        done = min(at + dt.timedelta(days=self.rng.randint(1, 4)), self.now)
        rows["transfer"].append({
            "id": transfer_id, "case_id": case_id, "department_id": department.id,
            "reason": "请协助核实并落实相关政策", "due_on": (at + dt.timedelta(days=3)).date(),
            "from_status": CaseStatus.VERIFYING.value,
            "status": "answered" if answered else "open",
            "answer": "已按政策落实相关救助，请继续办理" if answered else None,
            "created_by_id": worker.id, "created_at": at,
            "answered_by_id": handler.id if answered else None,
            "answered_at": done if answered else None})
        if answered:
            rows["event"].append({
                "id": self._id("event"), "case_id": case_id, "at": done, "actor_id": handler.id,
                "action": "transfer_answer", "from_status": CaseStatus.TRANSFERRED.value,
                "to_status": CaseStatus.VERIFYING.value, "note": "已按政策落实相关救助"})
        due = (at + dt.timedelta(days=3)).date()
        rows["deadline"].append({
            "id": self._id("deadline"), "case_id": case_id, "step": "transfer_answer", "town_id": town.id,
            "department_id": department.id, "responsible_id": None, "transfer_id": transfer_id,
            "started_at": at, "due_on": due, "done_at": done if answered else None,
            "overdue_at": None if answered or due >= self.now.date() else
            dt.datetime.combine(due + dt.timedelta(days=1), dt.time(1), dt.UTC)})

    def _grant(self, case_id: int, number: str, amount: Decimal, needed: Decimal,
               at: dt.datetime, *,
               paid: bool, rows: dict[str, list[dict[str, Any]]]) -> None:
        """A case account, a reservation from the reserve and, if paid, its disbursement."""
        account_id, money_id = self._id("account"), self._id("money")
        reserve = self.reserve.id
        rows["account"].append({
            "id": account_id, "kind": AccountKind.CASE.value, "owner_id": case_id,
            "name": f"个案 {number}", "case_id": case_id, "needed": needed, "opened_at": at, "updated_at": at,
            "debits_pending": Decimal(0), "debits_posted": Decimal(0),
            "credits_pending": Decimal(0) if paid else amount,
            "credits_posted": amount if paid else Decimal(0)})
        paid_at = min(at + dt.timedelta(days=self.rng.randint(1, 10)), self.now)
        rows["money"].append({
            "id": money_id, "kind": "reservation", "status": "posted" if paid else "pending",
            "debit_account_id": reserve, "credit_account_id": account_id, "amount": amount,
            "case_id": case_id, "reference": f"临时救助 {number}", "created_by_id": self.officer.id,
            "created_at": at, "posted_by_id": self.payer.id if paid else None,
            "posted_at": paid_at if paid else None})
        entry = self._id("entry")
        rows["entry"].append({"id": entry, "transfer_id": money_id, "action": "reserve",
                                  "amount": amount, "actor_id": self.officer.id, "created_at": at})
        lines = rows["line"]
        lines.append({"id": self._id("line"), "entry_id": entry, "account_id": reserve,
                          "side": "debit", "phase": "pending", "amount": amount})
        lines.append({"id": self._id("line"), "entry_id": entry, "account_id": account_id,
                          "side": "credit", "phase": "pending", "amount": amount})
        self.reserve_totals["debits_pending"] += amount
        if not paid:
            return
        entry = self._id("entry")
        rows["entry"].append({"id": entry, "transfer_id": money_id, "action": "post",
                                  "amount": amount, "actor_id": self.payer.id, "created_at": paid_at})
        for account, side, phase, delta in (
                (reserve, "debit", "pending", -amount), (reserve, "debit", "posted", amount),
                (account_id, "credit", "pending", -amount),
                (account_id, "credit", "posted", amount)):
            lines.append({"id": self._id("line"), "entry_id": entry, "account_id": account,
                              "side": side, "phase": phase, "amount": delta})
        self.reserve_totals["debits_pending"] -= amount
        self.reserve_totals["debits_posted"] += amount
        rows["voucher"].append({
            "id": self._id("voucher"), "number": f"GT-PZ-S{money_id:07d}", "transfer_id": money_id,
            "method": "hospital_settlement", "payee": "高唐县人民医院", "paid_on": paid_at.date(),
            "amount": amount, "issued_by_id": self.payer.id, "issued_at": paid_at})

    def _need(self, case_id: int, town: Organisation, category: Category, amount: Decimal,
              at: dt.datetime, target: CaseStatus, rows: dict[str, list[dict[str, Any]]]
              ) -> None:
        need_id = self._id("need")
        year = at.year
        if year not in self.need_numbers:  # continue the year's public sequence
            last = self.session.connection().scalar(select(func.max(NeedCard.number)).where(
                NeedCard.number.startswith(f"XQ-{year}-")))
            self.need_numbers[year] = int(last.rsplit("-", 1)[1]) if last else 0
        self.need_numbers[year] += 1
        published = target in (CaseStatus.PUBLISHED, CaseStatus.IN_ASSISTANCE)
        label = {Category.SERIOUS_ILLNESS: "大病救助", Category.ACCIDENT: "意外伤害",
                 Category.TRAFFIC: "交通事故", Category.FIRE: "火灾",
                 Category.DISASTER: "自然灾害", Category.EMERGENCY: "突发变故",
                 Category.OTHER: "临时困难"}.get(category, "急难")
        rows["need"].append({
            "id": need_id, "case_id": case_id, "number": f"XQ-{year}-{self.need_numbers[year]:04d}",
            "status": "published" if published else "unpublished",
            "title": f"{town.name}一户家庭{label}求助", "category": category.value, "area": town.name,
            "story": story(category, self.rng.choice(ILLNESSES)), "town_id": town.id,
            "age_band": self.rng.choice(["18-39岁", "40-59岁", "60岁以上", "18岁以下"]),
            "household": "家庭困难", "level": 0, "urgency": self.rng.randint(1, 4),
            "amount_needed": amount, "reviewed_by_id": self.officer.id, "published_at": at,
            "updated_at": at})
        for _ in range(self.rng.choice([0, 1, 2, 3])):
            donor = self.rng.choice(self.donors)
            pledge_id = self._id("pledge")
            rows["pledge"].append({
                "id": pledge_id, "reference": f"PL-S{pledge_id:08d}", "donor_id": donor.id,
                "need_id": need_id, "amount": Decimal(self.rng.choice([50, 100, 200, 500])),
                "message": "祝早日康复",
                "status": "pledged" if published else "fulfilled", "created_at": at,
                "updated_at": at})
        if published and self.projects:
            for project_id in self.rng.sample(self.projects, min(2, len(self.projects))):
                rows["proposal"].append({
                    "id": self._id("proposal"), "need_card_id": need_id, "case_id": case_id,
                    "resource_kind": "project", "resource_id": project_id, "unit": "yuan",
                    "amount": min(amount, Decimal(3000)), "score": round(self.rng.random(), 3),
                    "explanation": {}, "features": {}, "status": "proposed", "created_at": at})

"""Timeliness figures (督查督办 statistics) from recorded step times, as set-based SQL.

Two tables, both grouped by town, department, step or month inside the database:

- *cases* reported in the period: how many, how many got their first help (the first payment
  that reached the family, or a donor's money the receiver confirmed as received) and were
  closed, and the median and 90th percentile of the working days from report to each;
- *steps* (the ``case_step_deadlines`` rows) started in the period: how many, finished, on
  time (finished on or before their due date), late, and open past their due date today.

Working days come from the ``working_days`` calendar table (see :mod:`.calendar`), so nothing
is recomputed per case in Python. :func:`cases_behind` gives the cases behind each figure.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from webapp import permissions
from webapp.models import (
    Case,
    CaseStatus,
    CaseTiming,
    CaseTimingCount,
    NeedCard,
    Organisation,
    Role,
    Step,
    StepDeadline,
    StepTimingCount,
    User,
    WorkingDay,
)
from webapp.models.ledger import MoneyTransfer, MoneyTransferKind, MoneyTransferStatus
from webapp.models.resources import Pledge, PledgeStatus
from webapp.services import DomainError, PermissionDeniedError
from webapp.services.cases.deadlines import LOCAL_TZ
from webapp.services.cases.notifications import STEP_LABELS
from webapp.services.cases.settings import CaseSettings
from webapp.services.statistics import timings
from webapp.services.statistics.calendar import ensure_calendar
from webapp.services.statistics.sql import Spread, local_day, local_month, spread_of_counts

DIMENSIONS = ("town", "department", "step", "month")
DIMENSION_LABELS = {"town": "镇（街道）", "department": "承办部门", "step": "环节",
                    "month": "月份"}
CASE_MEASURES = ("received", "helped", "closed")
STEP_MEASURES = ("late", "open_overdue")
DRILL_LABELS = {"received": "登记的个案", "helped": "已获首次救助的个案", "closed": "已办结的个案",
                "late": "有超时环节的个案", "open_overdue": "有超期未办环节的个案"}
NOT_TRANSFERRED = "窗口及民政（未转办）"
#: The cases list's filter of "cases behind a figure" rides on these query parameters.
DRILL_ARGS = ("measure", "from", "to", "by", "key", "town", "department", "step")


@dataclass(frozen=True)
class Filters:
    """The period (first month … last month, inclusive) and the slice of the figures."""

    start: dt.date            # first day of the first month
    end: dt.date              # first day after the last month
    by: str = "town"
    town_id: int | None = None
    department_id: int | None = None
    step: Step | None = None

    @property
    def months(self) -> tuple[str, str]:
        last = self.end - dt.timedelta(days=1)
        return self.start.strftime("%Y-%m"), last.strftime("%Y-%m")

    def args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for links and the CSV)."""
        first, last = self.months
        out: dict[str, Any] = {"from": first, "to": last, "by": self.by}
        if self.town_id:
            out["town"] = self.town_id
        if self.department_id is not None:
            out["department"] = self.department_id
        if self.step is not None:
            out["step"] = self.step.value
        return out


def _month(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise DomainError("月份格式应为 年-月，例如 2026-05", field="month") from None


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse_filters(args: Any, *, today: dt.date) -> Filters:
    """Filters from query-string arguments; the default is the last twelve months."""
    this_month = today.replace(day=1)
    default_start = dt.date(this_month.year - 1, this_month.month, 1)
    default_start = _next_month(default_start)
    start = _month(args.get("from"), default_start)
    last = _month(args.get("to"), this_month)
    if last < start:
        raise DomainError("结束月份不能早于开始月份", field="to")
    if (last.year - start.year) * 12 + last.month - start.month >= 120:
        raise DomainError("统计期间不能超过十年", field="from")
    by = args.get("by") or "town"
    if by not in DIMENSIONS:
        raise DomainError("不支持的分组方式", field="by")
    step_value = args.get("step") or None
    try:
        step = Step(step_value) if step_value else None
    except ValueError:
        raise DomainError("不支持的环节", field="step") from None

    def number(name: str) -> int | None:
        raw = args.get(name)
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise DomainError("筛选条件无效", field=name) from None

    return Filters(start=start, end=_next_month(last), by=by, town_id=number("town"),
                   department_id=number("department"), step=step)


def scoped(actor: User, filters: Filters) -> Filters:
    """Officers and auditors see the county; a town window sees its own town only."""
    if actor.has_role(Role.OFFICER, Role.AUDITOR):
        return filters
    if actor.has_role(Role.INTAKE_WORKER):
        town_id = permissions.town_id_of(actor)
        if town_id is not None:
            return replace(filters, town_id=town_id)
    raise PermissionDeniedError("无权查看统计数据")


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the county, as UTC (period bounds use the indexes)."""
    return dt.datetime.combine(day, dt.time(0), LOCAL_TZ).astimezone(dt.UTC)


# ---- the case table ------------------------------------------------------------------------

def first_help_subquery(since: dt.datetime) -> Any:
    """(case_id, at) of each case's first help: posted payments from any channel and money
    pledges the receiver confirmed as received, whichever came first. Only help given from
    ``since`` on is read: the cases counted were reported then or later, and help never
    comes before the report."""
    paid = select(MoneyTransfer.case_id.label("case_id"), MoneyTransfer.posted_at.label("at")
                  ).where(MoneyTransfer.case_id.is_not(None), MoneyTransfer.posted_at >= since,
                          MoneyTransfer.status == MoneyTransferStatus.POSTED,
                          MoneyTransfer.posted_at.is_not(None),
                          MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                                  MoneyTransferKind.GREEN_CHANNEL]))
    pledged = (select(NeedCard.case_id.label("case_id"), Pledge.fulfilled_at.label("at"))
               .join(NeedCard, Pledge.need_id == NeedCard.id)
               .where(Pledge.status == PledgeStatus.FULFILLED, Pledge.fulfilled_at >= since,
                      Pledge.amount > 0))
    both = union_all(paid, pledged).subquery()
    return (select(both.c.case_id, func.min(both.c.at).label("at"))
            .group_by(both.c.case_id).subquery("first_help"))


def _department_links() -> Any:
    return (select(StepDeadline.case_id, StepDeadline.department_id)
            .where(StepDeadline.department_id.is_not(None)).distinct()
            .subquery("case_departments"))


def _narrowed(stmt: Select[Any], filters: Filters, case_id: Any, town_id: Any,
              keys: dict[str, Any]) -> Select[Any]:
    """``stmt`` (cases read through ``case_id`` and ``town_id``) narrowed to the filters'
    town, department and step; a grouping by department joins the departments and adds their
    key to ``keys``."""
    if filters.town_id:
        stmt = stmt.where(town_id == filters.town_id)
    if filters.by == "department" or filters.department_id is not None:
        links = _department_links()
        stmt = stmt.join(links, links.c.case_id == case_id)
        keys["department"] = links.c.department_id
        if filters.department_id is not None:
            stmt = stmt.where(links.c.department_id == filters.department_id)
    if filters.step is not None:
        stmt = stmt.where(case_id.in_(select(StepDeadline.case_id).where(
            StepDeadline.step == filters.step)))
    return stmt


def _case_base(filters: Filters) -> tuple[Select[Any], dict[str, ColumnElement[Any]]]:
    """The cases reported in the period, with their ordinals of report, first help, closure."""
    reported, helped, closed = (aliased(WorkingDay, name=n) for n in ("wd_r", "wd_h", "wd_c"))
    first = first_help_subquery(local_midnight_utc(filters.start))
    stmt = (select(Case.id)
            .join(reported, reported.day == local_day(Case.reported_at))
            .outerjoin(first, first.c.case_id == Case.id)
            .outerjoin(helped, helped.day == local_day(first.c.at))
            .outerjoin(closed, and_(closed.day == local_day(Case.closed_at),
                                    Case.status == CaseStatus.CLOSED))
            .where(Case.reported_at >= local_midnight_utc(filters.start),
                   Case.reported_at < local_midnight_utc(filters.end)))
    keys: dict[str, Any] = {"town": Case.town_id, "month": local_month(Case.reported_at)}
    stmt = _narrowed(stmt, filters, Case.id, Case.town_id, keys)
    columns = {
        "help_days": _non_negative(helped.ordinal - reported.ordinal),
        "closure_days": _non_negative(closed.ordinal - reported.ordinal),
        "helped": first.c.at, "closed": closed.day,
    }
    return stmt, {**keys, **columns}


def _non_negative(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((expr < 0, 0), else_=expr)


@dataclass(frozen=True)
class CaseRow:
    key: str
    label: str
    received: int
    helped: int
    help_days: Spread
    closed: int
    closure_days: Spread


@dataclass(frozen=True)
class StepRow:
    key: str
    label: str
    steps: int
    done: int
    on_time: int
    late: int
    open_overdue: int

    @property
    def decided(self) -> int:
        """Steps whose timeliness is known: finished, or open and already past due."""
        return self.done + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class Figures:
    filters: Filters
    cases: list[CaseRow]
    case_total: CaseRow
    steps: list[StepRow]
    step_total: StepRow
    today: dt.date

    @property
    def has_case_table(self) -> bool:
        return self.filters.by != "step"


def _case_rows(session: Session, filters: Filters, key_name: str
               ) -> tuple[list[CaseRow], CaseRow]:
    """The case table's rows by ``key_name`` and its total row.

    By town or month over the whole county or one town, they come from the month histograms
    (``case_timing_counts``: a few rows a month and town); by department, or for one
    department or step, from the cases' timing records (``case_timings``), grouped by whole
    working days in the database. Either way the percentiles are taken from counts of
    whole days, exactly as from the cases one by one (:func:`spread_of_counts`).
    """
    first, last = filters.months
    histograms: dict[Any, dict[str, Counter[int]]] = {}

    def bars_of(key: Any) -> dict[str, Counter[int]]:
        found = histograms.get(key)
        if found is None:
            found = histograms[key] = {m: Counter() for m in (
                timings.RECEIVED, timings.HELPED, timings.CLOSED)}
        return found

    if filters.department_id is None and filters.step is None and key_name in ("town", "month"):
        c = CaseTimingCount
        key: Any = c.town_id if key_name == "town" else c.month
        stmt = select(key, c.measure, c.days, func.sum(c.n)).where(c.month >= first,
                                                                  c.month <= last)
        if filters.town_id:
            stmt = stmt.where(c.town_id == filters.town_id)
        for k, measure, days, n in session.execute(stmt.group_by(key, c.measure, c.days)):
            bars_of(k)[measure][days] += int(n)
    else:
        t = CaseTiming
        stmt = select(t.case_id).where(t.month >= first, t.month <= last)
        keys: dict[str, Any] = {"town": t.town_id, "month": t.month}
        stmt = _narrowed(stmt, filters, t.case_id, t.town_id, keys)
        grouped = [keys[key_name], t.help_days, t.closure_days]
        for k, help_days, closure_days, n in session.execute(
                stmt.with_only_columns(*grouped, func.count()).group_by(*grouped)):
            bars = bars_of(k)
            bars[timings.RECEIVED][0] += n
            if help_days is not None:
                bars[timings.HELPED][help_days] += n
            if closure_days is not None:
                bars[timings.CLOSED][closure_days] += n

    def row(key: str, bars: dict[str, Counter[int]]) -> CaseRow:
        received, helped, closed = (bars[m] for m in (
            timings.RECEIVED, timings.HELPED, timings.CLOSED))
        return CaseRow(key, "", received.total(), helped.total(), spread_of_counts(helped),
                       closed.total(), spread_of_counts(closed))

    total: dict[str, Counter[int]] = {m: Counter() for m in (
        timings.RECEIVED, timings.HELPED, timings.CLOSED)}
    for bars in histograms.values():
        for measure, counts in bars.items():
            total[measure].update(counts)
    return [row(str(k), bars) for k, bars in histograms.items()], row("all", total)


# ---- the step table ------------------------------------------------------------------------

def _step_conditions(today: dt.date) -> dict[str, ColumnElement[bool]]:
    finished = StepDeadline.done_at.is_not(None)
    return {
        "on_time": and_(finished, local_day(StepDeadline.done_at) <= StepDeadline.due_on),
        "late_done": and_(finished, local_day(StepDeadline.done_at) > StepDeadline.due_on),
        "open_overdue": and_(StepDeadline.done_at.is_(None), StepDeadline.due_on < today),
    }


def _step_keys() -> dict[str, Any]:
    return {"town": StepDeadline.town_id,
            "department": func.coalesce(StepDeadline.department_id, 0),
            "step": StepDeadline.step, "month": local_month(StepDeadline.started_at)}


def _step_base(filters: Filters) -> Select[Any]:
    stmt = select(StepDeadline.id).where(
        StepDeadline.started_at >= local_midnight_utc(filters.start),
        StepDeadline.started_at < local_midnight_utc(filters.end))
    if filters.town_id:
        stmt = stmt.where(StepDeadline.town_id == filters.town_id)
    if filters.department_id is not None:
        stmt = stmt.where(func.coalesce(StepDeadline.department_id, 0) == filters.department_id)
    if filters.step is not None:
        stmt = stmt.where(StepDeadline.step == filters.step)
    return stmt


def _step_rows(session: Session, filters: Filters, key_name: str | None,
               today: dt.date) -> list[StepRow]:
    """Finished steps from their month totals (``step_timing_counts``, counted on time or
    late as each finished); the open ones, few, from the steps themselves (whether they are
    past due depends on today)."""
    first, last = filters.months
    c = StepTimingCount
    finished_keys: dict[str, Any] = {"town": c.town_id, "department": c.department_id,
                                     "step": c.step, "month": c.month}
    key: Any = finished_keys[key_name] if key_name else literal("all")
    finished = select(key, c.late, func.sum(c.n)).where(c.month >= first, c.month <= last)
    if filters.town_id:
        finished = finished.where(c.town_id == filters.town_id)
    if filters.department_id is not None:
        finished = finished.where(c.department_id == filters.department_id)
    if filters.step is not None:
        finished = finished.where(c.step == filters.step)
    counts: dict[str, list[int]] = {}  # key: [steps, done, on time, late done, open overdue]

    def name(k: Any) -> str:
        return str(k.value if isinstance(k, Step) else k)

    for k, late, n in session.execute(finished.group_by(key, c.late)):
        found = counts.setdefault(name(k), [0, 0, 0, 0, 0])
        found[0] += int(n)
        found[1] += int(n)
        found[3 if late else 2] += int(n)
    open_key = _step_keys()[key_name] if key_name else literal("all")
    overdue = _step_conditions(today)["open_overdue"]
    open_steps = _step_base(filters).where(StepDeadline.done_at.is_(None)).with_only_columns(
        open_key, func.count(), func.coalesce(func.sum(case((overdue, 1), else_=0)), 0)
    ).group_by(open_key)
    for k, n, open_overdue in session.execute(open_steps):
        found = counts.setdefault(name(k), [0, 0, 0, 0, 0])
        found[0] += int(n)
        found[4] += int(open_overdue)
    return [StepRow(k, "", steps, done, on_time, late_done + open_overdue, open_overdue)
            for k, (steps, done, on_time, late_done, open_overdue) in counts.items()]


# ---- labels and the whole -------------------------------------------------------------------

def _labels(session: Session, by: str, keys: set[str]) -> dict[str, str]:
    if by == "step":
        return {k: STEP_LABELS.get(k, k) for k in keys}
    if by == "month":
        return {k: k for k in keys}
    ids = [int(k) for k in keys if k.isdigit() and int(k)]
    names: dict[int, str] = {i: n for i, n in session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}
    return {k: names.get(int(k), NOT_TRANSFERRED) if k.isdigit() else k for k in keys}


def timeliness(session: Session, actor: User, filters: Filters, *, today: dt.date,
               settings: CaseSettings) -> Figures:
    """The figures of the period, grouped by ``filters.by``, as ``actor`` may see them."""
    filters = scoped(actor, filters)
    ensure_calendar(session, settings, filters.start - dt.timedelta(days=1),
                    max(today, filters.end) + dt.timedelta(days=1))
    by = filters.by
    steps = _step_rows(session, filters, by, today)
    # Every step has one key, so the total row is the sum of the rows (no second query).
    step_total = StepRow("all", "", *(sum(getattr(r, f) for r in steps) for f in (
        "steps", "done", "on_time", "late", "open_overdue")))
    cases: list[CaseRow] = []
    empty = Spread(0, None, None)
    case_total = CaseRow("all", "", 0, 0, empty, 0, empty)
    if by != "step":
        cases, case_total = _case_rows(session, filters, by)
    labels = _labels(session, by, {r.key for r in cases} | {r.key for r in steps})

    def order(row: CaseRow | StepRow) -> tuple[Any, ...]:
        return (row.key,) if by in ("month", "step") else (labels[row.key] == NOT_TRANSFERRED,
                                                           labels[row.key])

    cases = sorted((replace(r, label=labels[r.key]) for r in cases), key=order)
    steps = sorted((replace(r, label=labels[r.key]) for r in steps), key=order)
    return Figures(filters, cases, case_total, steps, step_total, today)


# ---- the cases behind a figure -------------------------------------------------------------

def cases_behind(actor: User, filters: Filters, *, measure: str, key: str | None,
                 today: dt.date) -> Select[Any]:
    """SELECT of the ids of the cases counted in one figure (``key`` None: the total row)."""
    filters = scoped(actor, filters)
    if measure in CASE_MEASURES:
        base, cols = _case_base(filters)
        stmt = base
        if key is not None:
            stmt = stmt.where(_key_match(cols[filters.by], filters.by, key))
        if measure == "helped":
            stmt = stmt.where(cols["helped"].is_not(None))
        elif measure == "closed":
            stmt = stmt.where(cols["closed"].is_not(None))
        return stmt
    if measure in STEP_MEASURES:
        cond = _step_conditions(today)
        condition = (cond["open_overdue"] if measure == "open_overdue"
                     else cond["late_done"] | cond["open_overdue"])
        stmt = _step_base(filters).with_only_columns(StepDeadline.case_id).where(condition)
        if key is not None:
            stmt = stmt.where(_key_match(_step_keys()[filters.by], filters.by, key))
        return stmt
    raise DomainError("不支持的统计口径", field="measure")


def _key_match(column: ColumnElement[Any], by: str, key: str) -> ColumnElement[bool]:
    if by in ("town", "department"):
        if not key.isdigit():
            raise DomainError("筛选条件无效", field="key")
        return column == int(key)
    if by == "step":
        try:
            return column == Step(key)
        except ValueError:
            raise DomainError("不支持的环节", field="key") from None
    return column == key

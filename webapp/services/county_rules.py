"""County rules set by the county: step limits, the holiday calendar, green-channel and ledger
thresholds, anonymity, supervision-order escalation and scheme standards.

Every rule is versioned (:class:`~webapp.models.CountyRule`): a change is a new row effective
from a date that may not lie in the past, so the rules that governed any earlier day stay
readable and a deadline that is already running keeps the due date computed when it started.
A rule with no row yet takes the app config value (:meth:`CaseSettings.from_config`), so the
config values are the initial defaults; ``flask rules seed`` (and the demo data) writes them
as the first version.

The calendar comes from the ``holidays`` package (China's statutory holidays and the State
Council's make-up working days, 调休, for each year it has published) plus the county's own
local overrides, which win on the same day.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, extract, select
from sqlalchemy.orm import Session

from webapp.models import CalendarDay, CountyRule, DayKind, Scheme, SchemeStandardChange, User
from webapp.services import DomainError, NotFoundError, audit
from webapp.services.cases.settings import CaseSettings
from webapp.services.ledger.schemes import standards_on

LIBRARY, LOCAL = "library", "local"


@dataclass(frozen=True)
class RuleSpec:
    """One rule: its label, the :class:`CaseSettings` field it sets, its type and range."""

    key: str
    label: str
    field: str
    kind: type
    minimum: Decimal
    maximum: Decimal
    unit: str


RULES: dict[str, RuleSpec] = {spec.key: spec for spec in (
    RuleSpec("limit.acceptance", "受理时限", "acceptance_days", int,
             Decimal(0), Decimal(60), "个工作日"),
    RuleSpec("limit.verification", "核查时限", "verification_days", int,
             Decimal(1), Decimal(60), "个工作日"),
    RuleSpec("limit.transfer", "部门答复时限（转办）", "transfer_days", int,
             Decimal(1), Decimal(60), "个工作日"),
    RuleSpec("limit.procedure", "办理总时限", "procedure_days", int,
             Decimal(1), Decimal(120), "个工作日"),
    RuleSpec("high_impact.percent", "重大敏感个案时限比例", "high_impact_percent", int,
             Decimal(10), Decimal(100), "/ 100（向上取整，至少 1 个工作日）"),
    RuleSpec("green_channel.cap", "先行救助上限", "emergency_aid_cap", Decimal,
             Decimal(0), Decimal(1000000), "元"),
    RuleSpec("green_channel.payment_days", "先行救助拨付时限", "emergency_payment_days", int,
             Decimal(1), Decimal(60), "个工作日"),
    RuleSpec("disburse.second_officer_above", "需第二名工作人员复核的拨付金额",
             "second_officer_above", Decimal, Decimal(0), Decimal(10000000), "元以上"),
    RuleSpec("anonymity.k", "匿名发布 k 值", "anonymity_k", int,
             Decimal(2), Decimal(50), "（同类特征至少 k 例）"),
    RuleSpec("orders.reply_days", "督办单答复期限", "order_reply_days", int,
             Decimal(1), Decimal(30), "个工作日"),
    RuleSpec("orders.supervise_after", "逾期升级为“督办”", "order_supervise_after", int,
             Decimal(1), Decimal(60), "个工作日后"),
    RuleSpec("orders.report_after", "逾期升级为“通报”", "order_report_after", int,
             Decimal(1), Decimal(120), "个工作日后"),
)}


def _parse(spec: RuleSpec, raw: object) -> int | Decimal:
    text = str(raw if raw is not None else "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DomainError("%(label)s 必须是数字", field="value", label=spec.label) from None
    if not number.is_finite():
        raise DomainError("%(label)s 必须是数字", field="value", label=spec.label)
    if spec.kind is int and number != number.to_integral_value():
        raise DomainError("%(label)s 必须是整数", field="value", label=spec.label)
    if not spec.minimum <= number <= spec.maximum:
        raise DomainError("%(label)s 应在 %(minimum)s 到 %(maximum)s 之间", field="value",
                          label=spec.label, minimum=spec.minimum, maximum=spec.maximum)
    return int(number) if spec.kind is int else number.quantize(Decimal("0.01"))


def _history(session: Session, keys: list[str] | None = None) -> dict[str, list[CountyRule]]:
    stmt = select(CountyRule).order_by(CountyRule.key, CountyRule.effective_from, CountyRule.id)
    if keys is not None:
        stmt = stmt.where(CountyRule.key.in_(keys))
    found: dict[str, list[CountyRule]] = {}
    for row in session.scalars(stmt):
        found.setdefault(row.key, []).append(row)
    return found


def _in_force(rows: list[CountyRule], on: dt.date) -> CountyRule | None:
    """The version effective on ``on`` (the latest one starting on or before it)."""
    current = None
    for row in rows:
        if row.effective_from <= on:
            current = row
    return current


def rule_value_on(session: Session, key: str, on: dt.date) -> int | Decimal | None:
    """The value of one rule in force on a day, or None when it was never set."""
    row = _in_force(_history(session, [key]).get(key, []), on)
    return None if row is None else _parse(RULES[key], row.value)


def settings_on(session: Session, config: Mapping[str, Any], on: dt.date) -> CaseSettings:
    """The :class:`CaseSettings` in force on ``on``: config defaults, then the county's rules
    and the calendar stored in the database."""
    base = CaseSettings.from_config(config)
    changes: dict[str, Any] = {}
    for key, rows in _history(session).items():
        spec, row = RULES.get(key), _in_force(rows, on)
        if spec is not None and row is not None:
            changes[spec.field] = _parse(spec, row.value)
    holidays, workdays = calendar(session)
    if holidays or workdays:
        changes["holidays"] = base.holidays | holidays
        changes["extra_workdays"] = (base.extra_workdays | workdays) - holidays
    return dataclasses.replace(base, **changes)


def payment_days_on(session: Session, config: Mapping[str, Any]) -> Callable[[dt.date], int]:
    """The help-first payment limit in force on a given day (for deadlines started then)."""
    default = CaseSettings.from_config(config).emergency_payment_days
    rows = _history(session, ["green_channel.payment_days"]).get("green_channel.payment_days", [])

    def on(day: dt.date) -> int:
        row = _in_force(rows, day)
        return default if row is None else int(row.value)

    return on


def set_rule(session: Session, actor: User, key: str, value: object, *,
             effective_from: object, today: dt.date, note: str = "") -> CountyRule:
    """Record a new version of a rule, effective from today or a later day."""
    spec = RULES.get(key)
    if spec is None:
        raise NotFoundError("没有这项规则")
    parsed = _parse(spec, value)
    start = _date(effective_from, field="effective_from")
    if start < today:
        raise DomainError("生效日期不能早于今天（已在运行的时限按原规则计算）",
                          field="effective_from")
    if key in ("orders.supervise_after", "orders.report_after"):
        other = ("orders.report_after" if key == "orders.supervise_after"
                 else "orders.supervise_after")
        other_value = rule_value_on(session, other, start)
        if other_value is None:
            other_value = getattr(CaseSettings(), RULES[other].field)
        supervise, report = ((parsed, other_value) if key == "orders.supervise_after"
                             else (other_value, parsed))
        if not supervise < report:
            raise DomainError("“通报”的逾期天数必须大于“督办”的逾期天数", field="value")
    row = CountyRule(key=key, value=str(parsed), effective_from=start, note=note.strip()[:200],
                     created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "rules.set", row,
                 summary={"key": key, "value": str(parsed), "effective_from": start.isoformat()})
    return row


def seed_defaults(session: Session, actor: User | None, config: Mapping[str, Any], *,
                  effective_from: dt.date) -> int:
    """Write the config values as the first version of every rule not set yet."""
    base = CaseSettings.from_config(config)
    present = set(session.scalars(select(CountyRule.key).distinct()))
    added = 0
    for key, spec in RULES.items():
        if key in present:
            continue
        value = getattr(base, spec.field)
        session.add(CountyRule(key=key, value=str(value), effective_from=effective_from,
                               note="initial value from the configuration",
                               created_by_id=getattr(actor, "id", None)))
        added += 1
    session.flush()
    if added:
        audit.record(session, actor, "rules.seed", object_type="county_rules",
                     summary={"rules": added, "effective_from": effective_from.isoformat()})
    return added


@dataclass(frozen=True)
class RuleView:
    spec: RuleSpec
    value: int | Decimal
    since: dt.date | None
    scheduled: list[CountyRule]
    history: list[CountyRule]


def rules_overview(session: Session, config: Mapping[str, Any], today: dt.date) -> list[RuleView]:
    """Each rule with the value in force today, changes scheduled later and its history."""
    base = CaseSettings.from_config(config)
    history = _history(session)
    views = []
    for key, spec in RULES.items():
        rows = history.get(key, [])
        row = _in_force(rows, today)
        views.append(RuleView(
            spec=spec, value=getattr(base, spec.field) if row is None else _parse(spec, row.value),
            since=None if row is None else row.effective_from,
            scheduled=[r for r in rows if r.effective_from > today],
            history=list(reversed(rows))))
    return views


# ---- the calendar -----------------------------------------------------------------------

def calendar(session: Session) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(holidays, make-up working days) from the library rows and the local overrides."""
    kinds: dict[dt.date, DayKind] = {}
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.source)
                           .order_by(CalendarDay.source)).all()  # "library" < "local"
    for day, kind, _source in rows:
        kinds[day] = DayKind(kind)
    return (frozenset(d for d, k in kinds.items() if k is DayKind.HOLIDAY),
            frozenset(d for d, k in kinds.items() if k is DayKind.WORKDAY))


@dataclass(frozen=True)
class LibraryYear:
    year: int
    holidays: int
    workdays: int
    adjusted: bool  # the library has the State Council's arrangement (调休) for the year


def library_days(year: int) -> tuple[dict[dt.date, str], set[dt.date], bool]:
    """China's holidays and make-up working days of ``year`` according to ``holidays``."""
    import holidays as holidays_lib  # its country tables load on import; only this needs them

    cn = holidays_lib.country_holidays("CN", years=year, language="zh_CN")
    days = {day: str(name) for day, name in cn.items() if day.year == year}
    workdays = {day for day in cn.weekend_workdays if day.year == year}
    adjusted = bool(workdays)  # no make-up day: the State Council's arrangement is not in yet
    return days, workdays, adjusted


def load_library_year(session: Session, actor: User | None, year: int) -> LibraryYear:
    """Replace the library rows of one year with what the ``holidays`` package knows."""
    if not 2000 <= year <= 2100:
        raise DomainError("年份应在 2000 到 2100 之间", field="year")
    days, workdays, adjusted = library_days(year)
    session.execute(delete(CalendarDay).where(CalendarDay.source == LIBRARY,
                                              extract("year", CalendarDay.day) == year))
    for day, name in sorted(days.items()):
        session.add(CalendarDay(day=day, kind=DayKind.HOLIDAY, source=LIBRARY, note=name[:100],
                                created_by_id=getattr(actor, "id", None)))
    for day in sorted(workdays):
        session.add(CalendarDay(day=day, kind=DayKind.WORKDAY, source=LIBRARY, note="调休上班",
                                created_by_id=getattr(actor, "id", None)))
    session.flush()
    audit.record(session, actor, "rules.calendar_load", object_type="calendar",
                 object_id=year, summary={"year": year, "holidays": len(days),
                                          "workdays": len(workdays), "adjusted": adjusted})
    return LibraryYear(year, len(days), len(workdays), adjusted)


def _date(value: object, *, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError("日期格式不正确（YYYY-MM-DD）", field=field) from None


def set_override(session: Session, actor: User, *, year: object, day: object, kind: object,
                 today: dt.date, note: str = "") -> CalendarDay:
    """Record a local calendar day (a county holiday or a make-up working day) of ``year``."""
    try:
        year_number = int(str(year))
    except ValueError:
        raise DomainError("请填写年份", field="year") from None
    date = _date(day, field="day")
    if date.year != year_number:
        raise DomainError("日期 %(day)s 不在 %(year)s 年内", field="day",
                          day=date.isoformat(), year=year_number)
    if date < today:
        raise DomainError("不能修改今天以前的日历（已在运行的时限按原日历计算）", field="day")
    try:
        day_kind = DayKind(str(kind))
    except ValueError:
        raise DomainError("请选择放假或调休上班", field="kind") from None
    row = session.scalars(select(CalendarDay).where(CalendarDay.day == date,
                                                    CalendarDay.source == LOCAL)).first()
    if row is None:
        row = CalendarDay(day=date, source=LOCAL, kind=day_kind)
        session.add(row)
    row.kind, row.note, row.created_by_id = day_kind, note.strip()[:100], actor.id
    session.flush()
    audit.record(session, actor, "rules.calendar_override", row,
                 summary={"day": date.isoformat(), "kind": day_kind.value})
    return row


def remove_override(session: Session, actor: User, day: object, *, today: dt.date) -> None:
    date = _date(day, field="day")
    row = session.scalars(select(CalendarDay).where(CalendarDay.day == date,
                                                    CalendarDay.source == LOCAL)).first()
    if row is None:
        raise NotFoundError("没有这一天的本地调整")
    if date < today:
        raise DomainError("不能修改今天以前的日历（已在运行的时限按原日历计算）", field="day")
    audit.record(session, actor, "rules.calendar_override_remove", row,
                 summary={"day": date.isoformat(), "kind": row.kind.value})
    session.delete(row)
    session.flush()


def calendar_rows(session: Session, year: int) -> list[CalendarDay]:
    return list(session.scalars(select(CalendarDay).where(
        extract("year", CalendarDay.day) == year).order_by(CalendarDay.day, CalendarDay.source)))


# ---- scheme standards ----------------------------------------------------------------------

def set_scheme_standards(session: Session, actor: User, scheme: Scheme, *, min_amount: object,
                         max_amount: object, times_per_year: object, effective_from: object,
                         today: dt.date) -> SchemeStandardChange:
    """Change a scheme's standards from a day on (today or later), keeping the history.

    Approvals are checked against the standards in force on their own day
    (:func:`webapp.services.ledger.schemes.standards_on`); the scheme's listed values follow
    once the change takes effect (now, or :func:`apply_due_scheme_standards` on that day)."""
    def amount(raw: object, field: str) -> Decimal | None:
        text = str(raw if raw is not None else "").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DomainError("金额格式不正确", field=field) from None
        if not value.is_finite() or value < 0 or value > Decimal(10000000):
            raise DomainError("金额应在 0 到 10000000 元之间", field=field)
        return value.quantize(Decimal("0.01"))

    low, high = amount(min_amount, "min_amount"), amount(max_amount, "max_amount")
    if low is not None and high is not None and low > high:
        raise DomainError("救助标准下限不能高于上限", field="min_amount")
    text = str(times_per_year if times_per_year is not None else "").strip()
    times: int | None = None
    if text:
        if not text.isdigit() or not 1 <= int(text) <= 12:
            raise DomainError("每年可享次数应在 1 到 12 之间", field="times_per_year")
        times = int(text)
    start = _date(effective_from, field="effective_from")
    if start < today:
        raise DomainError("生效日期不能早于今天（已经审批的救助按原标准）", field="effective_from")
    change = SchemeStandardChange(scheme_id=scheme.id, min_amount=low, max_amount=high,
                                  times_per_year=times, effective_from=start,
                                  created_by_id=actor.id)
    session.add(change)
    session.flush()
    if start <= today:
        scheme.min_amount, scheme.max_amount, scheme.times_per_year = low, high, times
    audit.record(session, actor, "rules.scheme_standards", scheme,
                 summary={"min_amount": None if low is None else str(low),
                          "max_amount": None if high is None else str(high),
                          "times_per_year": times, "effective_from": start.isoformat()})
    session.flush()
    return change


def apply_due_scheme_standards(session: Session, today: dt.date) -> int:
    """Bring each scheme's listed standards to those in force today (after a change scheduled
    for a later day has come into force); returns how many schemes changed."""
    changed = 0
    scheme_ids = session.scalars(select(SchemeStandardChange.scheme_id).distinct()
                                 .where(SchemeStandardChange.effective_from <= today)).all()
    for scheme in session.scalars(select(Scheme).where(Scheme.id.in_(scheme_ids))):
        standard = standards_on(session, scheme, today)
        wanted = (standard.min_amount, standard.max_amount, standard.times_per_year)
        if (scheme.min_amount, scheme.max_amount, scheme.times_per_year) != wanted:
            scheme.min_amount, scheme.max_amount, scheme.times_per_year = wanted
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class SchemeView:
    scheme: Scheme
    min_amount: Decimal | None
    max_amount: Decimal | None
    times_per_year: int | None
    since: dt.date | None
    scheduled: list[SchemeStandardChange]
    history: list[SchemeStandardChange]


def schemes_overview(session: Session, today: dt.date) -> list[SchemeView]:
    """Each scheme with the standards in force today, changes scheduled later and history."""
    history = scheme_history(session)
    views = []
    for scheme in session.scalars(select(Scheme).order_by(Scheme.id)):
        standard = standards_on(session, scheme, today)
        rows = history.get(scheme.id, [])
        views.append(SchemeView(scheme, standard.min_amount, standard.max_amount,
                                standard.times_per_year, standard.since,
                                sorted((r for r in rows if r.effective_from > today),
                                       key=lambda r: (r.effective_from, r.id)), rows))
    return views


def scheme_history(session: Session) -> dict[int, list[SchemeStandardChange]]:
    found: dict[int, list[SchemeStandardChange]] = {}
    for row in session.scalars(select(SchemeStandardChange)
                               .order_by(SchemeStandardChange.id.desc())):
        found.setdefault(row.scheme_id, []).append(row)
    return found

"""Validation of listing fields: every error at once, in Chinese, before anything changes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Category, Organisation, OrgKind
from webapp.models.catalog import SERVICES, VULNERABILITY_FLAGS
from webapp.models.resources import ListingKind, Scheme
from webapp.services import DomainError, Msg
from webapp.services.amount_text import amount_text

MAX_MONEY = Decimal("999999999999.99")

Errors = dict[str, list[str | Msg]]
"""Field name to its error messages."""
Values = dict[str, Any]
"""Field name to its value (submitted, merged or cleaned)."""

COMMON_FIELDS = ("title", "description", "categories", "towns")
KIND_FIELDS: dict[ListingKind, tuple[str, ...]] = {
    ListingKind.PROJECT: COMMON_FIELDS + ("budget", "per_case_cap", "min_age", "max_age",
                                          "requires", "starts_on", "ends_on"),
    ListingKind.FUND: COMMON_FIELDS + ("capital", "per_case_cap"),
    ListingKind.OFFER: COMMON_FIELDS + ("services", "skills", "hours_per_week", "max_cases",
                                        "available_from", "available_until"),
    ListingKind.SCHEME: COMMON_FIELDS + ("organisation_id", "code", "min_amount", "max_amount",
                                         "annual_budget", "requires", "times_per_year"),
}
# Edits of these fields on a public listing change no promise to the people it serves, so
# they take effect without a new review (a volunteer adjusting hours or availability).
NON_MATERIAL: dict[ListingKind, frozenset[str]] = {
    ListingKind.OFFER: frozenset({"hours_per_week", "max_cases", "available_from",
                                  "available_until"}),
}
LIST_FIELDS = frozenset({"categories", "towns", "services", "requires"})

FIELD_LABELS = {
    "title": "名称", "description": "说明", "categories": "救助类别", "towns": "服务乡镇",
    "budget": "总预算", "per_case_cap": "单例上限", "min_age": "最低年龄", "max_age": "最高年龄",
    "requires": "家庭情况要求", "starts_on": "开始日期", "ends_on": "结束日期",
    "capital": "基金规模", "services": "服务类型", "skills": "专业技能",
    "hours_per_week": "每周服务时长", "max_cases": "可同时服务个案数",
    "available_from": "可服务起始日", "available_until": "可服务截止日",
    "organisation_id": "主管部门", "code": "政策编码", "min_amount": "最低救助金额",
    "max_amount": "最高救助金额", "annual_budget": "年度预算", "times_per_year": "每年可享次数",
}


def _money(errors: Errors, name: str, value: Any, *, required: bool = False,
           positive: bool = False) -> Decimal | None:
    """An amount of yuan; ``positive`` refuses zero too (a budget of nothing is no budget)."""
    if value is None or value == "":
        if required:
            errors.setdefault(name, []).append(Msg("请填写%(field)s", field=FIELD_LABELS[name]))
        return None
    try:
        amount = Decimal(amount_text(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(Msg("%(field)s不是有效的金额", field=FIELD_LABELS[name]))
        return None
    if not amount.is_finite():
        errors.setdefault(name, []).append(Msg("%(field)s不是有效的金额", field=FIELD_LABELS[name]))
        return None
    if positive and amount <= 0:
        errors.setdefault(name, []).append(Msg("%(field)s必须大于零", field=FIELD_LABELS[name]))
    elif amount < 0:
        errors.setdefault(name, []).append(Msg("%(field)s不能为负数", field=FIELD_LABELS[name]))
    elif int(amount.as_tuple().exponent) < -2:
        errors.setdefault(name, []).append(Msg("%(field)s最多保留两位小数", field=FIELD_LABELS[name]))
    elif amount > MAX_MONEY:
        errors.setdefault(name, []).append(Msg("%(field)s超出允许范围", field=FIELD_LABELS[name]))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _int(errors: Errors, name: str, value: Any, lo: int, hi: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(Msg("%(field)s必须是整数", field=FIELD_LABELS[name]))
        return None
    if not lo <= number <= hi:
        errors.setdefault(name, []).append(Msg("%(field)s须在 %(low)s–%(high)s 之间", field=FIELD_LABELS[name], low=lo, high=hi))
        return None
    return number


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def town_ids(session: Session) -> dict[int, str]:
    """Every town organisation id with its name."""
    return dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.TOWN).order_by(Organisation.code)).tuples().all())


def clean(session: Session, kind: ListingKind, data: Values, *, current: object | None = None
          ) -> Values:
    """Validate ``data`` (merged over ``current``) and return column values; raise with all
    errors at once."""
    fields = KIND_FIELDS[kind]
    unknown = set(data) - set(fields)
    merged = {f: _current_value(current, f) for f in fields} if current is not None else {}
    merged.update({k: v for k, v in data.items() if k in fields})
    errors: Errors = {f"{k}": ["不支持的字段"] for k in sorted(unknown)}
    out: Values = {}

    title = (merged.get("title") or "").strip()
    if not title:
        errors.setdefault("title", []).append("请填写名称")
    elif len(title) > 120:
        errors.setdefault("title", []).append(Msg("名称不能超过 120 个字"))
    out["title"] = title
    description = (merged.get("description") or "").strip()
    if len(description) > 5000:
        errors.setdefault("description", []).append(Msg("说明不能超过 5000 个字"))
    out["description"] = description

    categories = _text_list(merged.get("categories"))
    valid_categories = {c.value for c in Category}
    for code in categories:
        if code not in valid_categories:
            errors.setdefault("categories", []).append(Msg("未知的救助类别：%(code)s", code=code[:40]))
    out["categories"] = ",".join(sorted(set(categories)))

    towns = _text_list(merged.get("towns"))
    known_towns = town_ids(session)
    ids: set[int] = set()
    for raw in towns:
        if not raw.isdigit() or int(raw) not in known_towns:
            errors.setdefault("towns", []).append(Msg("未知的乡镇（街道）：%(town)s", town=raw[:20]))
        else:
            ids.add(int(raw))
    out["towns"] = ",".join(str(i) for i in sorted(ids))

    if "requires" in fields:
        flags = _text_list(merged.get("requires"))
        for flag in flags:
            if flag not in VULNERABILITY_FLAGS:
                errors.setdefault("requires", []).append(Msg("未知的家庭情况：%(flag)s", flag=flag[:40]))
        out["requires"] = ",".join(sorted(set(flags)))

    _KIND_CLEANERS[kind](session, merged, out, errors, current)
    if errors:
        raise DomainError("提交的信息有误，请修改后重试", errors=errors)
    return out


def _current_value(current: object, name: str) -> Any:
    value = getattr(current, name, None)
    if name in LIST_FIELDS:
        return _text_list(value)
    return value


def _dates(errors: Errors, merged: Values, out: Values, start: str, end: str, message: str) -> None:
    first, last = merged.get(start), merged.get(end)
    for name, value in ((start, first), (end, last)):
        if value is not None and not isinstance(value, dt.date):
            errors.setdefault(name, []).append(Msg("%(field)s不是有效的日期", field=FIELD_LABELS[name]))
            return
    if first and last and last < first:
        errors.setdefault(end, []).append(message)
    out[start], out[end] = first, last


def _clean_project(session: Session, merged: Values, out: Values, errors: Errors,
                   current: object | None) -> None:
    budget = _money(errors, "budget", merged.get("budget"), required=True, positive=True)
    cap = _money(errors, "per_case_cap", merged.get("per_case_cap"), positive=True)
    if budget is not None and cap is not None and cap > budget:
        errors.setdefault("per_case_cap", []).append(Msg("单例上限不能超过总预算"))
    out["budget"], out["per_case_cap"] = budget, cap
    min_age = _int(errors, "min_age", merged.get("min_age"), 0, 120)
    max_age = _int(errors, "max_age", merged.get("max_age"), 0, 120)
    if min_age is not None and max_age is not None and max_age < min_age:
        errors.setdefault("max_age", []).append(Msg("最高年龄不能小于最低年龄"))
    out["min_age"], out["max_age"] = min_age, max_age
    _dates(errors, merged, out, "starts_on", "ends_on", "结束日期不能早于开始日期")


def _clean_fund(session: Session, merged: Values, out: Values, errors: Errors,
                current: object | None) -> None:
    capital = _money(errors, "capital", merged.get("capital"), required=True, positive=True)
    cap = _money(errors, "per_case_cap", merged.get("per_case_cap"), positive=True)
    if capital is not None and cap is not None and cap > capital:
        errors.setdefault("per_case_cap", []).append(Msg("单例上限不能超过基金规模"))
    out["capital"], out["per_case_cap"] = capital, cap


def _clean_offer(session: Session, merged: Values, out: Values, errors: Errors,
                 current: object | None) -> None:
    services = _text_list(merged.get("services"))
    if not services:
        errors.setdefault("services", []).append(Msg("请至少选择一种服务类型"))
    for name in services:
        if name not in SERVICES:
            errors.setdefault("services", []).append(Msg("未知的服务类型：%(service)s", service=name[:40]))
    out["services"] = ",".join(s for s in SERVICES if s in services)
    skills = (merged.get("skills") or "").strip()
    if len(skills) > 200:
        errors.setdefault("skills", []).append(Msg("专业技能不能超过 200 个字"))
    out["skills"] = skills
    hours = _int(errors, "hours_per_week", merged.get("hours_per_week"), 1, 60)
    cases = _int(errors, "max_cases", merged.get("max_cases"), 1, 50)
    out["hours_per_week"] = hours if hours is not None else 4
    out["max_cases"] = cases if cases is not None else 1
    _dates(errors, merged, out, "available_from", "available_until", "可服务截止日不能早于起始日")


def _clean_scheme(session: Session, merged: Values, out: Values, errors: Errors,
                  current: object | None) -> None:
    org_id = merged.get("organisation_id")
    org = session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None or org.kind not in (OrgKind.DEPARTMENT, OrgKind.CIVIL_AFFAIRS):
        errors.setdefault("organisation_id", []).append(Msg("请选择有效的主管部门"))
    out["organisation_id"] = org_id
    code = (merged.get("code") or "").strip()
    if not code or len(code) > 40:
        errors.setdefault("code", []).append(Msg("请填写不超过 40 个字符的政策编码"))
    else:
        clash = session.scalars(select(Scheme.id).where(Scheme.code == code)).first()
        if clash is not None and clash != getattr(current, "id", None):
            errors.setdefault("code", []).append(Msg("该政策编码已被使用"))
    out["code"] = code
    low = _money(errors, "min_amount", merged.get("min_amount"))
    high = _money(errors, "max_amount", merged.get("max_amount"))
    if low is not None and high is not None and high < low:
        errors.setdefault("max_amount", []).append(Msg("最高救助金额不能低于最低救助金额"))
    out["min_amount"], out["max_amount"] = low, high
    out["annual_budget"] = _money(errors, "annual_budget", merged.get("annual_budget"))
    out["times_per_year"] = _int(errors, "times_per_year", merged.get("times_per_year"), 1, 12)


Cleaner = Callable[[Session, Values, Values, Errors, object | None], None]
_KIND_CLEANERS: dict[ListingKind, Cleaner] = {
    ListingKind.PROJECT: _clean_project, ListingKind.FUND: _clean_fund,
    ListingKind.OFFER: _clean_offer, ListingKind.SCHEME: _clean_scheme}

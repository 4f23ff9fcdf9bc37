"""Jinja globals and filters shared by every template."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp import permissions
from webapp.models import Role
from webapp.models.catalog import URGENCY_LABELS

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

ROLE_LABELS = {
    Role.DONOR: "爱心人士", Role.VOLUNTEER: "志愿者", Role.CHARITY_STAFF: "慈善组织",
    Role.FUND_MANAGER: "企业基金管理员", Role.INTAKE_WORKER: "受理窗口",
    Role.DEPARTMENT_HANDLER: "部门经办人", Role.OFFICER: "民政工作人员", Role.AUDITOR: "审计监督",
    Role.ADMIN: "系统管理员", Role.RESCUE_STATION: "救助管理站",
}

# Entries only for visitors who are not signed in: the resident's own doors (apply, look up
# progress, find the window). Staff and donors reach them from the home page and footer.
VISITORS: frozenset[Role] = frozenset()

# Navigation: (endpoint, label, rule predicate). Feature areas append to NAV_ITEMS.
NAV_ITEMS: list[tuple[str, str, frozenset[Role] | None]] = [
    ("main.dashboard", "工作台", None),
    ("admin.organisations", "机构审核", frozenset({Role.ADMIN, Role.OFFICER})),
    ("admin.users", "用户管理", frozenset({Role.ADMIN})),
    ("admin.audit_log", "审计日志", frozenset({Role.ADMIN, Role.AUDITOR, Role.OFFICER})),
    ("public.needs", "急难需求", None),
    ("public.projects", "慈善项目", None),
    ("public.transparency_page", "信息公开", None),
    ("public.my_pledges", "我的捐助", frozenset({Role.DONOR})),
    ("portal.projects", "我的项目", frozenset({Role.CHARITY_STAFF})),
    ("portal.funds", "我的基金", frozenset({Role.FUND_MANAGER})),
    ("portal.offers", "我的服务", frozenset({Role.VOLUNTEER})),
    ("portal.pledge_desk", "收到的认捐", frozenset({Role.CHARITY_STAFF, Role.OFFICER})),
    ("portal.review_queue", "上架审核", frozenset({Role.OFFICER})),
    ("cases.index", "个案", frozenset({Role.INTAKE_WORKER, Role.DEPARTMENT_HANDLER, Role.OFFICER,
                                      Role.AUDITOR})),
    ("cases.transfer_inbox", "转办", frozenset({Role.DEPARTMENT_HANDLER, Role.OFFICER,
                                              Role.AUDITOR})),
    ("cases.supervision", "督查督办", frozenset({Role.OFFICER, Role.AUDITOR})),
    ("cases.orders_list", "督办单", frozenset({Role.INTAKE_WORKER, Role.DEPARTMENT_HANDLER,
                                            Role.OFFICER, Role.AUDITOR})),
    ("cases.conferences", "联席会议", frozenset({Role.OFFICER, Role.AUDITOR})),
    ("statistics.index", "时效统计", frozenset({Role.OFFICER, Role.AUDITOR, Role.INTAKE_WORKER})),
    ("cases.inbox", "消息", frozenset({Role.INTAKE_WORKER, Role.DEPARTMENT_HANDLER, Role.OFFICER,
                                     Role.AUDITOR})),
    ("ledger.balances", "资金台账", frozenset({Role.OFFICER, Role.AUDITOR, Role.ADMIN,
                                             Role.FUND_MANAGER, Role.CHARITY_STAFF})),
    ("matching.proposals", "匹配建议", frozenset({Role.OFFICER})),
    ("matching.assignments", "资源对接", frozenset({Role.CHARITY_STAFF, Role.FUND_MANAGER,
                                                 Role.VOLUNTEER, Role.DEPARTMENT_HANDLER})),
    ("needs_review.index", "发布审核", frozenset({Role.OFFICER})),
    ("person_data.find", "个人信息查询与更正", frozenset({Role.OFFICER, Role.ADMIN})),
    ("rules.index", "县级规则", frozenset({Role.ADMIN, Role.OFFICER, Role.AUDITOR})),
    ("doors.apply", "网上申请", VISITORS),
    ("doors.status_lookup", "进度查询", VISITORS),
    ("doors.lead_queue", "线索", frozenset({Role.INTAKE_WORKER, Role.OFFICER, Role.AUDITOR})),
    ("doors.my_leads", "我报告的线索", frozenset({Role.VOLUNTEER, Role.DEPARTMENT_HANDLER,
                                                  Role.RESCUE_STATION})),
    ("doors.appeal_list", "复核申请", frozenset({Role.OFFICER, Role.AUDITOR})),
    ("doors.window_appeal", "代为申请复核", frozenset({Role.INTAKE_WORKER})),
    ("doors.outbox", "短信发件箱", frozenset({Role.OFFICER, Role.ADMIN})),
    ("window.complaint_list", "投诉监督", frozenset({Role.OFFICER, Role.AUDITOR})),
    ("window.index", "受理窗口", VISITORS),
]


# Menus that gather entries once a user has more than NAV_FLAT_LIMIT of them.
NAV_GROUPS = {
    "个案办理": ("cases.index", "cases.transfer_inbox", "cases.supervision", "cases.orders_list",
             "cases.conferences", "statistics.index", "needs_review.index", "cases.inbox",
             "doors.lead_queue", "doors.appeal_list", "doors.window_appeal", "doors.outbox",
             "window.complaint_list"),
    "资源与资金": ("portal.review_queue", "portal.pledge_desk", "matching.proposals",
              "ledger.balances"),
    "公开信息": ("public.needs", "public.projects", "public.transparency_page", "doors.apply",
             "doors.status_lookup", "window.index"),
    "系统管理": ("admin.organisations", "admin.users", "admin.audit_log", "rules.index",
             "person_data.find"),
}
NAV_FLAT_LIMIT = 7


@dataclass(frozen=True)
class NavEntry:
    """A link (``endpoint``) or a dropdown of links (``children``)."""

    label: str
    endpoint: str | None = None
    children: tuple[tuple[str, str], ...] = ()


def nav_for(user) -> list[NavEntry]:
    visible = []
    for endpoint, label, allowed in NAV_ITEMS:
        if allowed is None and not user.is_authenticated and endpoint == "main.dashboard":
            continue
        if allowed is VISITORS:
            if not user.is_authenticated:
                visible.append((endpoint, label))
        elif allowed is None or (user.is_authenticated and user.roles & allowed):
            visible.append((endpoint, label))
    if len(visible) <= NAV_FLAT_LIMIT:
        return [NavEntry(label, endpoint) for endpoint, label in visible]
    group_of = {e: g for g, endpoints in NAV_GROUPS.items() for e in endpoints}
    entries: list[NavEntry] = []
    placed: dict[str, int] = {}
    for endpoint, label in visible:
        group = group_of.get(endpoint)
        members = [v for v in visible if group_of.get(v[0]) == group] if group else []
        if group is None or len(members) < 2:
            entries.append(NavEntry(label, endpoint))
        elif group not in placed:
            placed[group] = len(entries)
            entries.append(NavEntry(group, children=tuple(members)))
    order = list(NAV_GROUPS)
    return sorted(entries, key=lambda e: (0, 0) if e.endpoint == "main.dashboard" else
                  (1, order.index(e.label)) if e.children else (2, 0))


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def is_past(value: dt.datetime | None) -> bool:
    """Whether a stored moment (naive values are UTC) lies before now."""
    if value is None:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value < dt.datetime.now(dt.UTC)


def colon() -> str:
    """The colon after a label: full width in Chinese, "： " would look wrong in English."""
    return "：" if str(get_locale()).startswith("zh") else ": "


def list_sep() -> str:
    """Between the items of an inline list: 、 in Chinese, a comma in English."""
    return "、" if str(get_locale()).startswith("zh") else ", "


def bracket(text) -> str:
    """An aside after a word: （…） in Chinese, (…) after a space in English."""
    return f"（{text}）" if str(get_locale()).startswith("zh") else f" ({text})"


def money(value) -> str:
    if value is None:
        return "—"
    return f"¥{Decimal(value):,.2f}"


def page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def init(app: Flask) -> None:
    app.jinja_env.globals.update(
        perm=permissions, Role=Role, nav_for=nav_for, get_locale=get_locale,
        role_label=lambda r: _(ROLE_LABELS.get(r, r.value)), page_url=page_url,
        urgency_labels=URGENCY_LABELS, colon=colon, list_sep=list_sep, is_past=is_past,
        bracket=bracket)
    # Imported here: code_labels and generated_words import this module's helpers.
    from webapp.code_labels import code_label, code_labels
    app.jinja_env.filters.update(local_time=local_time, money=money, code=code_label,
                                 codes=code_labels)
    from webapp import generated_words
    app.jinja_env.filters.update(event_note=generated_words.event_note,
                                 household_text=generated_words.household_text,
                                 band_text=generated_words.band_text,
                                 size_text=generated_words.size_text,
                                 need_title=generated_words.need_title,
                                 notice_title=generated_words.notice_title,
                                 notice_body=generated_words.notice_body)

    @app.context_processor
    def inject_user():
        return {"user": current_user}

"""The 告知同意 notice (PIPL Arts. 14, 17): versions published by the county, and the record
that an applicant was told how their data is used and agreed, without which no case is made.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Case, Lead, Role, User, utcnow
from webapp.models.consent import ConsentMethod, ConsentNotice, ConsentRecord
from webapp.services import DomainError, Msg, PermissionDeniedError, audit

METHOD_LABELS = {ConsentMethod.PAPER.value: "书面告知，申请人（代理人）签字",
                 ConsentMethod.READ_ALOUD.value: "工作人员宣读，申请人（代理人）口头同意",
                 ConsentMethod.ONLINE.value: "网上申请时阅读并勾选同意"}
WINDOW_METHODS = (ConsentMethod.PAPER.value, ConsentMethod.READ_ALOUD.value)
PROXY_RELATIONS = {"spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹",
                   "guardian": "监护人", "relative": "其他亲属", "cadre": "村（居）干部",
                   "other": "其他"}
TITLE = "个人信息处理告知书"


@dataclass
class ConsentInput:
    """What the window recorded: the version shown, that it was agreed to, how, and who
    agreed when it was not the applicant."""

    version: int | None
    agreed: bool
    method: str
    proxy_name: str = ""
    proxy_relation: str = ""


def notices(session: Session) -> list[ConsentNotice]:
    """Every published version, newest first."""
    return list(session.scalars(select(ConsentNotice).order_by(ConsentNotice.version.desc())))


def notice_in_force(session: Session, today: dt.date) -> ConsentNotice | None:
    """The version applicants are shown today: the latest one already effective."""
    return session.scalars(select(ConsentNotice).where(ConsentNotice.effective_on <= today)
                           .order_by(ConsentNotice.effective_on.desc(),
                                     ConsentNotice.version.desc()).limit(1)).first()


def notice_by_version(session: Session, version: int) -> ConsentNotice | None:
    return session.scalars(select(ConsentNotice).where(ConsentNotice.version == version)).first()


def publish_notice(session: Session, actor: User, *, body: str, effective_on: dt.date | str,
                   today: dt.date, title: str = TITLE) -> ConsentNotice:
    """Publish a new version; earlier ones stay as they were, for the records that name them."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError("只有系统管理员可以发布告知书")
    errors: dict[str, list[str | Msg]] = {}
    body = (body or "").replace("\r\n", "\n").strip()
    title = (title or "").strip() or TITLE
    if not 20 <= len(body) <= 10000:
        errors["body"] = [Msg("告知书正文应为 20–10000 个字")]
    if len(title) > 100:
        errors["title"] = [Msg("标题不能超过 100 个字")]
    day: dt.date | None = effective_on if isinstance(effective_on, dt.date) else None
    if isinstance(effective_on, str):
        try:
            day = dt.date.fromisoformat(effective_on.strip())
        except ValueError:
            errors["effective_on"] = [Msg("生效日期格式不正确（YYYY-MM-DD）")]
    if day is not None and day < today:
        errors["effective_on"] = [Msg("生效日期不能早于今天（已生效的版本不能追溯更改）")]
    if errors or day is None:
        raise DomainError("告知书未发布，请检查标出的字段", errors=errors)
    effective_on = day
    version = (session.scalar(select(func.max(ConsentNotice.version))) or 0) + 1
    notice = ConsentNotice(version=version, title=title, body=body, effective_on=effective_on,
                           published_at=utcnow(), published_by_id=actor.id)
    session.add(notice)
    session.flush()
    audit.record(session, actor, "consent.publish", notice,
                 summary={"version": version, "effective_on": effective_on.isoformat()})
    return notice


def check_consent(session: Session, data: ConsentInput | None, *, today: dt.date,
                  methods: tuple[str, ...] = tuple(METHOD_LABELS)) -> tuple[dict[str, list[str | Msg]], dict[str, Any]]:
    """Validate a consent given at intake: ``(errors, clean)``, errors keyed by field."""
    errors: dict[str, list[str | Msg]] = {}
    if data is None or not data.agreed:
        errors["consent"] = [Msg("未记录申请人已阅读并同意《个人信息处理告知书》，不能登记个案")]
        return errors, {}
    current = notice_in_force(session, today)
    if current is None:
        errors["consent"] = [Msg("县里尚未发布《个人信息处理告知书》，请联系系统管理员")]
    elif data.version != current.version:
        errors["consent"] = [Msg("告知书现行版本为第 %(version)s 版，请向申请人告知现行版本后再确认",
                                 version=current.version)]
    if data.method not in methods:
        errors["consent_method"] = [Msg("请选择告知方式")]
    proxy_name = (data.proxy_name or "").strip()
    relation = (data.proxy_relation or "").strip()
    if proxy_name and not 2 <= len(proxy_name) <= 40:
        errors["consent_proxy_name"] = [Msg("代理人姓名应为 2–40 个字")]
    if proxy_name and relation not in PROXY_RELATIONS:
        errors["consent_proxy_relation"] = [Msg("请选择代理人与申请人的关系")]
    if relation and not proxy_name:
        errors["consent_proxy_name"] = [Msg("请填写代为确认的人的姓名")]
    if errors:
        return errors, {}
    return {}, {"notice": current, "method": ConsentMethod(data.method),
                "proxy_name": proxy_name or None, "proxy_relation": relation or None}


def record_consent(session: Session, actor: User | None, clean: dict[str, Any], *,
                   case: Case | None = None, lead: Lead | None = None,
                   now: dt.datetime | None = None) -> ConsentRecord:
    """Write a checked consent (from :func:`check_consent`) for a case or an online lead."""
    record = ConsentRecord(notice_id=clean["notice"].id, case_id=case.id if case else None,
                           lead_id=lead.id if lead else None, method=clean["method"],
                           proxy_name=clean["proxy_name"],
                           proxy_relation=clean["proxy_relation"],
                           recorded_by_id=actor.id if actor else None,
                           recorded_at=now or utcnow())
    session.add(record)
    session.flush()
    return record


def consent_of_lead(session: Session, lead: Lead) -> ConsentRecord | None:
    return session.scalars(select(ConsentRecord).where(ConsentRecord.lead_id == lead.id)
                           .order_by(ConsentRecord.id.desc()).limit(1)).first()


def consents_of_case(session: Session, case_id: int) -> list[ConsentRecord]:
    return list(session.scalars(select(ConsentRecord).where(ConsentRecord.case_id == case_id)
                                .order_by(ConsentRecord.id)))


def consent_export(record: ConsentRecord) -> dict[str, Any]:
    """One record as the person's data export shows it."""
    return {"notice_version": record.notice.version, "notice_title": record.notice.title,
            "notice_effective_on": record.notice.effective_on.isoformat(),
            "notice_text": record.notice.body, "method": record.method.value,
            "agreed_by": "proxy" if record.proxy_name else "applicant",
            "proxy_name": record.proxy_name, "proxy_relation": record.proxy_relation,
            "recorded_by": record.recorded_by.display_name if record.recorded_by else None,
            "recorded_at": record.recorded_at.isoformat()}

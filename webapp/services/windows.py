"""The town windows' public face (一明显三上墙): where each window is, when it is open, whom
to call, what it is responsible for and within which time limits, the policies that apply,
and the supervision telephone (the town's own, else the county's)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import ListingStatus, Organisation, OrgKind, Role, Scheme, TownWindow, User
from webapp.services import DomainError, Msg, PermissionDeniedError, audit
from webapp.services.cases.settings import CaseSettings

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12345")


def clean_phone(value: str | None) -> str:
    return re.sub(r"[\s()（）]", "", value or "")


def valid_phone(value: str) -> bool:
    """A mobile number, a landline with its area code, or the 12345 government hotline."""
    return bool(PHONE.fullmatch(clean_phone(value)))


@dataclass(frozen=True)
class Duty:
    """One line of the window's duties on the wall: what it does and its time limit."""

    text: str
    days: int | None = None


DUTY_TEXTS = (
    "首问负责：第一位接待您的工作人员负责到底，不推诿、不让您多跑路。",
    "一门受理：因疾病、意外、火灾、自然灾害等突发困难的求助，不论是否本县户籍，一律在本窗口受理。",
    "入户核查：受理后由工作人员核实家庭情况。",
    "转办答复：需要其他部门办理的，转办部门限期答复。",
    "限时办结：普通程序自受理起限期办结；情况紧急的先行救助、后补手续。",
)


def duties(settings: CaseSettings) -> list[Duty]:
    """The window's duties, with the time limits the deadlines of cases use."""
    limits = (None, settings.acceptance_days, settings.verification_days,
              settings.transfer_days, settings.procedure_days)
    return [Duty(text, days) for text, days in zip(DUTY_TEXTS, limits, strict=True)]


def town_windows(session: Session) -> list[tuple[Organisation, TownWindow | None]]:
    """Every town with its window (None while not yet filled in), in name order."""
    towns = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.TOWN)
                            .order_by(Organisation.id)).all()
    rows = {w.town_id: w for w in session.scalars(select(TownWindow))}
    return [(t, rows.get(t.id)) for t in towns]


def window_of(session: Session, town: Organisation) -> TownWindow | None:
    return session.scalars(select(TownWindow).where(TownWindow.town_id == town.id)).first()


def applicable_schemes(session: Session, town: Organisation) -> list[Scheme]:
    """The listed government schemes that apply in this town (county-wide or naming it)."""
    padded = "," + Scheme.towns + ","
    return list(session.scalars(select(Scheme).where(
        Scheme.status == ListingStatus.LISTED,
        or_(Scheme.towns == "", padded.contains(f",{town.id},")))
        .order_by(Scheme.title)))


def supervision_phone(window: TownWindow | None, county_phone: str) -> str:
    return window.supervision_phone if window and window.supervision_phone else county_phone


def update_window(session: Session, actor: User | None, town: Organisation, *, address: str,
                  opening_hours: str, phone: str, supervision_phone: str = "") -> TownWindow:
    """Create or change a town window's public details (officers and admins; None: the
    demo loader)."""
    if actor is not None and not actor.has_role(Role.OFFICER, Role.ADMIN):
        raise PermissionDeniedError("只有民政工作人员或管理员可以修改窗口信息")
    if town.kind != OrgKind.TOWN:
        raise DomainError("只有镇（街道）设有受理窗口", field="town")
    errors: dict[str, list[str | Msg]] = {}
    address, opening_hours = (address or "").strip(), (opening_hours or "").strip()
    if not 4 <= len(address) <= 200:
        errors["address"] = [Msg("请填写窗口地址（4–200 个字）")]
    if not 4 <= len(opening_hours) <= 200:
        errors["opening_hours"] = [Msg("请填写办公时间（4–200 个字）")]
    if not valid_phone(phone):
        errors["phone"] = [Msg("窗口电话格式不正确（手机 11 位或带区号的座机）")]
    if supervision_phone.strip() and not valid_phone(supervision_phone):
        errors["supervision_phone"] = [Msg("监督电话格式不正确（手机 11 位或带区号的座机）")]
    if errors:
        raise DomainError("窗口信息有误，请检查标出的字段", errors=errors)
    row = window_of(session, town) or TownWindow(town_id=town.id)
    row.address, row.opening_hours, row.phone = address, opening_hours, clean_phone(phone)
    row.supervision_phone = clean_phone(supervision_phone) or None
    session.add(row)
    session.flush()
    audit.record(session, actor, "town_window.update", row,
                 summary={"town_id": town.id,
                          "fields": ["address", "opening_hours", "phone", "supervision_phone"]})
    return row

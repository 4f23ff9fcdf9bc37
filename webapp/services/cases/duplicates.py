"""Duplicates at intake: tell the window at once when an ID number it is typing (applicant or
household member) already has an open case, or this year's help for the same cause, anywhere
in the county. Only the case number and the town are told; every check is audited, since it
looks a person up by ID number."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from webapp.models import TERMINAL_STATUSES, Case, Category, Role, User, utcnow
from webapp.privacy.detection.identifiers import valid_resident_id
from webapp.privacy.infrastructure.crypto import normalise_id_number, person_key
from webapp.services import Msg, PermissionDeniedError, audit
from webapp.services.cases.once_per_year import WINDOW, same_household

LIMIT = 10


@dataclass(frozen=True)
class DuplicateHit:
    """An earlier case of the same person or household: its number and town, nothing more."""

    case_id: int
    number: str
    town: str
    open: bool  # still open (else: helped for the same cause within the year)


def find_duplicates(session: Session, actor: User, id_numbers: Iterable[str], *,
                    category: str | None, hash_key: str, now: dt.datetime | None = None,
                    ) -> list[DuplicateHit]:
    """Open cases, and cases helped for ``category`` in the last 365 days, of any of these
    ID numbers (invalid ones are ignored). Records ``case.duplicate_check`` when any valid
    number was checked."""
    if not actor.has_role(Role.INTAKE_WORKER, Role.OFFICER):
        raise PermissionDeniedError("只有受理窗口或民政工作人员可以查重")
    now = now or utcnow()
    numbers = {normalise_id_number(n) for n in id_numbers if (n or "").strip()}
    keys = {person_key(n, hash_key) for n in numbers if valid_resident_id(n)}
    if not keys:
        return []
    try:
        cause = Category(category) if category else None
    except ValueError:
        cause = None
    helped = (and_(Case.category == cause, Case.approved_at.is_not(None),
                   Case.approved_at > now - WINDOW) if cause is not None else None)
    still_open = Case.status.not_in(TERMINAL_STATUSES)
    condition = still_open if helped is None else or_(still_open, helped)
    cases = session.scalars(select(Case).where(same_household(keys), condition)
                            .order_by(Case.reported_at.desc()).limit(LIMIT)).all()
    hits = [DuplicateHit(c.id, c.number, c.town.name, not c.is_terminal) for c in cases]
    audit.record(session, actor, "case.duplicate_check", None, object_type="cases",
                 summary={"ids_checked": len(keys), "matches": len(hits),
                          "case_ids": [h.case_id for h in hits]})
    return hits


def warning(hits: list[DuplicateHit]) -> str:
    """What the window reads (intake page and API alike): case numbers and towns, nothing
    about the person; empty when there is nothing to tell."""
    if not hits:
        return ""
    open_text, helped_text = str(Msg("在办")), str(Msg("本年已获同类救助"))
    listed = str(Msg("、")).join(
        str(Msg("%(number)s（%(town)s，%(state)s）", number=h.number, town=h.town,
                state=open_text if h.open else helped_text)) for h in hits)
    return str(Msg("该身份证号码已有个案：%(cases)s。请先核实，避免重复受理。", cases=listed))


def as_dicts(hits: list[DuplicateHit]) -> list[dict[str, object]]:
    """The hits as the intake page's script and the API return them."""
    return [{"number": h.number, "town": h.town, "open": h.open} for h in hits]

"""Finding a case at the window: by a fragment of its number, the applicant's name or ID number.

Names and ID numbers are never stored in plaintext nor decrypted to compare: the query is hashed
with the same key as the stored blind indexes (``Applicant.name_key``, ``Applicant.person_key``)
and compared as a hash, so only an exact full name or full ID number finds anyone. A search by
name or ID number confirms that a person has a case, so it is a view of personal data: only roles
that may see applicants' personal data may search that way, and each such search writes one
audit event ``case.search_person`` (what kind of search, how many cases; never the query).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Select, false, select
from sqlalchemy.orm import Session

from webapp.models import Applicant, Case, Role, User
from webapp.models.encrypted import EncryptedText
from webapp.privacy.infrastructure.crypto import name_key, normalise_id_number, person_key
from webapp.services import audit

NUMBER, NAME, ID_NUMBER = "number", "name", "id_number"
PERSON_KINDS = frozenset({NAME, ID_NUMBER})
_ID_SHAPE = re.compile(r"\d{17}[\dX]|\d{15}")
_NUMBER_SHAPE = re.compile(r"(GT-?)?[\d-]{1,16}")
_NAME_SHAPE = re.compile(r"[\u3400-\u9fff·•A-Za-z ]{2,30}")


@dataclass(frozen=True)
class CaseQuery:
    """What the search box holds, classified; ``digest`` is the blind-index key of a person."""

    text: str
    kind: str
    digest: str | None = None

    @property
    def about_person(self) -> bool:
        return self.kind in PERSON_KINDS


def parse_query(text: str | None, *, hash_key: str) -> CaseQuery | None:
    """Classify a search: ID number, case number (or fragment, '303'), or a full name."""
    raw = unicodedata.normalize("NFKC", (text or "")).strip()[:40]
    if not raw:
        return None
    compact = normalise_id_number(raw)
    if _ID_SHAPE.fullmatch(compact):
        return CaseQuery(raw, ID_NUMBER, person_key(compact, hash_key))
    if _NUMBER_SHAPE.fullmatch(compact):
        return CaseQuery(compact, NUMBER)
    if _NAME_SHAPE.fullmatch(raw):
        return CaseQuery(raw, NAME, name_key(raw, hash_key))
    return CaseQuery(raw, NUMBER)


def may_search_people(user: User) -> bool:
    """Who may find a case by the applicant's name or ID number (those who see them)."""
    return bool(user.has_role(Role.INTAKE_WORKER, Role.OFFICER, Role.AUDITOR))


def where_query(stmt: Select[Any], user: User, query: CaseQuery) -> Select[Any]:
    """Narrow a SELECT of cases to those matching the query (none for a forbidden search)."""
    if query.kind == NUMBER:
        fragment = query.text.upper().replace("%", "").replace("_", "")
        if fragment.startswith("GT"):
            return stmt.where(Case.number.startswith(fragment))
        return stmt.where(Case.number.contains(fragment))
    if not may_search_people(user):
        return stmt.where(false())
    column = Applicant.name_key if query.kind == NAME else Applicant.person_key
    return stmt.where(Case.applicant_id.in_(
        select(Applicant.id).where(column == query.digest)))


def record_person_search(session: Session, actor: User, query: CaseQuery, *, matches: int) -> None:
    """Audit a search by name or ID number (a view of personal data); other searches are not."""
    if query.about_person:
        audit.record(session, actor, "case.search_person", None, object_type="cases",
                     summary={"by": query.kind, "matches": matches})


def backfill_name_keys(connection: Session | Connection, *, hash_key: str) -> int:
    """Set ``name_key`` on every applicant without one; returns how many were set.

    Works on a Session or a bare Connection (the migration's), through a table of its own so
    that later changes to the model do not break the migration that calls it.
    """
    applicants = sa.table("applicants", sa.column("id", sa.Integer),
                          sa.column("name", EncryptedText()), sa.column("name_key", sa.String))
    rows = connection.execute(sa.select(applicants.c.id, applicants.c.name)
                              .where(applicants.c.name_key.is_(None))).all()
    for applicant_id, name in rows:
        connection.execute(applicants.update().where(applicants.c.id == applicant_id)
                           .values(name_key=name_key(name or "", hash_key)))
    return len(rows)

"""Household members recorded at intake: validation, storage, the case's known names and the
keyed hashes by which the same household is recognised in another case.

``known_names`` is the one answer to "which names does this case's record know?": every
surface that publishes or shows text derived from a case (the need card's title and story,
the redacted description, outcome stories) passes them to the redaction gate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Case, HouseholdMember, NeedCard, NeedStatus, Relation
from webapp.privacy.detection.identifiers import valid_resident_id
from webapp.privacy.infrastructure.crypto import normalise_id_number, person_key

RELATION_LABELS: dict[Relation, str] = {
    Relation.SPOUSE: "配偶", Relation.CHILD: "子女", Relation.PARENT: "父母",
    Relation.GRANDPARENT: "（外）祖父母", Relation.GRANDCHILD: "（外）孙子女",
    Relation.SIBLING: "兄弟姐妹", Relation.OTHER: "其他共同生活人员",
}
MAX_MEMBERS = 20
# Messages of member validation (constants, so the English catalogue picks them up).
MEMBER_MESSAGES = {
    "too_many": "家庭成员最多登记 20 人",
    "name": "请填写家庭成员姓名（2–40 个字）",
    "relation": "请选择有效的与申请人关系",
    "id_number": "家庭成员身份证号码无效（18 位，校验位按 GB 11643 计算）",
    "repeated": "同一身份证号码不能重复登记",
    "flags": "包含无效的成员情况",
}


@dataclass
class MemberInput:
    name: str
    relation: str
    id_number: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def blank(self) -> bool:
        return not (self.name or "").strip() and not (self.id_number or "").strip()


@dataclass(frozen=True)
class CleanMember:
    name: str
    relation: Relation
    id_number: str | None
    flags: frozenset[str]


def validate_members(members: list[MemberInput], *, applicant_id_number: str = ""
                     ) -> tuple[list[CleanMember], dict[str, list[str]]]:
    """Check every member; return the cleaned members and the errors keyed
    ``members.<i>.<field>`` (all problems at once; nothing is stored here)."""
    errors: dict[str, list[str]] = {}
    clean: list[CleanMember] = []
    if len(members) > MAX_MEMBERS:
        errors["members"] = [MEMBER_MESSAGES["too_many"]]
        return [], errors
    seen_ids: set[str] = set()
    applicant_id = normalise_id_number(applicant_id_number) if applicant_id_number else ""
    for i, m in enumerate(members):
        def err(name: str, message: str, i: int = i) -> None:
            errors.setdefault(f"members.{i}.{name}", []).append(message)

        name = (m.name or "").strip()
        if not 2 <= len(name) <= 40:
            err("name", MEMBER_MESSAGES["name"])
        try:
            relation = Relation(m.relation)
        except ValueError:
            err("relation", MEMBER_MESSAGES["relation"])
            relation = Relation.OTHER
        raw_id = (m.id_number or "").strip()
        id_number = normalise_id_number(raw_id) if raw_id else None
        if id_number is not None:
            if not valid_resident_id(id_number):
                err("id_number", MEMBER_MESSAGES["id_number"])
            elif id_number == applicant_id or id_number in seen_ids:
                err("id_number", MEMBER_MESSAGES["repeated"])
            seen_ids.add(id_number)
        unknown = set(m.flags) - set(HouseholdMember.FLAGS)
        if unknown:
            err("flags", MEMBER_MESSAGES["flags"])
        clean.append(CleanMember(name, relation, id_number, frozenset(m.flags)))
    return clean, errors


def add_members(session: Session, case: Case, members: list[CleanMember], *,
                hash_key: str) -> list[HouseholdMember]:
    """Store the validated members of a case's household, sealed."""
    rows = [HouseholdMember(
        case_id=case.id, name=m.name, relation=m.relation, id_number=m.id_number,
        person_key=person_key(m.id_number, hash_key) if m.id_number else None,
        **{f: f in m.flags for f in HouseholdMember.FLAGS}) for m in members]
    session.add_all(rows)
    session.flush()
    return rows


def known_names(case: Case) -> tuple[str, ...]:
    """Every name the case record knows: the applicant's and each household member's."""
    names: list[str] = []
    if case.applicant is not None and case.applicant.name:
        names.append(case.applicant.name)
    names += [m.name for m in case.members if m.name]
    return tuple(dict.fromkeys(names))


def person_keys(case: Case) -> frozenset[str]:
    """The keyed hashes of every identified person of the case's household."""
    keys = {m.person_key for m in case.members if m.person_key}
    if case.applicant is not None and case.applicant.person_key:
        keys.add(case.applicant.person_key)
    return frozenset(keys)


@dataclass(frozen=True)
class MemberExposure:
    """How many household members of published cases there are, and whose name a card shows."""

    members: int
    exposed: int


def member_names_on_cards(session: Session) -> MemberExposure:
    """Check every published card's title and story for its household members' names."""
    members = exposed = 0
    for card in session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)):
        text = f"{card.title}\n{card.story}"
        for member in card.case.members:
            members += 1
            exposed += member.name in text
    return MemberExposure(members, exposed)

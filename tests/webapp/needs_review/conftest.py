"""Cases with planted personal data, created through the API and published by an officer."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    address: str
    bank_card: str
    birth: tuple[int, int, int]

    def description(self) -> str:
        y, m, d = self.birth
        return (f"申请人{self.name}，身份证号{self.id_number}，联系电话{self.phone[:3]} "
                f"{self.phone[3:7]} {self.phone[7:]}，家住{self.address}，{y}年{m}月{d}日出生，"
                f"银行卡号{self.bank_card}。{self.name}突发白血病住院化疗，家庭无力承担医疗费用。")

    def values(self) -> list[str]:
        """Every planted value with its digit-only, spaced and dashed variants."""
        y, m, d = self.birth
        p, i, c = self.phone, self.id_number, self.bank_card
        return [self.name, self.address, self.address[:3] + self.address[3:].replace("组", "组 "),
                p, f"{p[:3]} {p[3:7]} {p[7:]}", f"{p[:3]}-{p[3:7]}-{p[7:]}", p[3:],
                i, f"{i[:6]} {i[6:14]} {i[14:]}", i[:17],
                c, " ".join(c[k:k + 4] for k in range(0, len(c), 4)), c[-12:],
                f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}{m:02d}{d:02d}"]


PEOPLE = [
    Person("欧阳雪梅", "371526198503071233", "13812345678", "幸福村3组12号",
           "6222021234567890128", (1985, 3, 7)),
    Person("司马建国", "371526197206110043", "15966667777", "和平社区8号楼2单元301室",
           "6217009876543210981", (1972, 6, 11)),
]
PATH = ["accept", "start_verification", "verify", "approve"]




@pytest.fixture
def town_id(db, demo_base):
    from webapp.models import Organisation
    return db.session.scalars(select(Organisation.id).where(Organisation.name == "梁村镇")).one()


@pytest.fixture
def report(client, api_token, town_id, consent_notice):
    """Report a case for a person through the API; returns the case id."""

    def run(person: Person, *, token=None, **overrides) -> int:
        body = {"applicant": {"name": person.name, "id_number": person.id_number,
                              "phone": person.phone, "address": person.address,
                              "local_hukou": True},
                "town": town_id, "category": "serious_illness", "urgency": 3,
                "amount_needed": "30000", "description": person.description(),
                "household": {"size": 3, "flags": ["serious_illness", "minor"]},
                "consent": {"version": consent_notice.version, "agreed": True, "method": "paper"},
                **overrides}
        response = client.post("/api/v1/cases", json=body, headers=token or api_token("officer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return run


@pytest.fixture
def advance(client, api_token):
    """Fire transitions through the API as the officer; returns the last response."""

    def run(case_id: int, *actions: str, **params):
        headers = api_token("officer")
        response = None
        for action in actions:
            response = client.post(f"/api/v1/cases/{case_id}/transitions",
                                   json={"action": action, **params}, headers=headers)
        return response

    return run


@pytest.fixture
def published_case(report, advance):
    """Report a person's case and walk it to published through the API."""

    def run(person: Person) -> int:
        case_id = report(person)
        for action in PATH:
            assert advance(case_id, action).status_code == 200
        response = advance(case_id, "publish")
        assert response.status_code == 200, response.get_json()
        return case_id

    return run

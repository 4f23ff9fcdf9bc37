"""Amounts: zero, negative and full-width digits are decided once and said plainly."""
from __future__ import annotations

from decimal import Decimal

import pytest

from webapp.services import DomainError, ledger
from webapp.services.cases.money import parse_amount as case_amount
from webapp.services.listing_rules import _money
from webapp.services.pledges import _clean_amount

CAP = Decimal(1000000)


def test_a_case_may_need_no_money_but_never_a_negative_amount():
    assert case_amount("0", field="amount_needed", maximum=CAP, allow_zero=True) == 0
    with pytest.raises(DomainError, match="^金额不能为负数$"):
        case_amount("-5", field="amount_needed", maximum=CAP, allow_zero=True)


@pytest.mark.parametrize("value", ["0", "-5", "0.00"])
def test_zero_and_negative_share_one_message_where_zero_is_refused(value):
    with pytest.raises(DomainError, match="^金额必须大于零$"):
        case_amount(value, field="amount", maximum=CAP)
    with pytest.raises(DomainError, match="^金额必须大于零$"):
        ledger.parse_amount(value)
    errors: dict = {}
    assert _clean_amount(errors, value) is None
    assert errors == {"amount": ["认捐金额必须大于零"]}


@pytest.mark.parametrize(("text", "expected"), [("１０００", "1000.00"), ("１０００．５０", "1000.50"),
                                                (" 1000 ", "1000.00")])
def test_full_width_digits_are_read_alike_by_every_parser(text, expected):
    assert case_amount(text, field="amount", maximum=CAP) == Decimal(expected)
    assert ledger.parse_amount(text) == Decimal(expected)
    assert _money({}, "budget", text) == Decimal(expected)
    assert _clean_amount({}, text) == Decimal(expected)


def test_full_width_minus_is_still_negative():
    with pytest.raises(DomainError, match="^金额必须大于零$"):
        ledger.parse_amount("－５")


@pytest.mark.usefixtures("demo_base")
@pytest.mark.parametrize(("field", "value", "message"), [
    ("budget", "0", "必须大于零"), ("budget", "-1", "必须大于零"),
    ("per_case_cap", "0", "必须大于零")])
def test_draft_project_without_a_budget_is_refused(client, api_token, field, value, message):
    body = {"title": "零预算项目", "categories": ["fire"], "towns": [], "budget": "20000",
            field: value}
    response = client.post("/api/v1/projects", json=body, headers=api_token("charity"))
    assert response.status_code == 400
    assert any(message in m for m in response.get_json()["errors"][field])


@pytest.mark.usefixtures("demo_base")
def test_full_width_budget_through_the_api_is_normalised(client, api_token):
    body = {"title": "全角预算项目", "categories": ["fire"], "towns": [], "budget": "２００００．５"}
    response = client.post("/api/v1/projects", json=body, headers=api_token("charity"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["budget"] == "20000.50"

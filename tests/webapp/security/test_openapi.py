"""The OpenAPI document is valid OpenAPI 3 and says what the API does."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from webapp.api.openapi import PROBLEM
from webapp.permissions import rule_of

# Numbers that are not money: scores of search and matching, a suggestion's capacity in its
# own unit (yuan or hours, an estimate for ranking).
NOT_MONEY = {("HitOut", "score"), ("ProposalOut", "score"), ("MatchRunOut", "objective"),
             ("MatchRunOut", "greedy_objective"), ("SuggestionOut", "score"),
             ("SuggestionOut", "amount_cap"), ("ExplanationTerm", "contribution"),
             ("FairnessOut", "median_covered"), ("FairnessOut", "median_covered_greedy"),
             ("FairnessOut", "share_proposed"), ("FairnessOut", "share_proposed_greedy")}


@pytest.fixture(scope="module")
def spec(_app):
    return _app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_document_is_valid_openapi_3(spec):
    validate(spec)


def test_document_lists_exactly_the_api_routes(spec, _app):
    routes = set()
    for rule in _app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api_") and \
                not rule.endpoint.startswith("api_docs"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert {(p, m) for p, m, _ in operations(spec)} == routes


def test_money_is_a_decimal_string(spec):
    schemas = spec["components"]["schemas"]
    for name, field in [("ProjectOut", "budget"), ("ProjectOut", "gap"), ("CaseOut",
                        "amount_needed"), ("MoneyTransferOut", "amount"), ("HitOut",
                        "amount_needed"), ("ProjectIn", "budget"), ("PledgeIn", "amount")]:
        prop = schemas[name]["properties"][field]
        assert prop["type"] == "string" and prop.get("format") == "decimal", (name, field)
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            if prop.get("type") == "number":
                assert (name, field) in NOT_MONEY, f"{name}.{field} is a number"
            for key in ("minimum", "maximum"):
                assert not isinstance(prop.get(key), str), f"{name}.{field} {key}"


def _integers(schema, components, where):
    if "$ref" in schema:
        yield from _integers(components[schema["$ref"].rsplit("/", 1)[1]], components, where)
        return
    if schema.get("type") in ("integer", "number"):
        yield where, schema
    for name, prop in schema.get("properties", {}).items():
        yield from _integers(prop, components, f"{where}.{name}")
    if "items" in schema:
        yield from _integers(schema["items"], components, f"{where}[]")


def test_every_numeric_input_is_bounded(spec):
    components = spec["components"]["schemas"]
    found = 0
    for path, method, operation in operations(spec):
        params = spec["paths"][path].get("parameters", []) + operation.get("parameters", [])
        inputs = [(f"{method} {path} {p['name']}", p["schema"]) for p in params]
        for media in operation.get("requestBody", {}).get("content", {}).values():
            inputs.append((f"{method} {path} body", media["schema"]))
        for where, schema in inputs:
            for name, number in _integers(schema, components, where):
                found += 1
                assert isinstance(number.get("minimum"), int), name
                assert isinstance(number.get("maximum"), int), name
    assert found > 40


def test_public_operations_need_no_token_and_others_do(spec, _app):
    public = {("/api/v1/projects/{item_id}", "get"), ("/api/v1/funds/{item_id}", "get"),
              ("/api/v1/offers/{item_id}", "get"), ("/api/v1/schemes/{item_id}", "get"),
              ("/api/v1/needs", "get"), ("/api/v1/search", "get"), ("/api/v1/tokens", "post")}
    seen = set()
    for path, method, operation in operations(spec):
        if {} in operation["security"]:
            seen.add((path, method))
        else:
            assert operation["security"] == [{"bearerAuth": []}], (path, method)
    assert public <= seen
    assert ("/api/v1/cases", "get") not in seen


def test_every_error_response_is_problem_json(spec):
    responses = spec["components"]["responses"]
    for path, method, operation in operations(spec):
        assert "default" in operation["responses"], (path, method)
        for status, response in operation["responses"].items():
            if status != "default" and int(status) < 400:
                continue
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[1]]
            assert list(response["content"]) == [PROBLEM], (path, method, status)


def test_every_documented_public_operation_is_public_in_the_app(spec, _app):
    by_path = {}
    for rule in _app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods:
            by_path[(path, method.lower())] = rule_of(_app.view_functions[rule.endpoint])
    for path, method, operation in operations(spec):
        assert ({} in operation["security"]) == by_path[(path, method)].public, (path, method)

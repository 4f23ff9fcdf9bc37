"""The OpenAPI document as the API really behaves: money as decimal strings, errors as
``application/problem+json``, and each operation's ``security`` taken from its access rule.

flask-smorest builds the document from the schemas; ``document`` completes it from the two
places that decide the rest at run time: errors.py (every error is problem+json) and the
``@access`` rule of each view (public operations need no token; a token is optional there).
"""
from __future__ import annotations

import copy
import re

from flask import Flask
from marshmallow import fields

from webapp.permissions import Rule, rule_of

BEARER: dict[str, list[str]] = {"bearerAuth": []}
PROBLEM = "application/problem+json"
# A decimal amount of yuan as the API writes it ("20000.00") and reads it ("20000", "0.5").
DECIMAL_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"
UNSIGNED_DECIMAL_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True,
                   "description": "field name -> messages"},
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([A-Za-z_][A-Za-z0-9_]*)>")


def decimal_as_string(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: a Decimal field is a string of digits, not a number.

    apispec would write a Range validator's bounds as strings ("1000000000000"), which is
    not valid OpenAPI; the bounds stay enforced by marshmallow and are stated in words."""
    if not isinstance(field, fields.Decimal):
        if ret.get("format") == "decimal" and "pattern" not in ret:  # ledger's Amount
            return {"pattern": UNSIGNED_DECIMAL_PATTERN}
        return {}
    bounds = [ret.pop(key) for key in ("minimum", "maximum") if key in ret]
    ret.pop("exclusiveMinimum", None)
    ret.pop("exclusiveMaximum", None)
    unsigned = bounds and float(bounds[0]) >= 0
    extra = {"type": "string", "format": "decimal",
             "pattern": UNSIGNED_DECIMAL_PATTERN if unsigned else DECIMAL_PATTERN}
    if len(bounds) == 2 and "description" not in ret:
        extra["description"] = f"{bounds[0]} to {bounds[1]}"
    return extra


def init(api) -> None:
    """Teach this app's apispec converter the Decimal rule (call after ``api.init_app``)."""
    api.ma_plugin.map_to_openapi_type(fields.Decimal, "string", "decimal")
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)


def _problem_content() -> dict:
    return {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _fix_error_response(response: dict) -> None:
    if "$ref" in response:
        return
    response["content"] = _problem_content()


def _operation_rules(app: Flask) -> dict[tuple[str, str], Rule | None]:
    rules: dict[tuple[str, str], Rule | None] = {}
    for url_rule in app.url_map.iter_rules():
        if not url_rule.rule.startswith(app.config["OPENAPI_URL_PREFIX"]):
            continue
        path = _CONVERTER.sub(r"{\1}", url_rule.rule)
        rule = rule_of(app.view_functions[url_rule.endpoint])
        for method in (url_rule.methods or set()) - {"HEAD", "OPTIONS"}:
            rules[(path, method.lower())] = rule
    return rules


def document(app: Flask, spec: dict) -> dict:
    """Return a completed copy of flask-smorest's ``spec`` dict for ``app``."""
    spec = copy.deepcopy(spec)
    components = spec.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["schemas"].pop("Error", None)
    for response in components.get("responses", {}).values():
        response["content"] = _problem_content()
    rules = _operation_rules(app)
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation.get("responses", {}).items():
                if status == "default" or int(status) >= 400:
                    _fix_error_response(response)
                if status == "429" and "$ref" not in response:
                    response["headers"] = {"Retry-After": {
                        "description": "seconds to wait", "schema": {"type": "integer"}}}
            rule = rules.get((path, method))
            if rule is not None and rule.public:
                # Everyone may call it; a token, when sent, may show more (mine=true).
                operation["security"] = [{}, BEARER]
            elif rule is not None:
                operation["security"] = [BEARER]
    return spec

"""Refuse input no view should see: oversized or too deeply nested JSON, NUL bytes and lone
surrogates in any text, over-long header values, ids beyond the database. (The request line
is bounded by gunicorn, whose refusal webapp/gunicorn_worker.py words as problem+json.)

Runs before every request (see ``init``), so each view gets text the database can store and
numbers it can compare. Refusals are ``BadRequest``-style HTTP errors that errors.py renders as
problem+json under /api/ and as the error page elsewhere.
"""
from __future__ import annotations

import json
import re

from flask import Flask, request
from werkzeug.exceptions import (
    BadRequest,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
)
from werkzeug.routing import IntegerConverter

# The largest id a 32-bit INTEGER primary key holds on PostgreSQL; SQLite's is larger.
MAX_ID = 2**31 - 1
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_HEADER_BYTES = 8190

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: 0 to MAX_ID, so a larger number is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bad_text(value: str) -> bool:
    """True if ``value`` holds a NUL byte or a lone UTF-16 surrogate (no database stores it)."""
    return _BAD_CHAR.search(value) is not None


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text`` (strings are skipped)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _bad_path(value, path: str = "") -> str | None:
    """The JSON path of the first text (key or value) that ``bad_text`` refuses, if any."""
    if isinstance(value, str):
        return path or "$" if bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if bad_text(key):
                return "$"
            found = _bad_path(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _bad_path(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _check_json() -> None:
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"JSON 请求体不能超过 {MAX_JSON_BYTES // 1024} KB")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"JSON 请求体不能超过 {MAX_JSON_BYTES // 1024} KB")
    if not raw.strip():
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("请求体不是有效的 UTF-8 文本") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise BadRequest(f"JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest("请求体不是有效的 JSON") from None
    where = _bad_path(data)
    if where:
        raise BadRequest(f"字段 {where} 含有不允许的字符（空字符或不成对的代理字符）")


def check_request() -> None:
    """Refuse the request before any view runs if its input cannot be handled safely."""
    for name, value in request.headers.items():
        if len(value) > MAX_HEADER_BYTES:
            raise RequestHeaderFieldsTooLarge(f"请求头 {name} 过长")
    if bad_text(request.path):
        raise BadRequest("地址含有不允许的字符")
    for key, value in request.args.items(multi=True):
        if bad_text(key) or bad_text(value):
            raise BadRequest(f"参数 {key!r} 含有不允许的字符" if not bad_text(key)
                             else "参数名含有不允许的字符")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        _check_json()
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if bad_text(key) or bad_text(value):
                raise BadRequest("表单字段含有不允许的字符")


def init(app: Flask) -> None:
    """Register the bounded ``int`` converter (before any route) and the request check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

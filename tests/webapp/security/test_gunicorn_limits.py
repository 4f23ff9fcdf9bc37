"""What gunicorn refuses before the app (oversized request line or header) is problem+json."""
from __future__ import annotations

import json

import pytest

from tests.webapp.security.conftest import Gunicorn


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("gunicorn_data")
    running = Gunicorn({"JIUJINAN_DATA_DIR": str(data),
                        "DATABASE_URL": f"sqlite:///{data / 'empty.db'}"}, threads=2)
    yield running
    running.stop()


def parse(response: bytes) -> tuple[int, dict, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_request_line_over_gunicorns_limit_is_400_problem(server):
    status, headers, body = parse(server.raw(
        b"GET /api/v1/needs?q=" + b"x" * 10000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"))
    assert status == 400 and headers["content-type"] == "application/problem+json"
    assert body["status"] == 400 and body["detail"]


def test_header_over_gunicorns_limit_is_431_problem(server):
    status, headers, body = parse(server.raw(
        b"GET /api/v1/needs HTTP/1.1\r\nHost: localhost\r\nIdempotency-Key: "
        + b"k" * 20000 + b"\r\n\r\n"))
    assert status == 431 and headers["content-type"] == "application/problem+json"
    assert body["status"] == 431


def test_long_header_under_gunicorns_limit_reaches_the_app(server):
    status, headers, body = parse(server.raw(
        b"POST /api/v1/money-transfers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        b"Content-Length: 0\r\nIdempotency-Key: " + b"k" * 10000 + b"\r\n\r\n"))
    assert status == 431 and headers["content-type"] == "application/problem+json"
    assert body["detail"] == "请求头 Idempotency-Key 过长"

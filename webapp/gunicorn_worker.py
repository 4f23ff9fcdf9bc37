"""A gunicorn worker whose own refusals (request line or header too large, malformed HTTP)
are ``application/problem+json`` like every error of the app, instead of gunicorn's HTML page.

gunicorn answers these before the app sees the request; it writes the page through
``util.write_error`` on the client socket. The worker hands gunicorn a thin wrapper of that
socket which turns the page it writes into an RFC 9457 problem body with the same status.
Set by gunicorn.conf.py (``worker_class``); gthread, as gunicorn picks for ``--threads > 1``.
"""
from __future__ import annotations

import json

from gunicorn.workers.gthread import ThreadWorker

DETAILS = {
    400: "请求格式无效或请求行过长",
    403: "请求被拒绝",
    431: "请求头过大",
    500: "服务器内部错误，我们已记录此问题",
    501: "不支持此传输编码",
}


def problem_bytes(status: int, reason: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem+json body."""
    body = json.dumps({"type": "about:blank", "title": reason, "status": status,
                       "detail": DETAILS.get(status, reason)}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class _ProblemSocket:
    """The client socket, except that gunicorn's error page is rewritten as problem+json."""

    def __init__(self, sock):
        self._sock = sock

    def sendall(self, data: bytes) -> None:
        status_line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) == 3 and parts[0].startswith("HTTP/") and parts[1].isdigit():
            data = problem_bytes(int(parts[1]), parts[2])
        self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


class ProblemJsonWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _ProblemSocket(client), addr, exc)

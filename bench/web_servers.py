"""The servers the web bench measures: a data dir, gunicorn with the production settings, and
the logins and ids the loaded pages need (plain ``http.client``, 127.0.0.1 only)."""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.web_pages import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Context:
    """What the loaded pages need: ids from the demo and credentials."""

    ids: dict[str, int] = field(default_factory=dict)
    officer_cookie: str = ""
    donor_token: str = ""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def app_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "ELASTICSEARCH"))}
    env.update(JIUJINAN_DATA_DIR=str(data_dir), DATABASE_URL=database_url, FLASK_APP="wsgi",
               JIUJINAN_ENV="production", PYTHONPATH=str(ROOT))
    return env


def prepare_data(env: dict[str, str], scale: int = 0) -> None:
    steps = [["db", "upgrade"], ["demo", "load"], ["derived", "rebuild"]]
    if scale < 0:
        steps = [["db", "upgrade"]]
    elif scale:  # the demo, then a county's ten years in bulk (it rebuilds the index itself)
        steps = [["db", "upgrade"], ["demo", "scale", "--cases", str(scale)]]
    for step in steps:
        started = time.perf_counter()
        log(f"  flask {' '.join(step)} …")
        subprocess.run([str(BIN / "flask"), *step], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        log(f"  flask {' '.join(step)} done in {time.perf_counter() - started:.1f} s")


def reset_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def start_gunicorn(target: str, port: int, env: dict[str, str], workers: int,
                   threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--error-logfile", "-", target],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{target} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            status, _, _ = request("127.0.0.1", port, "GET", "/")
            if status < 500:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{target} did not answer on port {port} within 300 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def request(host: str, port: int, method: str, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30
            ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        merged: dict[str, str] = {}
        for key, value in resp.getheaders():
            merged[key.lower()] = f"{merged[key.lower()]}\n{value}" if key.lower() in merged \
                else value
        return resp.status, merged, data
    finally:
        conn.close()


def login_cookie(port: int, username: str) -> str:
    """Log in through the real form and return the session cookie for ``ab -C``."""
    status, headers, html = request("127.0.0.1", port, "GET", "/auth/login")
    cookie = _session_cookie(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
    if status != 200 or token is None:
        raise RuntimeError("no login form with a CSRF token at /auth/login")
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrf_token": token.group(1).decode()}).encode()
    status, headers, _ = request("127.0.0.1", port, "POST", "/auth/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    cookie = _session_cookie(headers) or cookie
    if status not in (302, 303):
        raise RuntimeError(f"login as {username} answered {status}")
    return cookie


def _session_cookie(headers: dict[str, str]) -> str:
    for line in headers.get("set-cookie", "").split("\n"):
        name_value = line.split(";", 1)[0].strip()
        if name_value.startswith("jiujinan_session="):
            return name_value
    return ""


def api_token(port: int, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, _, data = request("127.0.0.1", port, "POST", "/api/v1/tokens", body=body,
                              headers={"Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError(f"token for {username}: {status} {data[:200]!r}")
    return json.loads(data)["token"]


def demo_ids(port: int, cookie: str) -> dict[str, int]:
    """The first published need and the first case on the officer's list."""
    _, _, data = request("127.0.0.1", port, "GET", "/api/v1/needs?per_page=1")
    need_id = json.loads(data)["items"][0]["id"]
    _, _, html = request("127.0.0.1", port, "GET", "/cases/", headers={"Cookie": cookie})
    case = re.search(rb'href="/cases/(\d+)"', html)
    if case is None:
        raise RuntimeError("no case link on the officer's case list")
    return {"need_id": need_id, "case_id": int(case.group(1))}



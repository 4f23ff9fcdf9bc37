"""Access log lines record the path, never the query string (what was typed into search).

Each test drives a request with ``?q=张三`` through a real logging path: werkzeug's development
server answering an HTTP request, and gunicorn's ``Logger.access`` writing its access log file
with the settings of ``gunicorn.conf.py``.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from gunicorn.app.base import Application
from gunicorn.glogging import Logger, SafeAtoms
from werkzeug.serving import make_server

NAME = "张三"
QUOTED = quote(NAME)  # %E5%BC%A0%E4%B8%89
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
GUNICORN_DEFAULT_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def assert_no_query(line: str) -> None:
    for leaked in (NAME, QUOTED, QUOTED.lower(), "q=", "?"):
        assert leaked not in line, line


def test_werkzeug_request_log_has_path_without_query(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.port}/search?q={QUOTED}&kind=need"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            response.read()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    requests = [line for line in lines if '"GET /search' in line]
    assert len(requests) == 1, lines
    assert '"GET /search HTTP/1.1" 200' in requests[0]
    for line in lines:
        assert_no_query(line)


class _ConfigOnly(Application):
    """Gunicorn's own loading of ``gunicorn.conf.py``, without serving anything."""

    def __init__(self, access_log: Path, error_log: Path):
        self._logs = access_log, error_log
        super().__init__()

    def load_config(self):
        self.load_config_from_file(str(GUNICORN_CONF))
        self.cfg.set("accesslog", str(self._logs[0]))
        self.cfg.set("errorlog", str(self._logs[1]))

    def load(self):
        raise AssertionError("not serving")


@pytest.fixture
def gunicorn_logger(tmp_path):
    """A gunicorn Logger configured from gunicorn.conf.py, writing its access log to a file."""
    access_log = tmp_path / "access.log"
    cfg = _ConfigOnly(access_log, tmp_path / "error.log").cfg
    logger = Logger(cfg)
    yield logger, access_log
    for log in (logger.access_log, logger.error_log):
        for handler in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
            log.removeHandler(handler)
            handler.close()


def _search_request():
    """What gunicorn hands ``Logger.access``: a search from a page that was itself a search."""
    referer = f"http://127.0.0.1:5000/search?q={QUOTED}"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/search?q={QUOTED}&kind=need",
               "PATH_INFO": "/search", "QUERY_STRING": f"q={QUOTED}&kind=need",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": referer, "HTTP_USER_AGENT": "Mozilla/5.0"}
    request = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "Mozilla/5.0")])
    response = SimpleNamespace(status="200 OK", sent=512,
                               headers=[("Content-Type", "text/html; charset=utf-8")])
    return response, request, environ, dt.timedelta(milliseconds=12)


def test_gunicorn_conf_access_format_leaves_out_query_and_referer(gunicorn_logger):
    logger, _access_log = gunicorn_logger
    atoms = SafeAtoms(logger.atoms(*_search_request()))
    line = logger.cfg.access_log_format % atoms
    assert '"GET /search HTTP/1.1" 200 512 "-" "Mozilla/5.0"' in line
    assert_no_query(line)


def test_gunicorn_access_log_file_has_path_without_query(app, gunicorn_logger):
    logger, access_log = gunicorn_logger
    logger.access(*_search_request())
    lines = access_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"GET /search HTTP/1.1" 200' in lines[0]
    assert_no_query(lines[0])


def test_gunicorn_default_format_is_stripped_by_the_app_log_filter(app, gunicorn_logger):
    """An operator's own --access-logformat with %(r)s and %(f)s still logs no query."""
    logger, access_log = gunicorn_logger
    logger.cfg.set("access_log_format", GUNICORN_DEFAULT_FORMAT)
    logger.access(*_search_request())
    lines = access_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert '"GET /search HTTP/1.1" 200 512 "http://127.0.0.1:5000/search"' in lines[0]
    assert_no_query(lines[0])

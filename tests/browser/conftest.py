"""A live server and headless Chromium (Debian's /usr/bin/chromium) for user journeys."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# What a page looks like does not depend on the database under it: JOURNEY_PRESENTATION=0
# skips the presentation checks (axe-core, and the screenshots a person looks at) for a quick
# run of the journeys' functional assertions against another database. `make test` runs the
# journeys, with those checks, in its SQLite run (see the Makefile).
PRESENTATION = os.environ.get("JOURNEY_PRESENTATION", "1") != "0"
SCREENSHOTS = PRESENTATION
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    # As gunicorn's post_worker_init does: jieba's tagger (seconds of CPU, once per process)
    # is loaded before the first page, not inside a journey's click timeout.
    from webapp.privacy.detection.tagging import warm_up
    warm_up()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(pg, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if SCREENSHOTS:
            pg.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, base: str, username: str, password: str = "jiujinan-demo") -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


@pytest.fixture
def journey(browser, live_server):
    """Start a clicking journey at a width: ``journey("donor", PHONE)``."""
    from tests.browser.journey import DESKTOP, Journey
    started: list[Journey] = []

    def start(name: str, viewport: dict = DESKTOP) -> Journey:
        started.append(Journey(browser, live_server, viewport, name))
        return started[-1]

    yield start
    for j in started:
        j.context.close()

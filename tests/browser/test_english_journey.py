"""English, chosen through the real language menu, on each role's main pages: what a person
reads there is English except what people typed in.

What counts as typed in (and is taken out of the page's text before the check) is defined
by tests/webapp/screens/test_no_codes_on_screen.py: every Chinese string stored in a text
column of the database, except the columns the system writes itself (a need's generated
title, household and age band, inbox messages), which must read in English; a masked name
(王**), a redaction placeholder (【手机号】), and the menu's 简体中文. Text inside an element
marked ``lang="zh…"`` is Chinese by declaration and passed over. Read are the page's text
and the attributes a person hears (title, placeholder, aria-label, alt). One width
(desktop); axe-core and screenshots as in the other journeys (``JOURNEY_PRESENTATION``)."""
import re

import pytest

from tests.browser.journey import DESKTOP
from tests.webapp.screens.test_no_codes_on_screen import ENDONYMS, HAN, MASKED, _stored_text
from webapp.privacy.detection.spans import PLACEHOLDERS

pytestmark = pytest.mark.browser
QUERY = "急需"  # a word of every generated title: a search that finds them

_READ = """() => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll('[lang^="zh"], script, style, template').forEach(e => e.remove());
  const snippets = [...root.querySelectorAll('.search-snippet')].map(e => { e.remove(); return e.textContent; });
  const names = ['title', 'placeholder', 'aria-label', 'alt'];
  const heard = [...root.querySelectorAll('*')].flatMap(e => names.map(n => e.getAttribute(n) || ''));
  return {text: [document.title, root.textContent, ...heard].join('\\n'), snippets};
}"""
#: A search snippet is a window cut out of the indexed text: typed text in it may start or end
#: mid-sentence, and two fields may meet in it, so its Chinese is read piece by piece.
PIECES = re.compile(r"[。，；、：！？\u3000\s]+")


@pytest.fixture
def demo(db, monkeypatch):
    """The demo loaders with 6 cases instead of 300: every kind of record, quickly."""
    from webapp.demo import cases, load_demo
    monkeypatch.setattr(cases, "CASES", 6)
    load_demo(db.session, seed=7)
    db.session.commit()


def _to_english(j) -> None:
    """Choose English in the language menu, as a person does."""
    j.open_menu()
    j.page.locator("#mainnav").get_by_role("button", name="语言").or_(
        j.page.locator("#mainnav").get_by_role("link", name="语言")).first.click()
    j.click(j.page.get_by_role("link", name="English", exact=True))
    assert j.page.locator("html").get_attribute("lang") == "en"


def _start(journey, role: str):
    """Log in through the visible form, then choose English on the dashboard it opens."""
    j = journey(f"english-{role}", DESKTOP)
    j.page.goto(j.base + "/auth/login")
    j.seen("login", shots=False)
    j.type("用户名", role)
    j.type("密码", "jiujinan-demo")
    j.click(j.page.locator("#login-form").get_by_role("button"))
    _to_english(j)
    return j


def _without_typed(text: str, stored: list[str]) -> list[str]:
    for own in (*stored, *ENDONYMS, *PLACEHOLDERS.values()):
        if own in text:
            text = text.replace(own, " ")
    return HAN.findall(MASKED.sub(" ", text))


def _chinese_left(j, stored: list[str]) -> list[str]:
    read = j.page.evaluate(_READ)
    left = set(_without_typed(read["text"], stored))
    for snippet in read["snippets"]:
        for run in _without_typed(snippet, stored):
            if not all(any(piece in own for own in stored)
                       for piece in PIECES.split(run) if HAN.search(piece)):
                left.add(run)
    return sorted(left)


def _visit(j, found: dict, stored: list[str], step: str, path: str | None = None) -> None:
    if path is not None:
        j.page.goto(j.base + path)
    j.seen(step, shots=False)
    left = _chinese_left(j, stored)
    if left:
        found[f"{j.name} {step} {re.sub(r'^https?://[^/]+', '', j.page.url)}"] = left[:8]


def test_each_role_reads_english(journey, demo, db, drain):
    drain()  # the demo's needs in this test's own index now, not whenever the worker gets to it
    stored = _stored_text(db)
    db.session.rollback()  # no read transaction left open while the server writes
    found: dict[str, list[str]] = {}

    j = _start(journey, "donor")
    _visit(j, found, stored, "dashboard")
    _visit(j, found, stored, "home", "/")
    _visit(j, found, stored, "needs", "/needs")
    j.click(j.page.locator("main .card-title a").first)
    _visit(j, found, stored, "need")
    _visit(j, found, [*stored, QUERY], "search", "/search?q=" + QUERY)  # the query is typed
    assert j.page.locator("#search-hits .search-hit[data-kind=need]").count() > 0
    _visit(j, found, stored, "my-pledges", "/my/pledges")
    j.finish()

    j = _start(journey, "officer")
    _visit(j, found, stored, "dashboard")
    _visit(j, found, stored, "cases", "/cases/")
    j.click(j.page.locator("main table a[href*='/cases/']").first)
    _visit(j, found, stored, "case")
    _visit(j, found, stored, "supervision", "/cases/supervision")
    _visit(j, found, stored, "statistics", "/statistics/")
    j.finish()

    j = _start(journey, "charity")
    _visit(j, found, stored, "dashboard")
    _visit(j, found, stored, "assignments", "/matching/assignments")
    j.finish()

    j = _start(journey, "dept")
    _visit(j, found, stored, "dashboard")
    _visit(j, found, stored, "transfers", "/cases/transfers")
    _visit(j, found, stored, "inbox", "/cases/notifications")
    j.finish()

    assert found == {}

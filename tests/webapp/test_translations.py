"""The English catalog: complete, placeholders intact, and the English UI really is English.

The catalog is built with ``pybabel extract -F babel.cfg -k _l -k lazy_gettext`` and
``pybabel update -l en --no-fuzzy-matching``; labels the code translates at run time from
label tables (``_(label)``) reach it through ``webapp/translations/dynamic_msgids.py``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# %(name)s / %s / %d / %% style, and str.format {name} / {0} / {} style
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%[sdifr%]"
    r"|\{[A-Za-z_0-9.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")
HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="en" if path == PO else None)


def _entries(catalog):
    return [m for m in catalog if m.id]


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture(scope="module")
def catalog():
    return _read(PO)


def test_every_msgid_is_translated_and_none_is_fuzzy(catalog):
    entries = _entries(catalog)
    assert len(entries) > 500, "the English catalog looks truncated"
    untranslated = [m.id for m in entries if not all(s.strip() for s in _strings(m.string))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    plurals = [m for m in entries if m.pluralizable]
    assert all(len(_strings(m.string)) == catalog.num_plurals for m in plurals)


def test_catalog_is_up_to_date_with_the_template(catalog):
    """Every msgid of messages.pot is in the English catalog (pybabel update was run)."""
    missing = sorted({m.id if isinstance(m.id, str) else m.id[0] for m in _entries(_read(POT))}
                     - {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(catalog)})
    assert missing == []


def test_no_obsolete_entries_left(catalog):
    assert list(catalog.obsolete) == []


def test_placeholders_and_html_tags_match(catalog):
    mismatched = []
    for m in _entries(catalog):
        ids = _strings(m.id)
        for i, translation in enumerate(_strings(m.string)):
            source = ids[min(i, len(ids) - 1)]
            if (sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation))
                    or sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translation))):
                mismatched.append((source, translation))
    assert mismatched == []


def test_translations_are_english(catalog):
    assert [m.id for m in _entries(catalog)
            if any(HAN.search(s) for s in _strings(m.string))] == []


# --------------------------------------------------------------------------- rendered pages
@pytest.fixture
def english(app):
    """Make sure the compiled catalog matches the .po (``make translations`` does the same)."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with MO.open("wb") as fh:
            write_mo(fh, _read(PO))
    from flask_babel import get_domain
    get_domain().cache.clear()  # a catalog loaded before the compile would be stale
    return app


def _nav(html: str) -> str:
    match = re.search(r"<nav\b.*?</nav>", html, re.DOTALL)
    assert match, "no <nav> on the page"
    return match.group(0)


def test_login_page_in_english(english, client):
    client.get("/lang/en?next=/auth/login")
    html = client.get("/auth/login").get_data(as_text=True)
    assert "Log in" in html
    assert '<html lang="en">' in html
    # the language menu keeps the endonym 简体中文; nothing else in the bar is Chinese
    assert HAN.findall(_nav(html).replace("简体中文", "")) == []


@pytest.mark.parametrize("username", ["admin", "officer", "intake", "dept", "charity",
                                      "fundmgr", "volunteer", "donor", "auditor"])
def test_dashboard_in_english(english, client, auth, demo_base, username):
    display_name, org_name = next((d, o) for u, d, o, _ in demo_base.DEMO_USERS if u == username)
    client.get("/lang/en")
    auth.login(username)
    client.get("/lang/en")
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    nav = _nav(html)
    assert "Dashboard" in nav and "Log out" in nav and "Language" in nav
    main = re.search(r"<main\b.*?</main>", html, re.DOTALL).group(0)
    # Data stays as entered (the user's own name and organisation), and the language menu
    # names Chinese in Chinese; every label of the navigation bar and the tiles is English.
    for own_text in ("简体中文", display_name, org_name):
        nav, main = nav.replace(own_text, ""), main.replace(own_text, "")
    assert HAN.findall(nav) == []
    assert HAN.findall(main) == []


def test_officer_sees_english_case_labels(english, client, auth, demo_base):
    client.get("/lang/en")
    auth.login("officer")
    client.get("/lang/en")
    html = client.get("/dashboard").get_data(as_text=True)
    for label in ("Cases", "Supervision", "Joint conferences", "Pending approval",
                  "Overdue cases", "Civil Affairs officer"):
        assert label in html

"""Navigation by role: few entries stay flat, many are gathered into menus."""
import re

from webapp.templating import nav_for


def _nav(client) -> str:
    html = client.get("/dashboard").get_data(as_text=True)
    return re.search(r"<nav.*?</nav>", html, re.DOTALL).group(0)


def test_nav_officer_entries_are_grouped_into_menus(client, auth, demo_base):
    auth.login("officer")
    nav = _nav(client)
    assert "个案办理" in nav and 'class="dropdown-item' in nav
    assert nav.index("个案办理") < nav.index("系统管理")


def test_nav_donor_entries_stay_flat(client, auth, demo_base):
    auth.login("donor")
    nav = _nav(client)
    assert "个案办理" not in nav and "公开信息" not in nav
    assert "我的捐助" in nav


def test_nav_every_entry_is_listed_once(app, db, demo_base):
    from sqlalchemy import select

    from webapp.models import User
    officer = db.session.scalars(select(User).where(User.username == "officer")).one()
    endpoints = []
    for entry in nav_for(officer):
        endpoints += [e for e, _ in entry.children] if entry.children else [entry.endpoint]
    assert len(endpoints) == len(set(endpoints))
    assert "cases.index" in endpoints and "matching.proposals" in endpoints

import pytest


@pytest.fixture
def small_demo(db, monkeypatch):
    """The demo loaders with 40 cases instead of 300: every kind of record, quickly."""
    from webapp.demo import cases, load_demo
    monkeypatch.setattr(cases, "CASES", 40)
    load_demo(db.session, seed=7)
    db.session.commit()

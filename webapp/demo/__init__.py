"""Deterministic demo data for Gaotang County. All people are synthetic.

Each area contributes a loader ``load(session, rng, echo) -> dict[str, int]`` listed in
``LOADERS``; loaders find existing rows by natural key so a second run adds nothing.
"""
from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy.orm import Session

from webapp.demo import base


def loaders() -> list[Callable]:
    """Area loaders in dependency order. Each area appends its loader here."""
    # Imported when the demo is loaded, like the registries of webapp/features.py.
    from webapp.demo import (
        cases,
        conferences,  # after cases: it records the demo meeting's attendance and minutes
        delivery,  # after matching: pairings are delivered, closed cases get outcomes
        doors,  # after cases: an appeal against a rejected demo case
        ledger,  # after resources and cases: it pays for them
        matching,  # after the ledger: approvals reserve money
        resources,  # after cases: pledges go to their published needs
        rules,  # after cases: supervision orders are about them
        window,  # after base: the towns' windows
    )
    return [base.load, cases.load, doors.load, resources.load, ledger.load, matching.load,
            rules.load, conferences.load, window.load, delivery.load]


def load_demo(session: Session, *, seed: int, echo: Callable[[str], None] = lambda s: None
              ) -> dict[str, int]:
    summary: dict[str, int] = {}
    for loader in loaders():
        rng = random.Random(f"{seed}:{loader.__module__}")  # noqa: S311  (reproducible demo data)
        echo(f"loading {loader.__module__.rsplit('.', 1)[-1]} …")
        for key, value in loader(session, rng, echo).items():
            summary[key] = summary.get(key, 0) + value
        session.flush()
    # The demo backdates what it walks through the services: count its timing records from
    # the rows as they ended up.
    from webapp.services.statistics import timings
    timings.rebuild(session)
    return summary

"""The one registry of the page blueprints, CLI groups and derived-store rebuilders, in
registration order. Each area adds its own line here (API blueprints: webapp/api).

Each area is imported inside the function that lists it, when an app is built: importing this
registry loads no area, and the areas' CLI modules that read it (webapp.cli,
webapp.backup.cli) import it without a cycle."""
from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    found: list[Blueprint] = []
    from webapp.main import bp as main_bp
    found.append(main_bp)
    from webapp.auth import bp as auth_bp
    found.append(auth_bp)
    from webapp.admin import bp as admin_bp
    found.append(admin_bp)
    from webapp.portal import bp as portal_bp
    from webapp.public import bp as public_bp
    found += [public_bp, portal_bp]
    from webapp.cases import bp as cases_bp
    found.append(cases_bp)
    from webapp.ledger import bp as ledger_bp
    found.append(ledger_bp)
    from webapp.search import bp as search_bp
    found.append(search_bp)
    from webapp.matching import bp as matching_bp
    found.append(matching_bp)
    from webapp.needs_review import bp as needs_review_bp
    found.append(needs_review_bp)
    from webapp.ops import bp as ops_bp
    found.append(ops_bp)
    from webapp.person_data import bp as person_data_bp
    found.append(person_data_bp)
    from webapp.rules import bp as rules_bp
    found.append(rules_bp)
    from webapp.statistics import bp as statistics_bp
    found.append(statistics_bp)
    from webapp.doors import bp as doors_bp
    found.append(doors_bp)
    from webapp.window import bp as window_bp
    found.append(window_bp)
    return found


def cli_groups() -> list:
    """CLI command groups of the feature areas."""
    found: list = []
    from webapp.cases.cli import deadlines_cli
    found.append(deadlines_cli)
    from webapp.rules.cli import rules_cli
    found.append(rules_cli)
    from webapp.ledger.cli import ledger_cli
    found.append(ledger_cli)
    from webapp.search.cli import search_cli
    found.append(search_cli)
    from webapp.matching.cli import matching_cli
    found.append(matching_cli)
    from webapp.backup.cli import backup_cli
    from webapp.ops.cli import keys_cli
    from webapp.ops.privacy_cli import person_cli, retention_cli
    found += [backup_cli, keys_cli, retention_cli, person_cli]
    from webapp.doors.cli import messages_cli
    found.append(messages_cli)
    return found


def derived_rebuilders() -> list:
    """(name, callable(echo)) pairs that rebuild derived stores from the database."""
    found: list = []
    from webapp.search.cli import rebuild as rebuild_search_index
    found.append(("search index", rebuild_search_index))

    def rebuild_timings(echo) -> None:
        from webapp.extensions import db
        from webapp.services.statistics import timings
        timings.rebuild(db.session, echo=echo)

    found.append(("timing records (statistics)", rebuild_timings))
    return found

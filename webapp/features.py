"""The feature-area blueprints, in registration order. Each area adds its own line here."""
from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    found: list[Blueprint] = []
    return found


def cli_groups() -> list:
    """CLI command groups of the feature areas."""
    found: list = []
    return found


def derived_rebuilders() -> list:
    """(name, callable(echo)) pairs that rebuild derived stores from the database."""
    found: list = []
    return found

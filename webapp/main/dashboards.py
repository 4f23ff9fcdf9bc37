"""Per-role dashboard panels. Feature areas register panel providers here."""
from __future__ import annotations

from collections.abc import Callable

from webapp.models import Role

# Each provider takes the user and returns a list of (title, value, link-or-None) tiles.
PANEL_PROVIDERS: list[tuple[frozenset[Role], Callable]] = []


def register(roles: frozenset[Role], provider: Callable) -> None:
    PANEL_PROVIDERS.append((roles, provider))


def panels_for(user) -> list[tuple[str, object, str | None]]:
    tiles = []
    for roles, provider in PANEL_PROVIDERS:
        if user.roles & roles:
            tiles.extend(provider(user))
    return tiles

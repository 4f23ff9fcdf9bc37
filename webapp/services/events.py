"""In-transaction domain events: one area announces a change, others react in the same
transaction (the search outbox, the ledger's green-channel postings, notifications).

Handlers run synchronously inside the caller's unit of work, so what they write commits or
rolls back together with the change that caused it. Handlers flush, never commit.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy.orm import Session

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Decorator: call the function with ``(session, **payload)`` whenever ``name`` is published."""

    def register(fn: Handler) -> Handler:
        if fn not in _handlers[name]:
            _handlers[name].append(fn)
        return fn

    return register


def publish(session: Session, name: str, **payload) -> None:
    """Announce ``name``; handlers of the exact name and of its prefix (``case.*``) run now."""
    prefix = name.split(".", 1)[0] + ".*"
    for fn in (*_handlers.get(name, ()), *_handlers.get(prefix, ())):
        fn(session, name=name, **payload)


def handlers(name: str) -> list[Handler]:
    return list(_handlers.get(name, ()))

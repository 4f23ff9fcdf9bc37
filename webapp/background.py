"""Work that runs after a commit, outside the request: in-process threads on one machine,
or ``flask jobs work --follow`` / ``flask search sync --follow`` workers on several.

A service marks its session with ``request_kick(session, name)``; when that session commits,
the in-process worker called ``name`` wakes up and drains its queue in its own app context.
Nothing is lost if no worker runs: the queues are database tables that a worker drains later.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KICK = "background_kick"


def request_kick(session: Session, name: str) -> None:
    """Ask for worker ``name`` to run once this session's transaction commits."""
    session.info.setdefault(_KICK, set()).add(name)


class InProcessWorker:
    """A daemon thread that runs ``drain()`` in an app context each time it is kicked."""

    def __init__(self, app: Flask, name: str, drain: Callable[[], object]):
        self.app, self.name, self.drain = app, name, drain
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._busy = threading.Lock()  # held while draining, and by pause()

    def kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=f"bg-{self.name}",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def pause(self) -> None:
        """Wait for a drain under way to end and drop a wake-up not yet acted on; the worker
        drains again at its next kick. For a test that drains the queue itself."""
        with self._busy:
            self._wake.clear()

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            with self._busy:
                if not self._wake.is_set():
                    continue  # paused after the wake-up
                self._wake.clear()
                try:
                    with self.app.app_context():
                        self.drain()
                except Exception:  # a worker must survive one bad batch; the queue keeps it
                    log.exception("background worker %s failed; work stays queued", self.name)


def register_worker(app: Flask, name: str, drain: Callable[[], object]) -> None:
    app.extensions.setdefault("background_workers", {})[name] = InProcessWorker(app, name, drain)


_installed = False


def init(app: Flask) -> None:
    """Install (once per process) the session hooks that wake workers after a commit."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        names = session.info.pop(_KICK, None)
        if not names:
            return
        try:
            workers = current_app.extensions.get("background_workers", {})
        except RuntimeError:
            return
        for name in names:
            worker = workers.get(name)
            if worker is not None:
                worker.kick()

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session):
        session.info.pop(_KICK, None)

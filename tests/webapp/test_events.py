"""The domain-event catalogue: every event declared there is published by the application,
every subscribed event is published, and every published event is declared."""
import ast
import inspect
from dataclasses import dataclass
from pathlib import Path

from webapp.services import events

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path(events.__file__).resolve()


def _declared() -> dict[str, type[events.Event]]:
    return {name: cls for name, cls in inspect.getmembers(events, inspect.isclass)
            if issubclass(cls, events.Event) and cls.__module__ == events.__name__}


def _constructed_in_application_code() -> set[str]:
    """Names of the event classes the application builds (every one is handed to publish)."""
    names = set(_declared())
    found = set()
    for path in (ROOT / "webapp").rglob("*.py"):
        if path.resolve() == CATALOGUE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in names:
                    found.add(name)
    return found


def _published_strings() -> list[str]:
    """Old-style string events (``events.publish(session, "case.close", ...)``) left anywhere."""
    left = []
    for path in (ROOT / "webapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "publish" and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant)):
                left.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return left


def _published_types(constructed: set[str]) -> set[type[events.Event]]:
    """The published classes and every base class a subscriber may listen to."""
    declared = _declared()
    return {base for name in constructed for base in declared[name].__mro__
            if isinstance(base, type) and issubclass(base, events.Event)}


def test_every_published_event_is_declared_in_the_catalogue(app):
    assert _published_strings() == []
    assert _constructed_in_application_code() <= set(_declared())


def test_every_declared_event_is_published_somewhere(app):
    concrete = {name for name, cls in _declared().items()
                if not cls.__subclasses__() and cls is not events.Event}
    assert concrete - _constructed_in_application_code() == set()


def test_every_subscribed_event_is_published_somewhere(app):
    published = _published_types(_constructed_in_application_code())
    subscribed = {cls for cls in events._handlers if events.handlers(cls)}
    assert subscribed, "create_app registers the subscribers"
    assert subscribed - published == set()


def test_subscribers_run_in_the_documented_order(app):
    names = [f"{h.__module__.rsplit('.', 1)[-1]}.{h.__name__}"
             for h in events.handlers(events.CaseEnded)]
    assert names == ["green_channel.on_case_ended", "releases.on_case_ended",
                     "notifications.on_decision", "decisions.on_case_ended",
                     "needs.on_case_ended", "messages.on_case_ended"]
    # The timing record first, then the search outbox sees the case once all is done.
    assert [f"{h.__module__.rsplit('.', 1)[-1]}.{h.__name__}"
            for h in events.handlers(events.CaseChanged)] == ["timings.on_case_changed",
                                                              "sync.on_case_changed"]


def test_register_subscribers_twice_registers_each_once(app):
    before = {cls: events.handlers(cls) for cls in events._handlers}
    events.register_subscribers()
    assert {cls: events.handlers(cls) for cls in events._handlers} == before


@dataclass(frozen=True)
class _Base(events.Event):
    pass


@dataclass(frozen=True)
class _Child(_Base):
    pass


def test_base_class_subscribers_run_after_the_exact_class(app, db):
    order = []
    events.subscribe(_Base, lambda session, event: order.append("base"))
    events.subscribe(_Child, lambda session, event: order.append("exact"))
    try:
        events.publish(db.session, _Child())
        events.publish(db.session, _Base())
    finally:
        del events._handlers[_Base], events._handlers[_Child]
    assert order == ["exact", "base", "base"]

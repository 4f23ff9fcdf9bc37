"""Every message a domain error carries is a msgid with named placeholders, never text built
at run time, and every one has an English translation (checked on the source, by AST)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.webapp.test_translations import PO, _read
from webapp.translations.catalog import ERROR_KEYWORDS

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
BUILT = (ast.JoinedStr, ast.BinOp)  # f"…", "…" + x, "…" % x


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _built(node: ast.AST) -> bool:
    if isinstance(node, BUILT):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "join"))


def _error_messages(tree: ast.AST):
    """(node, what) for every message handed to a domain error: the first argument of the
    error classes and of ``Msg``, and each message of an ``errors`` mapping."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) in ERROR_KEYWORDS:
            if node.args:
                yield node.args[0], _name(node)
            for kw in node.keywords:
                if kw.arg == "errors" and isinstance(kw.value, ast.Dict):
                    for value in kw.value.values:
                        if isinstance(value, ast.List | ast.Tuple):
                            yield from ((e, "errors=") for e in value.elts)
        # errors["field"] = ["…"]
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == "errors"
                and isinstance(node.value, ast.List | ast.Tuple)):
            yield from ((e, "errors[…]") for e in node.value.elts)
        # errors.setdefault("field", []).append("…")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append" and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Attribute)
                and node.func.value.func.attr == "setdefault"
                and isinstance(node.func.value.func.value, ast.Name)
                and node.func.value.func.value.id == "errors" and node.args):
            yield node.args[0], "errors.setdefault"


@pytest.fixture(scope="module")
def messages():
    found = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node, what in _error_messages(ast.parse(path.read_text(encoding="utf-8"))):
            found.append((f"{rel}:{node.lineno}", what, node))
    assert len(found) > 200, "the scan found too few error messages: is it still looking?"
    return found


def test_no_error_message_is_built_at_run_time(messages):
    built = [f"{where} {what}: {ast.unparse(node)[:70]}" for where, what, node in messages
             if _built(node)]
    assert built == [], "use a msgid with %(name)s placeholders:\n" + "\n".join(built)


def test_every_chinese_error_message_has_english(messages):
    english = {m.id: m.string for m in _read(PO) if m.id}
    missing = sorted({f"{where}: {node.value}" for where, _what, node in messages
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and HAN.search(node.value) and not english.get(node.value)})
    assert missing == [], "run make translations-update and translate:\n" + "\n".join(missing)


def test_the_check_catches_what_it_forbids():
    source = ('raise DomainError(f"金额 {x}")\n'
              'raise ConflictError("个案 " + number)\n'
              'errors["amount"] = [f"超过 {y}"]\n'
              'errors.setdefault("x", []).append("、".join(z))\n'
              'raise DomainError("金额不能超过 %(maximum)s 元", maximum=m)\n')
    flagged = [_built(node) for node, _what in _error_messages(ast.parse(source))]
    assert flagged == [True, True, True, True, False]

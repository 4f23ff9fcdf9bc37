"""Architecture boundaries: the pure packages stay pure (import-linter contracts)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "matching": {"flask", "flask_login", "flask_sqlalchemy", "sqlalchemy", "webapp", "search"},
    "search": {"flask", "flask_login", "flask_sqlalchemy", "sqlalchemy", "webapp", "matching"},
    "webapp/privacy": {"flask", "flask_login", "flask_sqlalchemy", "flask_babel", "sqlalchemy"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_package_imports_nothing_forbidden(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        bad = set(_imports(path)) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_models_never_import_flask():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "webapp/models").rglob("*.py")
                 if {"flask", "flask_login"} & set(_imports(p))]
    assert offenders == []

"""The matching package stays pure: no web, database or search imports."""

import ast
import pathlib
import subprocess
import sys

import matching

FORBIDDEN = {"flask", "sqlalchemy", "webapp", "search", "flask_sqlalchemy"}
PACKAGE_DIR = pathlib.Path(matching.__file__).parent


def test_matching_sources_import_nothing_forbidden():
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_matching_import_loads_no_forbidden_module():
    code = (
        "import sys, matching.pipeline, matching.scoring, matching.allocation;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=PACKAGE_DIR.parent,
    )
    assert out.stdout.strip() == "[]"

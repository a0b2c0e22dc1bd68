"""The core never imports Qt or the window; the window runs no SQL (STYLE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_qt_or_ui() -> None:
    offenders = {
        str(p.relative_to(PROJECT)): sorted(_imports(p) & {"PySide6", "ui", "shiboken6"})
        for p in (PROJECT / "jiuye_desktop").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


_SQL = re.compile(
    r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b|\.execute\("
)


def test_window_runs_no_sql() -> None:
    offenders = [
        str(p.relative_to(PROJECT))
        for p in (PROJECT / "ui").rglob("*.py")
        if _SQL.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_layering_check_itself_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from PySide6.QtCore import Qt\n", encoding="utf-8")
    assert "PySide6" in _imports(bad)
    assert _SQL.search('conn.execute("SELECT id FROM records")')

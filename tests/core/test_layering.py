"""The core never imports Qt or the window; the window runs no SQL and never touches a
database connection: it asks the session (STYLE.md, one door)."""

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


#: A connection or the database object behind a session, reached from the window.
_CONNECTION = re.compile(
    r"\.conn\b|session\.db\b|\bsqlite3\b|\bstorage\.db\s+import\s+(?!StorageError\b)"
)


def test_the_session_module_runs_no_sql() -> None:
    assert not _SQL.search((PROJECT / "jiuye_desktop" / "service.py").read_text(encoding="utf-8"))


def test_window_never_touches_a_connection() -> None:
    offenders = {
        str(p.relative_to(PROJECT)): sorted({m.group(0) for m in _CONNECTION.finditer(text)})
        for p in (PROJECT / "ui").rglob("*.py")
        if (text := p.read_text(encoding="utf-8"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layering_check_itself_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from PySide6.QtCore import Qt\n", encoding="utf-8")
    assert "PySide6" in _imports(bad)
    assert _SQL.search('conn.execute("SELECT id FROM records")')
    for line in (
        "import sqlite3",
        "model = LedgerModel(state.session.db.conn)",
        "make_backup(session.db, 'manual')",
        "from jiuye_desktop.storage.db import connect",
    ):
        assert _CONNECTION.search(line), line
    assert _CONNECTION.search("self._session.db.path")
    assert not _CONNECTION.search("from jiuye_desktop.storage.db import StorageError")


def test_one_place_spells_out_the_fields() -> None:
    """The field table is ``domain.FIELDS``; no other module keeps a list of the fields (the
    demo's generator fills every field of a row, by header)."""
    from jiuye_desktop.domain import FIELDS

    headers = {f.header for f in FIELDS}
    lists = {}
    for p in [*(PROJECT / "jiuye_desktop").rglob("*.py"), *(PROJECT / "ui").rglob("*.py")]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        named = {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in headers
        }
        if len(named) > 3 * len(headers) // 5:  # a list of most fields, not a few uses
            lists[str(p.relative_to(PROJECT))] = len(named)
    assert lists == {"jiuye_desktop/domain.py": len(headers), "jiuye_desktop/demo.py": len(headers)}

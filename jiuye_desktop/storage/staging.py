"""Staging tables of an import: judged rows wait here, then one transaction copies them.

Each process that judges rows of a workbook writes them to a stage of its own:
the importing process to a table of its connection's ``temp`` schema, the
helper process to slot files (no journal: a lost slot is simply judged again
or thrown away). A stage holds the ``record_row`` values keyed by the Excel
row number, and the findings of each row.

``copy_to_ledger`` then inserts the staged rows into ``records`` in workbook
order inside the caller's transaction. Copying inside SQLite is cheaper than
binding the same values from Python (measured in docs/benchmarks.md), and the
ledger's write lock is held only for that copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .db import now_text
from .ledger import (
    DERIVED_COLUMNS,
    RECORD_COLUMNS,
    TALLY_ADD_SQL,
    RowAndFindings,
)

_COLUMNS = RECORD_COLUMNS + DERIVED_COLUMNS
#: The only schema names used below: this connection's own stage, the helper's slot files.
_SCHEMA_NAMES = frozenset({"temp", *(f"stage{k}" for k in range(10))})


def _schema(name: str) -> str:
    if name not in _SCHEMA_NAMES:
        raise ValueError(name)
    return name


def create(conn: sqlite3.Connection, schema: str = "temp") -> None:
    """Empty stage tables in ``schema`` (``temp`` of the importing connection, or a slot file's ``main``)."""
    s = "main" if schema == "file" else _schema(schema)
    conn.execute(f"DROP TABLE IF EXISTS {s}.stage_rows")
    conn.execute(f"DROP TABLE IF EXISTS {s}.stage_findings")
    conn.execute(f"CREATE TABLE {s}.stage_rows (n INTEGER PRIMARY KEY, {', '.join(_COLUMNS)})")
    conn.execute(
        f"CREATE TABLE {s}.stage_findings (n INTEGER NOT NULL, kind, field, message, rule)"
    )
    conn.execute(f"CREATE INDEX {s}.stage_findings_n ON stage_findings (n)")


def create_file(path: Path) -> None:
    """A slot file for the helper process, made by the importing process before it attaches it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        create(conn, "file")
    finally:
        conn.close()


def open_file(path: Path) -> sqlite3.Connection:
    """The helper's connection to a slot file: written once, never needed after a crash."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    return conn


_INSERT_ROW = {
    s: f"INSERT INTO {s}.stage_rows (n, {', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
    for s in ("main", "temp")
}
_INSERT_FINDING = {
    s: f"INSERT INTO {s}.stage_findings VALUES (?, ?, ?, ?, ?)" for s in ("main", "temp")
}


def write(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, RowAndFindings]], schema: str = "temp"
) -> None:
    """Stage judged rows given as (Excel row number, ``record_row`` value).

    The caller holds the transaction (the importing process writes its own
    stage inside the import's transaction).
    """
    s = "main" if schema == "file" else _schema(schema)
    if not rows:
        return
    conn.executemany(_INSERT_ROW[s], [(n, *values) for n, (values, _) in rows])
    found = [(n, *f) for n, (_, fs) in rows for f in fs]
    if found:
        conn.executemany(_INSERT_FINDING[s], found)


def attach(conn: sqlite3.Connection, path: Path, schema: str) -> None:
    """Make one of the helper's slot files readable as ``schema`` (outside any transaction).

    The import's transaction must then begin deferred: ``BEGIN IMMEDIATE``
    would take the write lock of every attached file, and the helper could
    not write them. A slot is read only once the helper has completed it: the
    first read inside the transaction fixes what the transaction sees of it.
    """
    conn.execute(f"ATTACH DATABASE ? AS {_schema(schema)}", (str(path),))


def detach(conn: sqlite3.Connection) -> None:
    """Detach every slot file."""
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] in _SCHEMA_NAMES and row[1] != "temp":
            conn.execute(f"DETACH DATABASE {row[1]}")


def drop(conn: sqlite3.Connection) -> None:
    """Forget the importing connection's own stage."""
    conn.execute("DROP TABLE IF EXISTS temp.stage_rows")
    conn.execute("DROP TABLE IF EXISTS temp.stage_findings")


class Copier:
    """Copies staged rows into ``records`` in workbook order, inside the caller's transaction.

    ``copy(schema, lo, hi)`` inserts the rows staged in ``schema`` with Excel
    row numbers lo…hi, their findings and their weekly tally; calls must come
    in workbook order, so record ids (and the findings' order) follow it.
    """

    def __init__(self, conn: sqlite3.Connection, *, import_id: int, operator: str) -> None:
        self.conn = conn
        self.copied = 0
        self._params: dict[str, Any] = {
            "import_id": import_id,
            "created_at": now_text(),
            "operator": operator,
        }

    def _last_id(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM records").fetchone()[0])

    def copy(self, schema: str, lo: int, hi: int) -> None:
        s = _schema(schema)
        conn = self.conn
        cols = ", ".join(_COLUMNS)
        first = self._last_id() + 1
        conn.execute(
            f"INSERT INTO records ({cols}, import_id, origin_unit, created_at, created_by) "
            f"SELECT {cols}, :import_id, NULL, :created_at, :operator FROM {s}.stage_rows "
            "WHERE n BETWEEN :lo AND :hi ORDER BY n",
            {**self._params, "lo": lo, "hi": hi},
        )
        last = self._last_id()
        if last < first:
            return
        span = {"first": first, "last": last}
        # A staged row's Excel row number is the record's source_row: it links the findings.
        conn.execute(
            "INSERT INTO record_findings (record_id, kind, field, message, rule) "
            "SELECT r.id, f.kind, f.field, f.message, f.rule FROM records AS r "
            f"CROSS JOIN {s}.stage_findings AS f ON f.n = r.source_row "
            "WHERE r.id BETWEEN :first AND :last",
            span,
        )
        conn.execute(TALLY_ADD_SQL, span)  # (a staged row carries no removal)
        self.copied += last - first + 1

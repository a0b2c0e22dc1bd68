"""SQL of the ledger export: every stored value of some records, by id."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .ledger import RECORD_COLUMNS

_SQL = (
    "SELECT r.id, "
    + ", ".join("r." + c for c in RECORD_COLUMNS)
    + ", a.name, r.removed_on, r.removal_reason FROM records r "
    "LEFT JOIN areas a ON a.id = r.area_id WHERE r.id IN ({marks})"
)


def records_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """``id → (RECORD_COLUMNS values…, area name, removed_on, removal_reason)``."""
    out: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 900):  # SQLite's limit of bound parameters
        chunk = list(ids[start : start + 900])
        sql = _SQL.format(marks=",".join("?" * len(chunk)))
        for row in conn.execute(sql, chunk):
            out[int(row[0])] = tuple(row[1:])
    return out

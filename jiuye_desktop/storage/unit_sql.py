"""SQL of the unit's identity changes (table ``unit_history``, migration 0006)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..domain import Unit
from .db import now_text


def set_identity(conn: sqlite3.Connection, unit: Unit) -> None:
    """The unit's code, name and level, and its 本级 row (same code, name + 本级)."""
    conn.execute(
        "UPDATE unit SET code = ?, name = ?, level = ? WHERE id = 1",
        (unit.code, unit.name, unit.level.value),
    )
    conn.execute(
        "UPDATE areas SET code = ?, name = ? WHERE is_self = 1", (unit.code, unit.name + "本级")
    )


def area_code_used(conn: sqlite3.Connection, code: str) -> bool:
    row = conn.execute("SELECT 1 FROM areas WHERE code = ? AND is_self = 0", (code,)).fetchone()
    return row is not None


def add_history(
    conn: sqlite3.Connection, changes: Sequence[tuple[str, str, str]], reason: str, operator: str
) -> None:
    at = now_text()
    conn.executemany(
        "INSERT INTO unit_history (at, operator, field, old_value, new_value, reason) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(at, operator, f, old, new, reason) for f, old, new in changes],
    )


def history(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {"at": r[0], "operator": r[1], "field": r[2], "old": r[3], "new": r[4], "reason": r[5]}
        for r in conn.execute(
            "SELECT at, operator, field, old_value, new_value, reason FROM unit_history ORDER BY id"
        )
    ]

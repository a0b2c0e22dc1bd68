"""SQL of dismissed findings (table ``dismissals``, migration 0006)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from .db import now_text

_COLUMNS = "d.record_id, d.finding_key, d.message, d.reason, d.operator, d.at, d.origin_unit"


def all_dismissals(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every dismissal: (record id, key, message, reason, operator, at, origin unit)."""
    return conn.execute(f"SELECT {_COLUMNS} FROM dismissals d ORDER BY d.id").fetchall()


def of_record(conn: sqlite3.Connection, record_id: int) -> list[tuple[Any, ...]]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM dismissals d WHERE d.record_id = ? ORDER BY d.id", (record_id,)
    ).fetchall()


def exists(conn: sqlite3.Connection, record_id: int, key: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM dismissals WHERE record_id = ? AND finding_key = ?", (record_id, key)
    ).fetchone()
    return row is not None


def insert(
    conn: sqlite3.Connection,
    items: Iterable[tuple[int, str, str, str, str, str | None, str | None]],
) -> int:
    """Store dismissals given as (record id, key, message, reason, operator, at or None for
    now, origin unit); one already there for the same record and key is kept. Returns how
    many were added. The caller holds the transaction."""
    now = now_text()
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO dismissals (record_id, finding_key, message, reason, operator, at, origin_unit) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, finding_key) DO NOTHING",
        [(r, k, m, why, op, at or now, origin) for r, k, m, why, op, at, origin in items],
    )
    return conn.total_changes - before


def record_exists(conn: sqlite3.Connection, record_id: int) -> bool:
    return conn.execute("SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is not None

"""Queries the tests use to look at a ledger (the program itself never needs them)."""

from __future__ import annotations

import sqlite3


def record_status(conn: sqlite3.Connection, record_id: int) -> tuple[str | None, str | None]:
    row = conn.execute(
        "SELECT removed_on, removal_reason FROM records WHERE id = ?", (record_id,)
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def count_records(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute("SELECT count(*), count(removed_on) FROM records").fetchone()
    return {"total": row[0], "removed": row[1], "active": row[0] - row[1]}


def record_ids_for_ids(conn: sqlite3.Connection, id_number: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM records WHERE id_number = ? ORDER BY id", (id_number,)
        )
    ]

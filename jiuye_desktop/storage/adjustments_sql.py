"""SQL of submitted weeks and adjustments (migration 0010; domain.md §9)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from .db import now_text


class Counted(NamedTuple):
    """A record as the weekly table counts it; ``ind`` 0 counts nowhere (or did not exist)."""

    registered_on: str | None
    removed_on: str | None
    area_id: int | None
    ind: int


NOTHING = Counted(None, None, None, 0)


def lock_ends(conn: sqlite3.Connection) -> dict[int, str]:
    """Per year, the end of its latest submitted week (``YYYY-MM-DD``)."""
    rows = conn.execute(
        "SELECT CAST(substr(end, 1, 4) AS INTEGER), max(end) FROM snapshots GROUP BY 1"
    ).fetchall()
    return {int(y): str(e) for y, e in rows}


def last_record_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(max(id), 0) FROM records").fetchone()[0])


def last_snapshot_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(max(id), 0) FROM snapshots").fetchone()[0])


def submitted_at(conn: sqlite3.Connection, snapshot_id: int) -> str:
    row = conn.execute("SELECT submitted_at FROM snapshots WHERE id = ?", (snapshot_id,))
    found = row.fetchone()
    return str(found[0]) if found else ""


def week_submitted(conn: sqlite3.Connection, week_key: str) -> bool:
    row = conn.execute("SELECT 1 FROM snapshots WHERE week_key = ? LIMIT 1", (week_key,))
    return row.fetchone() is not None


def previous_submission(conn: sqlite3.Connection, before: str) -> dict[str, Any] | None:
    """The last submission of the latest submitted week that ends before ``before``."""
    row = conn.execute(
        "SELECT id, week_key, label, start, end, submitted_at, operator FROM snapshots "
        "WHERE end < ? ORDER BY end DESC, id DESC LIMIT 1",
        (before,),
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "week_key", "label", "start", "end", "submitted_at", "operator")
    return dict(zip(keys, row, strict=True))


def counted(conn: sqlite3.Connection, record_ids: Sequence[int]) -> dict[int, Counted]:
    """The counted state of records, by id (in chunks)."""
    out: dict[int, Counted] = {}
    ids = list(record_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT id, registered_on, removed_on, area_id, ind FROM records "
            f"WHERE id IN ({marks})",
            chunk,
        ):
            out[row[0]] = Counted(row[1], row[2], row[3], int(row[4] or 0))
    return out


def add(
    conn: sqlite3.Connection,
    items: Iterable[tuple[int, str, str, Counted, Counted]],
    *,
    reason: str,
    operator: str,
) -> int:
    """Keep adjustments ``(record id, action, change, before, after)``; returns how many."""
    snap = last_snapshot_id(conn)
    at = now_text()
    rows = [
        (record_id, snap, at, operator, action, change, reason, *before, *after)
        for record_id, action, change, before, after in items
    ]
    conn.executemany(
        "INSERT INTO adjustments (record_id, after_snapshot, at, operator, action, change, "
        "reason, old_registered_on, old_removed_on, old_area_id, old_ind, new_registered_on, "
        "new_removed_on, new_area_id, new_ind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def add_import(
    conn: sqlite3.Connection,
    import_id: int,
    after_id: int,
    ends: dict[int, str],
    *,
    reason: str,
    operator: str,
) -> int:
    """Adjustments for the records of an import registered in a submitted period."""
    snap = last_snapshot_id(conn)
    at = now_text()
    count = 0
    for year, end in ends.items():
        cur = conn.execute(
            "INSERT INTO adjustments (record_id, after_snapshot, at, operator, action, change, "
            "reason, new_registered_on, new_removed_on, new_area_id, new_ind) "
            "SELECT id, ?, ?, ?, 'import', "
            "'导入新增记录（登记日期' || registered_on || "
            "CASE WHEN source_row IS NULL THEN '' ELSE '，第 ' || source_row || ' 行' END || '）', "
            "?, registered_on, removed_on, area_id, ind FROM records "
            "WHERE id > ? AND import_id = ? AND registered_on >= ? AND registered_on <= ? "
            "ORDER BY id",
            (snap, at, operator, reason, after_id, import_id, f"{year:04d}-01-01", end),
        )
        count += cur.rowcount
    return count


def locked_import_rows(
    conn: sqlite3.Connection, import_id: int, after_id: int, ends: dict[int, str], limit: int = 20
) -> tuple[int, list[tuple[int | None, str]]]:
    """How many records of an import lie in a submitted period, and the first few
    as (worksheet row, 登记日期). The import's records have ids above ``after_id``
    (the rowid range keeps this off a scan of the ledger)."""
    total = 0
    first: list[tuple[int | None, str]] = []
    for year, end in sorted(ends.items()):
        params = (after_id, import_id, f"{year:04d}-01-01", end)
        where = "id > ? AND import_id = ? AND registered_on >= ? AND registered_on <= ?"
        total += conn.execute(f"SELECT count(*) FROM records WHERE {where}", params).fetchone()[0]
        first += conn.execute(
            f"SELECT source_row, registered_on FROM records WHERE {where} ORDER BY id LIMIT ?",
            (*params, limit),
        ).fetchall()
    first.sort(key=lambda r: (r[0] is None, r[0] or 0))
    return total, first[:limit]


def since(conn: sqlite3.Connection, snapshot_id: int) -> list[dict[str, Any]]:
    """Adjustments made after the submission ``snapshot_id``, in the order they were made."""
    cur = conn.execute(
        "SELECT j.id, j.record_id, j.at, j.operator, j.action, j.change, j.reason, "
        "j.old_registered_on, j.old_removed_on, j.old_area_id, j.old_ind, "
        "j.new_registered_on, j.new_removed_on, j.new_area_id, j.new_ind, r.name "
        "FROM adjustments j LEFT JOIN records r ON r.id = j.record_id "
        "WHERE j.after_snapshot >= ? ORDER BY j.id",
        (snapshot_id,),
    )
    out = []
    for row in cur:
        out.append(
            {
                "id": row[0],
                "record": row[1],
                "at": row[2],
                "operator": row[3],
                "action": row[4],
                "change": row[5],
                "reason": row[6],
                "before": Counted(row[7], row[8], row[9], int(row[10] or 0)),
                "after": Counted(row[11], row[12], row[13], int(row[14] or 0)),
                "name": row[15] or "",
            }
        )
    return out

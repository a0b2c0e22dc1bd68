"""SQL for the self-check report (domain.md §7): figures before the check and the removals.

The weekly table's own counts live in :mod:`.ledger`; these queries look at
the same rows from the report's side: as if nothing had been removed, and
what was removed.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def indicator_counts(conn: sqlite3.Connection, start: str, end: str) -> list[tuple[int, int, int]]:
    """(indicator bits, records, of them removed on or before ``end``) by bits.

    Counts the records registered from ``start`` to ``end`` that the weekly
    table counts (an indicator and an area), ignoring whether they were
    removed, and separately those whose active removal is dated on or before
    ``end``. One scan of the year's records: the report is made rarely, and
    the daily tally behind the weekly table cannot tell removals apart.
    """
    sql = """
        SELECT ind, count(*), sum(removed_on IS NOT NULL AND removed_on <= :end)
        FROM records
        WHERE registered_on >= :start AND registered_on <= :end AND ind != 0
          AND area_id IS NOT NULL
        GROUP BY ind
    """
    return [
        (int(r[0]), int(r[1]), int(r[2] or 0))
        for r in conn.execute(sql, {"start": start, "end": end})
    ]


def record_total(conn: sqlite3.Connection, start: str, end: str) -> tuple[int, int]:
    """(records registered from ``start`` to ``end``, of them removed on or before ``end``)."""
    row = conn.execute(
        "SELECT count(*), sum(removed_on IS NOT NULL AND removed_on <= :end) FROM records "
        "WHERE registered_on >= :start AND registered_on <= :end",
        {"start": start, "end": end},
    ).fetchone()
    return int(row[0]), int(row[1] or 0)


def latest_record_year(conn: sqlite3.Connection, on_or_before: str) -> int | None:
    """The year of the latest 登记日期 on or before a day, or None for an empty ledger."""
    row = conn.execute(
        "SELECT max(registered_on) FROM records WHERE registered_on <= ?", (on_or_before,)
    ).fetchone()
    if not row or not row[0]:
        return None
    try:
        return int(str(row[0])[:4])
    except ValueError:
        return None


def removed_records(conn: sqlite3.Connection, start: str, end: str) -> list[dict[str, Any]]:
    """Records registered from ``start`` to ``end`` whose active removal is on or before ``end``.

    Each row: ``record_id``, ``name``, ``id_number`` (as written when it could
    not be read), ``area`` (name, or as written when unknown), ``area_id``,
    ``record_type``, ``event_date`` (or as written), ``reason``, ``removed_on``,
    ``note``, ``message``, ``source_row``; ordered by area (table order), then
    the record's id.
    """
    sql = """
        SELECT r.id AS record_id, r.name,
               CASE WHEN r.id_number != '' THEN r.id_number ELSE r.id_raw END AS id_number,
               COALESCE(a.name, r.area_raw) AS area, r.area_id,
               r.record_type,
               COALESCE(r.event_date, r.event_date_raw) AS event_date,
               r.removal_reason AS reason, r.removed_on,
               COALESCE(m.note, '') AS note, COALESCE(m.message, '') AS message,
               r.source_row
        FROM records r
        LEFT JOIN areas a ON a.id = r.area_id
        LEFT JOIN removals m ON m.id = (
            SELECT max(x.id) FROM removals x
            WHERE x.record_id = r.id AND x.restored_at IS NULL
        )
        WHERE r.registered_on >= :start AND r.registered_on <= :end
          AND r.removed_on IS NOT NULL AND r.removed_on <= :end
        ORDER BY a.id IS NULL, a.is_self DESC, a.position, r.id
    """
    cur = conn.execute(sql, {"start": start, "end": end})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def records_in_period(conn: sqlite3.Connection, start: str, end: str) -> set[int]:
    """Ids of records registered from ``start`` to ``end``, and of those whose 登记日期
    could not be read (they belong to no year: the report names them rather than hide them)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT id FROM records WHERE (registered_on >= ? AND registered_on <= ?) "
            "OR registered_on = ''",
            (start, end),
        )
    }


def last_removal_date(conn: sqlite3.Connection, year: int) -> str | None:
    """The latest date of an active removal of a record of ``year`` (None when none)."""
    row = conn.execute(
        "SELECT max(removed_on) FROM records WHERE removed_on IS NOT NULL "
        "AND registered_on >= ? AND registered_on <= ?",
        (f"{year}-01-01", f"{year}-12-31"),
    ).fetchone()
    return row[0] if row and row[0] else None

"""SQL of the annual targets (migration 0007) and of the week-by-week 本年累计 for the chart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

#: ``area_id`` of the unit's own 合计 target.
TOTAL_AREA_ID = 0


def list_targets(conn: sqlite3.Connection, year: int) -> list[tuple[str, int, int]]:
    """(indicator, area id, value) of a year; area id 0 is the unit's own 合计 target."""
    rows = conn.execute(
        "SELECT indicator, area_id, value FROM targets WHERE year = ? ORDER BY indicator, area_id",
        (year,),
    ).fetchall()
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def put_targets(
    conn: sqlite3.Connection,
    year: int,
    values: Iterable[tuple[str, int, int | None]],
    *,
    set_at: str,
    operator: str,
) -> int:
    """Set (indicator, area id, value) of a year; a value of None clears the target."""
    n = 0
    for indicator, area_id, value in values:
        if value is None:
            conn.execute(
                "DELETE FROM targets WHERE year = ? AND indicator = ? AND area_id = ?",
                (year, indicator, area_id),
            )
        else:
            conn.execute(
                "INSERT INTO targets (year, indicator, area_id, value, set_at, operator) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year, indicator, area_id) DO UPDATE SET "
                "value = excluded.value, set_at = excluded.set_at, operator = excluded.operator",
                (year, indicator, area_id, value, set_at, operator),
            )
        n += 1
    return n


def daily_tally(
    conn: sqlite3.Connection, year: int, end: str, area_id: int | None
) -> list[tuple[str, int, int]]:
    """(day, indicator bits, change of 本年累计) of a year up to ``end``, by day.

    ``area_id`` None sums the rows of the weekly table (合计). Read from the daily tally that the
    weekly table uses (migration 0002): a few thousand rows at a million records.
    """
    if area_id is None:
        sql = (
            "SELECT day, ind, sum(n) FROM tally WHERE year = ? AND day <= ? "
            "AND area_id IN (SELECT id FROM areas) GROUP BY day, ind ORDER BY day"
        )
        params: tuple[object, ...] = (year, end)
    else:
        sql = (
            "SELECT day, ind, sum(n) FROM tally WHERE year = ? AND day <= ? AND area_id = ? "
            "GROUP BY day, ind ORDER BY day"
        )
        params = (year, end, area_id)
    return [(str(r[0]), int(r[1]), int(r[2])) for r in conn.execute(sql, params)]

"""SQL of the telephone sample (电话抽查, domain.md §8): the population, samples, outcomes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .db import now_text

_ITEM_COLUMNS = (
    "i.record_id, i.position, i.indicators, i.outcome, i.note, i.recorded_at, i.recorded_by, "
    "r.name, CASE WHEN r.id_number != '' THEN r.id_number ELSE r.id_raw END, r.phone, "
    "r.record_type, r.event_date, r.employer, a.code, a.name, a.position, i.area_id, "
    "r.source_row"
)
_ITEM_KEYS = (
    "record",
    "position",
    "indicators",
    "outcome",
    "note",
    "recorded_at",
    "recorded_by",
    "name",
    "id_number",
    "phone",
    "record_type",
    "event_date",
    "employer",
    "area_code",
    "area_name",
    "area_position",
    "area_id",
    "source_row",
)


def population(
    conn: sqlite3.Connection, year_start: str, day: str, bits: int
) -> list[tuple[Any, ...]]:
    """The records the weekly table counts at ``day`` (registered from ``year_start`` on or
    before it, not removed on or before it, in an area) with an indicator of ``bits``.

    Rows: (id, area id, indicator bits, ID as stored or written, type, 登记日期,
    就业日期, name).
    """
    sql = """
        SELECT id, area_id, ind, CASE WHEN id_number != '' THEN id_number ELSE id_raw END,
               record_type, registered_on, coalesce(event_date, event_date_raw), name
        FROM records
        WHERE registered_on >= :start AND registered_on <= :day AND (ind & :bits) != 0
          AND area_id IS NOT NULL AND (removed_on IS NULL OR removed_on > :day)
    """
    return conn.execute(sql, {"start": year_start, "day": day, "bits": bits}).fetchall()


def add_sample(
    conn: sqlite3.Connection,
    *,
    on_date: str,
    seed: int,
    indicators: int,
    mode: str,
    amount: float,
    population: int,
    operator: str,
    items: Sequence[tuple[int, int, int, int]],
) -> int:
    """Store a sample and its items (record id, area id, position, indicator bits)."""
    cur = conn.execute(
        "INSERT INTO samples (on_date, seed, indicators, mode, amount, population, created_at, "
        "operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (on_date, seed, indicators, mode, amount, population, now_text(), operator),
    )
    sample_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO sample_items (sample_id, record_id, area_id, position, indicators) "
        "VALUES (?, ?, ?, ?, ?)",
        [(sample_id, *item) for item in items],
    )
    return sample_id


def samples(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every sample with its counts (sampled, with an outcome), newest first."""
    sql = """
        SELECT s.id, s.on_date, s.seed, s.indicators, s.mode, s.amount, s.population,
               s.created_at, s.operator, count(i.record_id), count(i.outcome)
        FROM samples s LEFT JOIN sample_items i ON i.sample_id = s.id
        GROUP BY s.id ORDER BY s.id DESC
    """
    keys = (
        "id",
        "on_date",
        "seed",
        "indicators",
        "mode",
        "amount",
        "population",
        "created_at",
        "operator",
        "sampled",
        "recorded",
    )
    return [dict(zip(keys, row, strict=True)) for row in conn.execute(sql)]


def sample_items(conn: sqlite3.Connection, sample_id: int) -> list[dict[str, Any]]:
    """The items of a sample with their records, by area (weekly table order) and position."""
    sql = (
        f"SELECT {_ITEM_COLUMNS} FROM sample_items i JOIN records r ON r.id = i.record_id "
        "LEFT JOIN areas a ON a.id = i.area_id WHERE i.sample_id = ? "
        "ORDER BY a.position, i.area_id, i.position"
    )
    return [dict(zip(_ITEM_KEYS, row, strict=True)) for row in conn.execute(sql, (sample_id,))]


def set_outcome(
    conn: sqlite3.Connection,
    sample_id: int,
    record_id: int,
    outcome: str | None,
    note: str,
    operator: str,
) -> bool:
    """Record (or clear, with None) one outcome; False when the record is not in the sample."""
    at = now_text()
    cur = conn.execute(
        "UPDATE sample_items SET outcome = ?, note = ?, recorded_at = ?, recorded_by = ? "
        "WHERE sample_id = ? AND record_id = ?",
        (outcome, note, at if outcome else None, operator, sample_id, record_id),
    )
    if cur.rowcount == 0:
        return False
    conn.execute(
        "INSERT INTO sample_outcome_log (sample_id, record_id, outcome, note, at, operator) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (sample_id, record_id, outcome or "", note, at, operator),
    )
    return True


def latest_outcomes(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Per record, the outcome of its latest sample that has one, for records not removed.

    Rows: (record id, sample id, sample date, seed, outcome, note).
    """
    sql = """
        SELECT record_id, sample_id, on_date, seed, outcome, note FROM (
            SELECT i.record_id, i.sample_id, s.on_date, s.seed, i.outcome, i.note,
                   row_number() OVER (PARTITION BY i.record_id ORDER BY i.sample_id DESC) AS rn
            FROM sample_items i JOIN samples s ON s.id = i.sample_id
            JOIN records r ON r.id = i.record_id
            WHERE i.outcome IS NOT NULL AND r.removed_on IS NULL
        ) WHERE rn = 1 ORDER BY record_id
    """
    return conn.execute(sql).fetchall()


def latest_registration(conn: sqlite3.Connection, on_or_before: str) -> str | None:
    """The latest 登记日期 on or before a day (None for an empty ledger)."""
    row = conn.execute(
        "SELECT max(registered_on) FROM records WHERE registered_on <= ?", (on_or_before,)
    ).fetchone()
    return row[0] if row and row[0] else None

"""All SQL about the unit, its areas, records, removals, history, imports and snapshots.

Over 500 lines on purpose: the records table's columns, its inserts, edits, removals
and their history must agree with each other and with the tally's triggers, so they
stay together; features with SQL of their own have their own module beside it.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..domain import Area, Finding, Level, Record, Unit
from .db import now_text

#: Record attributes stored one-to-one in columns of ``records``: every field of
#: ``domain.Record`` (the one field table's values, and what was written beside them) but
#: the area's code, which is stored resolved (``area_id``), and the database id.
RECORD_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Record) if f.name not in ("area_code", "id")
)
DERIVED_COLUMNS = ("area_id", "id_ok", "birth_date", "ind", "dup_key")


# --- The unit and its areas -------------------------------------------------------------


def create_unit(
    conn: sqlite3.Connection, unit: Unit, areas: Sequence[tuple[str | None, str]]
) -> None:
    """Store the unit, its 本级 row and its subordinate areas (in order)."""
    if conn.execute("SELECT 1 FROM unit").fetchone():
        raise ValueError("本数据库已建立填报单位，不能重复初始化")
    conn.execute(
        "INSERT INTO unit (id, code, name, level, created_at) VALUES (1, :code, :name, :level, :at)",
        {"code": unit.code, "name": unit.name, "level": unit.level.value, "at": now_text()},
    )
    conn.execute(
        "INSERT INTO areas (code, name, position, is_self) VALUES (?, ?, 0, 1)",
        (unit.code, unit.name + "本级"),
    )
    for position, (code, name) in enumerate(areas, start=1):
        conn.execute(
            "INSERT INTO areas (code, name, position, is_self) VALUES (?, ?, ?, 0)",
            (code, name, position),
        )


def get_unit(conn: sqlite3.Connection) -> Unit | None:
    row = conn.execute("SELECT code, name, level FROM unit WHERE id = 1").fetchone()
    return Unit(row[0], row[1], Level(row[2])) if row else None


def list_areas(conn: sqlite3.Connection) -> list[tuple[int, Area]]:
    """(database id, area) in table order: 本级 first."""
    rows = conn.execute(
        "SELECT id, code, name, position, is_self FROM areas ORDER BY is_self DESC, position, id"
    ).fetchall()
    return [(r[0], Area(r[1] or "", r[2], r[3], bool(r[4]))) for r in rows]


def replace_areas(conn: sqlite3.Connection, areas: Sequence[tuple[str | None, str]]) -> None:
    """Set the subordinate areas in order; an area with records may be renamed, not dropped."""
    existing = {
        r[0]: (r[1], r[2])
        for r in conn.execute("SELECT id, code, name FROM areas WHERE is_self = 0")
    }
    by_code = {code: i for i, (code, _) in existing.items() if code}
    by_name = {name: i for i, (_, name) in existing.items()}
    keep: set[int] = set()
    # Park names first so that swapping two names does not trip the UNIQUE constraint.
    conn.execute("UPDATE areas SET name = '#' || id || name WHERE is_self = 0")
    for position, (code, name) in enumerate(areas, start=1):
        area_id = (by_code.get(code) if code else None) or by_name.get(name)
        if area_id is not None and area_id not in keep:
            conn.execute(
                "UPDATE areas SET code = ?, name = ?, position = ? WHERE id = ?",
                (code, name, position, area_id),
            )
            keep.add(area_id)
        else:
            conn.execute(
                "INSERT INTO areas (code, name, position, is_self) VALUES (?, ?, ?, 0)",
                (code, name, position),
            )
    for area_id, (_code, name) in existing.items():
        if area_id in keep:
            continue
        used = conn.execute(
            "SELECT count(*) FROM records WHERE area_id = ?", (area_id,)
        ).fetchone()[0]
        if used:
            raise ValueError(f"地区“{name}”已有 {used} 条记录，不能删除")
        conn.execute("DELETE FROM areas WHERE id = ?", (area_id,))


def get_setting(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def get_image(conn: sqlite3.Connection, kind: str) -> bytes | None:
    row = conn.execute("SELECT data FROM images WHERE kind = ?", (kind,)).fetchone()
    return bytes(row[0]) if row else None


def set_image(conn: sqlite3.Connection, kind: str, data: bytes | None) -> None:
    if data is None:
        conn.execute("DELETE FROM images WHERE kind = ?", (kind,))
    else:
        conn.execute(
            "INSERT INTO images (kind, data) VALUES (?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET data = excluded.data",
            (kind, data),
        )


# --- Imports ------------------------------------------------------------------------------


def find_import_by_hash(conn: sqlite3.Connection, sha256: str) -> tuple[str, str] | None:
    row = conn.execute(
        "SELECT file_name, imported_at FROM imports WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def add_import(
    conn: sqlite3.Connection,
    *,
    file_name: str,
    sha256: str,
    sheet: str,
    operator: str,
    row_count: int,
    kind: str = "import",
) -> int:
    cur = conn.execute(
        "INSERT INTO imports (file_name, sha256, sheet, imported_at, operator, row_count, "
        "imported, rejected, kind) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)",
        (file_name, sha256, sheet, now_text(), operator, row_count, kind),
    )
    return int(cur.lastrowid or 0)


def finish_import(conn: sqlite3.Connection, import_id: int, imported: int, rejected: int) -> None:
    conn.execute(
        "UPDATE imports SET imported = ?, rejected = ? WHERE id = ?",
        (imported, rejected, import_id),
    )


# --- Records ------------------------------------------------------------------------------


_INSERT_SQL = (
    "INSERT INTO records ("
    + ", ".join(RECORD_COLUMNS + DERIVED_COLUMNS)
    + ", import_id, origin_unit, created_at, created_by, package_id) VALUES ("
    + ", ".join("?" * (len(RECORD_COLUMNS) + len(DERIVED_COLUMNS) + 5))
    + ")"
)
_record_values = operator.attrgetter(*RECORD_COLUMNS)
_FINDING_SQL = (
    "INSERT INTO record_findings (record_id, kind, field, message, rule) VALUES (?, ?, ?, ?, ?)"
)


#: A record ready for ``insert_rows``: its column values (without the four
#: bookkeeping columns) and its findings as (kind, field, message, rule).
RowAndFindings = tuple[tuple[Any, ...], list[tuple[str, str, str, str]]]


# The weekly tally of new records (migration 0002), counted per inserted batch.
TALLY_ADD_SQL = """
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(registered_on, 1, 4) AS INTEGER), registered_on, area_id, ind, count(*)
    FROM records
    WHERE id BETWEEN :first AND :last AND ind != 0 AND area_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n + excluded.n
"""
TALLY_REMOVED_SQL = """
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(registered_on, 1, 4) AS INTEGER), max(registered_on, removed_on),
           area_id, ind, -count(*)
    FROM records
    WHERE id BETWEEN :first AND :last AND ind != 0 AND area_id IS NOT NULL
      AND removed_on IS NOT NULL
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n + excluded.n
"""


def record_row(
    record: Record,
    area_id: int | None,
    id_ok: bool,
    birth_date: str | None,
    ind: int,
    dup_key: str | None,
    findings: Sequence[Finding],
) -> RowAndFindings:
    """The row ``insert_rows`` stores for a record and what is derived from it (plain
    tuples: cheap to pickle between processes)."""
    return (
        _record_values(record) + (area_id, int(id_ok), birth_date, int(ind), dup_key),
        [(f.kind.value, f.field, f.message, f.rule) for f in findings],
    )


def insert_rows(
    conn: sqlite3.Connection,
    items: Iterable[RowAndFindings],
    *,
    import_id: int | None,
    operator: str,
    origin_unit: str | None = None,
    package_id: int | None = None,
    batch: int = 5000,
) -> int:
    """Insert records given as ``record_row`` tuples; returns how many. Caller holds the
    transaction. ``package_id``: the package that brought them (a merge)."""
    tail = (import_id, origin_unit, now_text(), operator, package_id)
    count = 0
    rows: list[tuple[Any, ...]] = []
    findings: list[list[tuple[str, str, str, str]]] = []

    def flush() -> None:
        if not rows:
            return
        # Ids are assigned consecutively inside one transaction with one writer.
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM records").fetchone()[0]
        conn.executemany(_INSERT_SQL, rows)
        last = first + len(rows) - 1
        conn.execute(TALLY_ADD_SQL, {"first": first, "last": last})
        conn.execute(TALLY_REMOVED_SQL, {"first": first, "last": last})
        f_rows = [(first + i, *f) for i, fs in enumerate(findings) for f in fs]
        if f_rows:
            conn.executemany(_FINDING_SQL, f_rows)
        rows.clear()
        findings.clear()

    for values, fs in items:
        rows.append(values + tail)
        findings.append(fs)
        count += 1
        if len(rows) >= batch:
            flush()
    flush()
    return count


def last_record_id(conn: sqlite3.Connection) -> int:
    """The id of the newest record (0 in an empty ledger)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM records").fetchone()[0])


def update_record(
    conn: sqlite3.Connection, record_id: int, row: RowAndFindings, *, operator: str
) -> list[tuple[str, str, str]]:
    """Replace a record's values by a ``record_row``; history keeps each changed field.
    Returns the changes."""
    old = conn.execute(
        "SELECT " + ", ".join(RECORD_COLUMNS) + " FROM records WHERE id = ?", (record_id,)
    ).fetchone()
    if old is None:
        raise KeyError(record_id)
    values, findings = row
    changes = []
    for column, before, after in zip(RECORD_COLUMNS, old, values, strict=False):
        if column == "source_row":
            continue
        if (before or "") != (after or ""):
            changes.append(
                (column, "" if before is None else str(before), "" if after is None else str(after))
            )
    if not changes:
        return []
    at = now_text()
    kept = [i for i, c in enumerate(RECORD_COLUMNS) if c != "source_row"]
    sets = ", ".join(f"{RECORD_COLUMNS[i]} = ?" for i in kept)
    derived = ", ".join(f"{c} = ?" for c in DERIVED_COLUMNS)
    conn.execute(
        f"UPDATE records SET {sets}, {derived}, updated_at = ? WHERE id = ?",
        (*(values[i] for i in kept), *values[len(RECORD_COLUMNS) :], at, record_id),
    )
    replace_findings(conn, record_id, findings)
    conn.executemany(
        "INSERT INTO history (record_id, at, operator, action, field, old_value, new_value) "
        "VALUES (?, ?, ?, 'edit', ?, ?, ?)",
        [(record_id, at, operator, c, o, n) for c, o, n in changes],
    )
    return changes


def area_links(conn: sqlite3.Connection) -> list[tuple[str, int | None]]:
    """Each distinct (written 所属地区, linked area id) of the records."""
    return conn.execute("SELECT DISTINCT area_raw, area_id FROM records").fetchall()


def relink_record(conn: sqlite3.Connection, record_id: int, row: RowAndFindings) -> None:
    """Refresh a record's derived columns and own findings from a ``record_row``, without
    touching its values."""
    values, findings = row
    derived = ", ".join(f"{c} = ?" for c in DERIVED_COLUMNS)
    conn.execute(
        f"UPDATE records SET {derived} WHERE id = ?",
        (*values[len(RECORD_COLUMNS) :], record_id),
    )
    replace_findings(conn, record_id, findings)


def replace_findings(
    conn: sqlite3.Connection, record_id: int, findings: Sequence[tuple[str, str, str, str]]
) -> None:
    """A record's own findings, given as the (kind, field, message, rule) of ``record_row``."""
    conn.execute("DELETE FROM record_findings WHERE record_id = ?", (record_id,))
    conn.executemany(_FINDING_SQL, [(record_id, *f) for f in findings])


def iter_records(
    conn: sqlite3.Connection, where: str = "", params: Sequence[Any] = (), order: str = "r.id"
) -> Iterator[tuple[int, Record, int | None, str | None]]:
    """(id, record, area_id, removed_on) for records matching a fixed SQL condition."""
    sql = (
        "SELECT r.id, "
        + ", ".join("r." + c for c in RECORD_COLUMNS)
        + ", a.code, r.area_id, r.removed_on FROM records r LEFT JOIN areas a ON a.id = r.area_id"
        + (f" WHERE {where}" if where else "")
        + f" ORDER BY {order}"
    )
    for row in conn.execute(sql, params):
        rec = Record(**dict(zip(RECORD_COLUMNS, row[1 : 1 + len(RECORD_COLUMNS)], strict=True)))
        rec.id = row[0]
        rec.area_code = row[-3]
        yield row[0], rec, row[-2], row[-1]


def get_record(conn: sqlite3.Connection, record_id: int) -> Record | None:
    for _, rec, _, _ in iter_records(conn, "r.id = ?", (record_id,)):
        return rec
    return None


# --- Findings for the self-check ------------------------------------------------------------


def stored_findings(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Own findings of records not removed, with the record's brief, in record order.

    Rows: (record id, kind, field, message, name, ID, area name, source row, rule).
    """
    return conn.execute(
        "SELECT f.record_id, f.kind, f.field, f.message, r.name, "
        "CASE WHEN r.id_number != '' THEN r.id_number ELSE r.id_raw END, "
        "COALESCE(a.name, r.area_raw), r.source_row, f.rule "
        "FROM record_findings f JOIN records r ON r.id = f.record_id "
        "LEFT JOIN areas a ON a.id = r.area_id "
        "WHERE r.removed_on IS NULL ORDER BY f.record_id, f.rowid"
    ).fetchall()


def duplicate_losers(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(record id, id of the record kept) for every duplicate (domain.md §5.3).

    Among records not removed with a sound ID, per person and duplicate class
    a sound record (no invalid or incomplete finding) is kept before a flawed
    one, then the earliest 就业（减员）日期, then the earliest 登记日期, then the
    earliest entered: removing every flagged record never removes the person.
    """
    sql = """
        WITH groups AS (
            SELECT id_number, dup_key FROM records
            WHERE removed_on IS NULL AND id_ok = 1 AND dup_key IS NOT NULL
            GROUP BY id_number, dup_key HAVING count(*) > 1
        ), ranked AS (
            SELECT r.id,
                   first_value(r.id) OVER w AS keeper,
                   row_number() OVER w AS rn
            FROM (SELECT r.id, r.id_number, r.dup_key, r.event_date, r.registered_on,
                         EXISTS (SELECT 1 FROM record_findings f
                                      WHERE f.record_id = r.id
                                        AND f.kind IN ('invalid', 'incomplete')) AS flawed
                  FROM records r JOIN groups g
                    ON r.id_number = g.id_number AND r.dup_key = g.dup_key
                  WHERE r.removed_on IS NULL AND r.id_ok = 1) r
            WINDOW w AS (PARTITION BY r.id_number, r.dup_key
                         ORDER BY r.flawed, r.event_date IS NULL, r.event_date,
                                  r.registered_on, r.id)
        )
        SELECT id, keeper FROM ranked WHERE rn > 1 ORDER BY id
    """
    return conn.execute(sql).fetchall()


def overcapacity_double(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(去产能安置 record, 新就业 record): the same person (sound ID) has, in the same
    year, a 新就业 with 去产能职工=是; both not removed (domain.md §5.3)."""
    sql = """
        SELECT p.id, min(n.id) FROM records p
        JOIN records n ON n.id_number = p.id_number AND n.dup_key = 'N' || substr(p.dup_key, 2)
        WHERE p.record_type = '去产能安置' AND p.dup_key LIKE 'P%'
          AND p.removed_on IS NULL AND p.id_ok = 1
          AND n.removed_on IS NULL AND n.id_ok = 1 AND n.overcapacity = '是'
        GROUP BY p.id ORDER BY p.id
    """
    return conn.execute(sql).fetchall()


def record_brief(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Name, ID, area name, source row, type of records, by id (in chunks)."""
    out: dict[int, dict[str, Any]] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT r.id, r.name, r.id_number, r.id_raw, COALESCE(a.name, r.area_raw), r.source_row, "
            "r.record_type, r.event_date, a.code, r.origin_unit, r.import_id, r.area_id "
            f"FROM records r LEFT JOIN areas a ON a.id = r.area_id WHERE r.id IN ({marks})",
            chunk,
        ):
            out[row[0]] = {
                "name": row[1],
                "id_number": row[2] or row[3],
                "area": row[4],
                "source_row": row[5],
                "record_type": row[6],
                "event_date": row[7],
                "area_code": row[8],
                "origin_unit": row[9],
                "import_id": row[10],
                "area_id": row[11],
            }
    return out


# --- Removals ---------------------------------------------------------------------------------


def remove_records(
    conn: sqlite3.Connection,
    items: Sequence[tuple[int, str, str]],
    *,
    removed_on: str,
    note: str,
    operator: str,
) -> int:
    """Remove records (id, reason, message) on a date; already removed ones are skipped."""
    at = now_text()
    done = 0
    for record_id, reason, message in items:
        cur = conn.execute(
            "UPDATE records SET removed_on = ?, removal_reason = ? "
            "WHERE id = ? AND removed_on IS NULL",
            (removed_on, reason, record_id),
        )
        if cur.rowcount == 0:
            continue
        conn.execute(
            "INSERT INTO removals (record_id, removed_on, reason, note, message, created_at, "
            "operator) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record_id, removed_on, reason, note, message, at, operator),
        )
        conn.execute(
            "INSERT INTO history (record_id, at, operator, action, field, old_value, new_value) "
            "VALUES (?, ?, ?, 'remove', 'removal_reason', '', ?)",
            (record_id, at, operator, f"{reason} {removed_on} {note}".strip()),
        )
        done += 1
    return done


def restore_record(conn: sqlite3.Connection, record_id: int, *, operator: str) -> bool:
    """Undo the active removal of a record; False when it was not removed."""
    row = conn.execute(
        "SELECT removed_on, removal_reason FROM records WHERE id = ?", (record_id,)
    ).fetchone()
    if row is None or row[0] is None:
        return False
    at = now_text()
    conn.execute(
        "UPDATE records SET removed_on = NULL, removal_reason = NULL WHERE id = ?", (record_id,)
    )
    conn.execute(
        "UPDATE removals SET restored_at = ?, restored_by = ? "
        "WHERE record_id = ? AND restored_at IS NULL",
        (at, operator, record_id),
    )
    conn.execute(
        "INSERT INTO history (record_id, at, operator, action, field, old_value, new_value) "
        "VALUES (?, ?, ?, 'restore', 'removal_reason', ?, '')",
        (record_id, at, operator, f"{row[1]} {row[0]}"),
    )
    return True


def removals(conn: sqlite3.Connection, active_only: bool = True) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT m.id, m.record_id, m.removed_on, m.reason, m.note, m.message, m.created_at, "
        "m.operator, m.restored_at FROM removals m "
        + ("WHERE m.restored_at IS NULL " if active_only else "")
        + "ORDER BY m.removed_on, m.record_id"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --- History ------------------------------------------------------------------------------------


def record_history(conn: sqlite3.Connection, record_id: int) -> list[dict[str, Any]]:
    """Every change of a record, oldest first; its insert comes from the record itself."""
    out: list[dict[str, Any]] = []
    row = conn.execute(
        "SELECT r.created_at, r.created_by, r.import_id, i.file_name, i.kind FROM records r "
        "LEFT JOIN imports i ON i.id = r.import_id WHERE r.id = ?",
        (record_id,),
    ).fetchone()
    if row is None:
        return out
    action = {"import": "import", "demo": "import", "merge": "merge"}.get(row[4] or "", "insert")
    out.append(
        {
            "at": row[0],
            "operator": row[1],
            "action": action,
            "field": None,
            "old_value": None,
            "new_value": row[3],
        }
    )
    for h in conn.execute(
        "SELECT at, operator, action, field, old_value, new_value FROM history "
        "WHERE record_id = ? ORDER BY id",
        (record_id,),
    ):
        out.append(
            {
                "at": h[0],
                "operator": h[1],
                "action": h[2],
                "field": h[3],
                "old_value": h[4],
                "new_value": h[5],
            }
        )
    # Findings marked as checked (已核实) are part of the record's story too.
    for d in conn.execute(
        "SELECT at, operator, finding_key, message, reason, origin_unit FROM dismissals "
        "WHERE record_id = ? ORDER BY id",
        (record_id,),
    ):
        out.append(
            {
                "at": d[0],
                "operator": d[1] + (f"（{d[5]}）" if d[5] else ""),
                "action": "dismiss",
                "field": d[2],
                "old_value": d[3],
                "new_value": d[4],
            }
        )
    out[1:] = sorted(out[1:], key=lambda e: e["at"] or "")
    return out


# --- The weekly table ---------------------------------------------------------------------------


def weekly_counts(
    conn: sqlite3.Connection,
    year_start: str,
    prev_end: str | None,
    end: str,
    *,
    area_id: int | None = None,
) -> list[tuple[int, int, int, int]]:
    """(area id, indicator bits, cumulative at end, cumulative at prev_end) by group; with
    ``area_id``, of that area only.

    本年累计 at a day = records of the year registered on or before that day
    and not removed on or before that day (domain.md §4), read from the daily
    tally that triggers keep (migration 0002).
    """
    prev = prev_end or "0000-00-00"
    sql = """
        SELECT area_id, ind, sum(n), sum(CASE WHEN day <= :prev THEN n ELSE 0 END)
        FROM tally
        WHERE year = :year AND day <= :end AND (:area IS NULL OR area_id = :area)
        GROUP BY area_id, ind
    """
    args = {"year": int(year_start[:4]), "end": end, "prev": prev, "area": area_id}
    return conn.execute(sql, args).fetchall()


def weekly_counts_by_scan(
    conn: sqlite3.Connection, year_start: str, prev_end: str | None, end: str
) -> list[tuple[int, int, int, int]]:
    """The same figures counted from the records themselves (slow; tests check the tally)."""
    prev = prev_end or "0000-00-00"
    sql = """
        SELECT area_id, ind,
               sum(removed_on IS NULL OR removed_on > :end),
               sum(registered_on <= :prev AND (removed_on IS NULL OR removed_on > :prev))
        FROM records
        WHERE registered_on >= :start AND registered_on <= :end AND ind != 0
          AND area_id IS NOT NULL
        GROUP BY area_id, ind
    """
    return conn.execute(sql, {"start": year_start, "end": end, "prev": prev}).fetchall()


# --- Snapshots ------------------------------------------------------------------------------------


def add_snapshot(
    conn: sqlite3.Connection,
    *,
    week_key: str,
    label: str,
    start: str,
    end: str,
    table: dict[str, Any],
    operator: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO snapshots (week_key, label, start, end, submitted_at, operator, table_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (week_key, label, start, end, now_text(), operator, json.dumps(table, ensure_ascii=False)),
    )
    return int(cur.lastrowid or 0)


def last_snapshot(conn: sqlite3.Connection, week_key: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT submitted_at, operator, table_json FROM snapshots WHERE week_key = ? "
        "ORDER BY id DESC LIMIT 1",
        (week_key,),
    ).fetchone()
    if row is None:
        return None
    return {"submitted_at": row[0], "operator": row[1], "table": json.loads(row[2])}

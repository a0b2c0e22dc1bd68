"""All SQL about export packages: the rows a package carries, and packages merged from below.

The export side reads the unit's ledger of a year up to a day, each record with
its area's name and its removal as of that day. The merge side keeps the
``packages`` log (migration 0003) and the merged copies in ``records``
(``origin_unit``, ``package_id``), which it inserts with their removal state
and deletes again when a newer package of the same unit replaces them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import ledger
from .db import now_text
from .ledger import RECORD_COLUMNS

# --- The export side -------------------------------------------------------------------------


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Reads inside see one state of the database (a deferred transaction), unless the
    connection is in a transaction already."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


_LEDGER_SQL = (
    "SELECT "
    + ", ".join("r." + c for c in RECORD_COLUMNS)
    + """, a.name,
       CASE WHEN r.removed_on <= :end THEN r.removed_on END,
       CASE WHEN r.removed_on <= :end THEN r.removal_reason END,
       CASE WHEN r.removed_on <= :end THEN (
           SELECT m.message || CASE WHEN m.message != '' AND m.note != '' THEN '；' ELSE '' END
                  || m.note
           FROM removals m WHERE m.record_id = r.id AND m.restored_at IS NULL
           ORDER BY m.id DESC LIMIT 1) END,
       (SELECT json_group_array(json_array(d.finding_key, d.reason, d.operator, d.at))
        FROM dismissals d WHERE d.record_id = r.id)
    FROM records r LEFT JOIN areas a ON a.id = r.area_id
    WHERE (r.registered_on >= :start AND r.registered_on <= :end) OR r.registered_on = ''
    ORDER BY r.id"""
)


def _text(column: str, fallback: str | None = None) -> str:
    """SQL of one template column as text: ``column``, else ``fallback`` when it is empty."""
    if fallback is None:
        return f"IFNULL(CAST(r.{column} AS TEXT), '')"
    return f"COALESCE(NULLIF(CAST({column} AS TEXT), ''), CAST(r.{fallback} AS TEXT), '')"


def _sheet_select(
    fields: Sequence[tuple[str, str | None]],
    active: str,
    removed: str,
    reason_names: dict[str, str],
) -> list[str]:
    """SQL of the 实名台账 cells of a record (see ``sheet_rows``), one expression per column."""
    columns = [
        _text("a.name" if attr == "area" else f"r.{attr}", raw) if raw else _text(attr)
        for attr, raw in fields
    ]
    reasons = " ".join(
        f"WHEN {_quote(code)} THEN {_quote(name)}" for code, name in reason_names.items()
    )
    return [
        *columns,
        f"CASE WHEN r.removed_on <= :end THEN {_quote(removed)} ELSE {_quote(active)} END",
        f"""CASE WHEN r.removed_on <= :end THEN
               CASE r.removal_reason {reasons} ELSE IFNULL(r.removal_reason, '') END
           ELSE '' END""",
        "CASE WHEN r.removed_on <= :end THEN r.removed_on ELSE '' END",
        """CASE WHEN r.removed_on <= :end THEN IFNULL((
               SELECT m.message || CASE WHEN m.message != '' AND m.note != '' THEN '；' ELSE '' END
                      || m.note
               FROM removals m WHERE m.record_id = r.id AND m.restored_at IS NULL
               ORDER BY m.id DESC LIMIT 1), '') ELSE '' END""",
    ]


_SHEET_FROM = """
    FROM records r LEFT JOIN areas a ON a.id = r.area_id
    WHERE (r.registered_on >= :start AND r.registered_on <= :end) OR r.registered_on = ''"""

#: A record's dismissed warnings as a JSON list of [key, reason, operator, at] (``[]``: none).
DISMISSALS_SQL = """(SELECT json_group_array(json_array(d.finding_key, d.reason, d.operator, d.at))
        FROM dismissals d WHERE d.record_id = {id})"""


def sheet_rows(
    conn: sqlite3.Connection,
    start: str,
    end: str,
    *,
    fields: Sequence[tuple[str, str | None]],
    active: str,
    removed: str,
    reason_names: dict[str, str],
) -> Iterator[tuple[str, ...]]:
    """``ledger_rows`` as the cells of the package's 实名台账, every cell text, in SQL.

    ``fields`` are the template's attributes and their twins as written
    (``domain.FIELDS``): a value, else its text as written (所属地区: the area's name,
    else as written); then 状态 (``active`` / ``removed``), the reason's name
    (``reason_names``), the removal date and its note, as of ``end``; last, the
    record's dismissed warnings (``DISMISSALS_SQL``), for the 核实说明 column.
    Records whose 登记日期 could not be read come too (they belong to no year).
    """
    select = _sheet_select(fields, active, removed, reason_names)
    select.append(DISMISSALS_SQL.format(id="r.id"))
    sql = "SELECT " + ", ".join(select) + _SHEET_FROM + " ORDER BY r.id"
    return conn.execute(sql, {"start": start, "end": end})


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ledger_rows(conn: sqlite3.Connection, start: str, end: str) -> Iterator[tuple[Any, ...]]:
    """Records registered from ``start`` to ``end``, and those whose 登记日期 could not be
    read (they belong to no year and stay invalid until corrected), in the order they
    were entered.

    Each row: the values of ``ledger.RECORD_COLUMNS``, then the area's name
    (None when the area is unknown), the removal date, reason and note (message
    and note joined) of a removal dated on or before ``end`` (else None), then
    the record's dismissals as a JSON list of [key, reason, operator, at].
    """
    return conn.execute(_LEDGER_SQL, {"start": start, "end": end})


def count_ledger_rows(conn: sqlite3.Connection, start: str, end: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM records "
        "WHERE (registered_on >= ? AND registered_on <= ?) OR registered_on = ''",
        (start, end),
    ).fetchone()
    return int(row[0])


# --- Merged records --------------------------------------------------------------------------

#: A merged row: the ``ledger.record_row`` values (``RECORD_COLUMNS`` then
#: ``DERIVED_COLUMNS``), its own findings (kind, field, message, rule), and its
#: removal (date, reason, note) or three Nones.
MergedRow = tuple[
    tuple[Any, ...], list[tuple[str, str, str, str]], str | None, str | None, str | None
]


def next_record_id(conn: sqlite3.Connection) -> int:
    """The id the next inserted record gets (ids are consecutive inside one transaction
    with one writer, as ``ledger.insert_rows`` assumes)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM records").fetchone()[0])


def _tables_referencing_records(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to ``records``, whoever's migration made it."""
    rows = conn.execute(
        'SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f '
        "WHERE m.type = 'table' AND f.\"table\" = 'records' ORDER BY m.name"
    ).fetchall()
    return [(str(t), str(c)) for t, c in rows]


def delete_package_records(conn: sqlite3.Connection, package_id: int) -> int:
    """Delete the merged copies a package brought, and what hangs on them; returns how many.

    The tally triggers of migration 0002 take them out of the weekly table.
    """
    ids = "SELECT id FROM records WHERE package_id = :p"
    for table, column in _tables_referencing_records(conn):
        if table == "records":
            continue
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({ids})', {"p": package_id})
    cur = conn.execute("DELETE FROM records WHERE package_id = :p", {"p": package_id})
    return int(cur.rowcount)


def local_records_in_area(conn: sqlite3.Connection, area_id: int) -> int:
    """Records of an area that did not come in a package (typed or imported here)."""
    row = conn.execute(
        "SELECT count(*) FROM records WHERE area_id = ? AND package_id IS NULL", (area_id,)
    ).fetchone()
    return int(row[0])


# --- The package log -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageRow:
    """A row of the ``packages`` log."""

    id: int
    unit_code: str
    unit_name: str
    level: str
    year: int
    week_key: str
    week_label: str
    week_start: str
    week_end: str
    written_at: str
    app_version: str
    file_name: str
    sha256: str
    digest: str
    received_at: str
    operator: str
    row_count: int
    import_id: int | None
    status: str
    superseded_by: int | None


_PACKAGE_COLUMNS = (
    "id, unit_code, unit_name, level, year, week_key, week_label, week_start, week_end, "
    "written_at, app_version, file_name, sha256, digest, received_at, operator, row_count, "
    "import_id, status, superseded_by"
)


def _packages(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[PackageRow]:
    sql = f"SELECT {_PACKAGE_COLUMNS} FROM packages WHERE {where} ORDER BY id"
    return [PackageRow(*row) for row in conn.execute(sql, params)]


def active_package(conn: sqlite3.Connection, unit_code: str, year: int) -> PackageRow | None:
    """The package of a unit and year whose copies are in the ledger now, if any."""
    found = _packages(conn, "unit_code = ? AND year = ? AND status = 'active'", (unit_code, year))
    return found[0] if found else None


def packages_of_units(
    conn: sqlite3.Connection, unit_codes: Sequence[str], year: int
) -> list[PackageRow]:
    """Every package (active or superseded) of these units for a year, in order received."""
    if not unit_codes:
        return []
    marks = ", ".join("?" * len(unit_codes))
    return _packages(conn, f"unit_code IN ({marks}) AND year = ?", (*unit_codes, year))


def list_packages(conn: sqlite3.Connection) -> list[PackageRow]:
    return _packages(conn, "1", ())


def add_package(
    conn: sqlite3.Connection,
    *,
    unit_code: str,
    unit_name: str,
    level: str,
    year: int,
    week_key: str,
    week_label: str,
    week_start: str,
    week_end: str,
    written_at: str,
    app_version: str,
    file_name: str,
    sha256: str,
    digest: str,
    operator: str,
    row_count: int,
    import_id: int | None,
    fingerprint: str = "",
) -> int:
    """Log a package as the active one of its unit and year; returns its id."""
    cur = conn.execute(
        "INSERT INTO packages (unit_code, unit_name, level, year, week_key, week_label, "
        "week_start, week_end, written_at, app_version, file_name, sha256, digest, "
        "received_at, operator, row_count, import_id, fingerprint, status) VALUES (?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')",
        (
            unit_code,
            unit_name,
            level,
            year,
            week_key,
            week_label,
            week_start,
            week_end,
            written_at,
            app_version,
            file_name,
            sha256,
            digest,
            now_text(),
            operator,
            row_count,
            import_id,
            fingerprint,
        ),
    )
    return int(cur.lastrowid or 0)


def mark_superseded(conn: sqlite3.Connection, package_id: int) -> None:
    """Take a package out of the active slot (before its successor is logged)."""
    conn.execute("UPDATE packages SET status = 'superseded' WHERE id = ?", (package_id,))


def set_superseded_by(conn: sqlite3.Connection, package_id: int, successor: int) -> None:
    conn.execute("UPDATE packages SET superseded_by = ? WHERE id = ?", (successor, package_id))


def import_by_hash(conn: sqlite3.Connection, sha256: str) -> tuple[str, str, str] | None:
    """(file name, when, kind) of the import or merge of a file with this content, if any."""
    row = conn.execute(
        "SELECT file_name, imported_at, kind FROM imports WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2])) if row else None


def store_rows(
    conn: sqlite3.Connection,
    rows: Iterable[MergedRow],
    *,
    import_id: int | None,
    origin_unit: str | None,
    package_id: int | None,
    operator: str,
    removal_message: str = "",
) -> int:
    """Insert package rows as records with their findings and removals; returns how many.

    Records go in through ``ledger.insert_rows`` and removals through
    ``ledger.remove_records``, the ledger's own paths, so the weekly tally
    and the removal log are kept exactly as for any record. The caller holds
    the transaction.
    """
    first = next_record_id(conn)
    removed: dict[tuple[str, str], list[tuple[int, str, str]]] = {}

    def items() -> Iterator[ledger.RowAndFindings]:
        for i, (values, findings, removed_on, reason, note) in enumerate(rows):
            if removed_on is not None and reason is not None:
                removed.setdefault((removed_on, note or ""), []).append(
                    (first + i, reason, removal_message)
                )
            yield values, findings

    n = ledger.insert_rows(
        conn,
        items(),
        import_id=import_id,
        operator=operator,
        origin_unit=origin_unit,
        package_id=package_id,
    )
    for (removed_on, note), group in removed.items():
        ledger.remove_records(conn, group, removed_on=removed_on, note=note, operator=operator)
    return n


#: The indexes of ``records`` that a merge reads while it writes: copies by package (to
#: replace a package, to count its rows) and records by area.
MERGE_READS = frozenset({"records_area", "records_package"})


def drop_indexes(
    conn: sqlite3.Connection,
    keep: frozenset[str] = frozenset(),
    tables: tuple[str, ...] = ("records", "record_findings"),
) -> list[str]:
    """Drop the indexes of ``tables`` but those in ``keep``; returns their CREATE
    statements (``create_indexes`` builds them again).

    Rows then go in for a fraction of the cost, and building an index once over
    all rows is cheaper than growing it row by row: for a scratch ledger that is
    filled once and only tallied (``package.check_table``: nothing is rebuilt),
    and for a merge that brings more rows than the ledger holds (rebuilt at its
    end). The caller holds the transaction: a rollback brings them back.
    """
    marks = ", ".join("?" * len(tables))
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    dropped = [(name, sql) for name, sql in found if name not in keep]
    for name, _ in dropped:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in dropped]


def create_indexes(conn: sqlite3.Connection, statements: list[str]) -> None:
    """Build again the indexes ``drop_indexes`` dropped."""
    for sql in statements:
        conn.execute(sql)

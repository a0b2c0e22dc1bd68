"""SQL of the level above a city (migration 0011): a package's own areas and the drill-down.

``package_areas`` keeps the areas a merged package's unit listed in its 说明;
``package_runs`` which of them each merged copy came from (runs of consecutive
record ids). The drill-down counts records by those runs, from the records
themselves, so it always agrees with the ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

#: A run of merged copies from one of the sending unit's areas: (first id, last id, position).
Run = tuple[int, int, int]


def add_package_areas(
    conn: sqlite3.Connection, package_id: int, areas: Sequence[tuple[str | None, str]]
) -> None:
    """Store the sending unit's areas in order; position 0 is its 本级."""
    conn.executemany(
        "INSERT INTO package_areas (package_id, position, code, name) VALUES (?, ?, ?, ?)",
        [(package_id, i, code, name) for i, (code, name) in enumerate(areas)],
    )


def package_areas(conn: sqlite3.Connection, package_id: int) -> list[tuple[int, str | None, str]]:
    """(position, code, name) of a package's areas, in order."""
    return conn.execute(
        "SELECT position, code, name FROM package_areas WHERE package_id = ? ORDER BY position",
        (package_id,),
    ).fetchall()


def add_runs(conn: sqlite3.Connection, package_id: int, runs: Sequence[Run]) -> None:
    conn.executemany(
        "INSERT INTO package_runs (package_id, first_id, last_id, position) VALUES (?, ?, ?, ?)",
        [(package_id, *run) for run in runs],
    )


def uncount_copies_of_others(
    conn: sqlite3.Connection, area_id: int, unit_code: str, suffix_of: dict[str, str]
) -> int:
    """Take out of the count the copies in an area that another unit's package brought.

    Used when a unit that reports here itself (a directly administered county)
    has delivered its own package: the copies of its records that its city's
    package carried stay in the ledger, uncounted (no area), their 所属地区
    marked with the city's name. ``suffix_of`` maps an origin unit's code to
    its name. Returns how many copies changed.
    """
    changed = 0
    rows = conn.execute(
        "SELECT DISTINCT origin_unit FROM records WHERE area_id = ? AND package_id IS NOT NULL "
        "AND origin_unit IS NOT NULL AND origin_unit != ?",
        (area_id, unit_code),
    ).fetchall()
    for (origin,) in rows:
        cur = conn.execute(
            "UPDATE records SET area_id = NULL, area_raw = area_raw || ? "
            "WHERE area_id = ? AND package_id IS NOT NULL AND origin_unit = ?",
            (f"（{suffix_of.get(origin, origin)}）", area_id, origin),
        )
        changed += int(cur.rowcount)
    return changed


def breakdown_counts(
    conn: sqlite3.Connection,
    package_id: int,
    area_id: int | None,
    year_start: str,
    prev_end: str | None,
    end: str,
) -> list[tuple[int | None, int, int, int]]:
    """(position, indicator bits, cumulative at end, at prev_end) of a package's copies.

    With ``area_id``, only the copies still counted in that row here (this
    unit's row of the sending unit); with None, every copy, wherever it counts
    here. The position is None for a copy the sending unit did not count (its
    area unknown there). 本年累计 as in ``ledger.weekly_counts_by_scan``.
    """
    prev = prev_end or "0000-00-00"
    # Each copy's run: the one of the package starting last at or before its id (a seek in
    # the primary key per copy; a join on BETWEEN would scan the runs for every copy).
    sql = """
        SELECT (SELECT CASE WHEN s.last_id >= r.id THEN s.position END
                FROM package_runs s WHERE s.package_id = :pkg AND s.first_id <= r.id
                ORDER BY s.first_id DESC LIMIT 1) AS position,
               r.ind,
               sum(r.removed_on IS NULL OR r.removed_on > :end),
               sum(r.registered_on <= :prev AND (r.removed_on IS NULL OR r.removed_on > :prev))
        FROM records r
        WHERE r.package_id = :pkg AND (:area IS NULL OR r.area_id = :area) AND r.ind != 0
          AND r.registered_on >= :start AND r.registered_on <= :end
        GROUP BY position, r.ind
    """
    args = {"pkg": package_id, "area": area_id, "start": year_start, "end": end, "prev": prev}
    return conn.execute(sql, args).fetchall()


def other_counts(
    conn: sqlite3.Connection,
    package_id: int,
    area_id: int,
    year_start: str,
    prev_end: str | None,
    end: str,
) -> list[tuple[int, int, int]]:
    """(indicator bits, cumulative at end, at prev_end) of the area's records not in that package.

    Records typed or imported here into that area, or copies from elsewhere.
    """
    prev = prev_end or "0000-00-00"
    sql = """
        SELECT ind,
               sum(removed_on IS NULL OR removed_on > :end),
               sum(registered_on <= :prev AND (removed_on IS NULL OR removed_on > :prev))
        FROM records
        WHERE area_id = :area AND (package_id IS NULL OR package_id != :pkg) AND ind != 0
          AND registered_on >= :start AND registered_on <= :end
        GROUP BY ind
    """
    args = {"pkg": package_id, "area": area_id, "start": year_start, "end": end, "prev": prev}
    return conn.execute(sql, args).fetchall()

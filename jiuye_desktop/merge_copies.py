"""Where a merged package's copies go here: each by the sending unit's area it names.

A copy the sender counted goes to this unit's row of that area (or, at the
province, to a directly administered county's own row), its 所属地区 written as
that row's name; a copy the sender did not count stays uncounted. The runs of
consecutive copies from one of the sender's areas are kept for the drill-down
(``province``) and for 账表一致 (``province.sent_table``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .domain import Area
from .package import PackageHead
from .service import Session
from .storage import ledger, packages_sql, province_sql

_AREA_ID = len(ledger.RECORD_COLUMNS)  # area_id in a ledger.record_row tuple
_AREA_RAW = ledger.RECORD_COLUMNS.index("area_raw")


def copy_targets(
    session: Session,
    head: PackageHead,
    sources: Sequence[tuple[str | None, str]],
    areas: Mapping[str, tuple[int, Area]],
    own: tuple[int, str],
) -> list[tuple[int | None, str]]:
    """Where the copies from each of the sending unit's areas go here: (area id, 所属地区).

    By default to this unit's row of the sending unit (``own``). An area of the
    sending unit that is itself an area here (a directly administered county
    such as 巩义 410181 in 郑州's package, at the province) goes to that area's
    own row, never to the city's: unless that unit has delivered its own
    package of the year, which then alone counts (the copies stay uncounted,
    their 所属地区 marked with the city's name).
    """
    out: list[tuple[int | None, str]] = []
    for position, (code, name) in enumerate(sources):
        if position and code and code != head.unit.code and code in areas:
            other_id, other = areas[code]
            if packages_sql.active_package(session.db.conn, code, head.week.year) is not None:
                out.append((None, f"{name}（{head.unit.name}）"))
            else:
                out.append((other_id, other.name))
        else:
            out.append(own)
    return out


def city_rows(
    head: PackageHead,
    judged_rows: Sequence[packages_sql.MergedRow],
    scratch_ids: Sequence[int],
    targets: Sequence[tuple[int | None, str]],
    first_id: int,
    runs: list[province_sql.Run],
) -> Iterator[packages_sql.MergedRow]:
    """The package's rows as this unit stores them.

    A row the unit counts goes to this unit's row of that area (``targets``,
    by the sending unit's area it names), its 所属地区 written as that area's
    name (so that re-judging the ledger here, or this unit's own package one
    level up, finds the same area). A row the unit does not count (its area
    unknown there) stays uncounted, its 所属地区 kept with the unit's name
    added, so that no area here can match it.

    ``runs`` receives (first id, last id, position) of consecutive rows from
    one of the sending unit's areas, the rows getting ids from ``first_id``
    on (``province_sql.package_runs``: the drill-down into the sending unit).
    """
    unit_name = head.unit.name
    position_of = {scratch: position for position, scratch in enumerate(scratch_ids)}
    start, current = 0, None
    for i, (values, findings, removed_on, reason, note) in enumerate(judged_rows):
        row = list(values)
        position = position_of.get(row[_AREA_ID]) if row[_AREA_ID] is not None else None
        if position is None:
            raw = str(row[_AREA_RAW] or "")
            row[_AREA_ID] = None
            row[_AREA_RAW] = f"{raw}（{unit_name}）" if raw else ""
        else:
            row[_AREA_ID], row[_AREA_RAW] = targets[position]
        if position != current:
            if current is not None:
                runs.append((first_id + start, first_id + i - 1, current))
            start, current = i, position
        yield tuple(row), findings, removed_on, reason, note
    if current is not None:
        runs.append((first_id + start, first_id + len(judged_rows) - 1, current))

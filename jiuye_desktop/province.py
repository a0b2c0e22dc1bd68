"""The drill-down into a subordinate unit: its own areas' weekly rows, from the merged records.

A city's package carries every record of its areas, each naming its county in
所属地区, and its 说明 lists those areas. The unit above (the province, or a
city for a county with townships) keeps both (migration 0011), so
:func:`area_breakdown` gives the weekly table of one of its areas broken down
by that unit's own areas (``weekly --area CODE``; the weekly screen's
drill-down), counted from the records themselves: its 合计 is always this
unit's row of that area.

Rows: the sending unit's 本级 and its areas, in its order, except an area that
is an area here in its own right (a directly administered county, counted in
its own row); then, only when there are any, the records of that row that did
not come in that package (typed or imported here).
"""

from __future__ import annotations

from .domain import Level, Unit, Week, WeeklyRow, WeeklyTable
from .service import Session
from .storage import ledger, packages_sql, province_sql
from .weekly import _cells as cells_of
from .weekly import add_counts, year_days

#: The name of the row of records not brought by the package.
OTHER_ROW = "未随上报文件的记录"


class BreakdownError(ValueError):
    """No drill-down for that area (unknown code, or no package of it yet); Chinese message."""


def area_breakdown(session: Session, week: Week, area_code: str) -> WeeklyTable:
    """The weekly table of the area ``area_code`` by the areas of its own package.

    Raises:
        BreakdownError: no such subordinate area, or no package of it for that year.
    """
    conn = session.db.conn
    listed = ledger.list_areas(conn)
    found = [(i, a) for i, a in listed if a.code == area_code and not a.is_self]
    if not found:
        raise BreakdownError(f"{session.unit.name}没有代码为“{area_code}”的下属地区")
    area_id, area = found[0]
    active = packages_sql.active_package(conn, area_code, week.year)
    if active is None:
        raise BreakdownError(
            f"{area.name}还没有合并过{week.year}年的上报文件，无法按其下属地区查看"
        )
    args = year_days(week)
    positions = province_sql.package_areas(conn, active.id)
    cum, prev = _by_position(session, active.id, area_id, positions, args)
    own = {a.code for _, a in listed if a.code}
    rows = [
        WeeklyRow(code or "", name, cells_of(cum[p], prev[p]))
        for p, code, name in positions
        if p == 0 or not (code and code in own)
    ]
    other_cum, other_prev = [0] * 5, [0] * 5
    for bits, at_end, at_prev in province_sql.other_counts(conn, active.id, area_id, *args):
        add_counts(other_cum, other_prev, bits, at_end, at_prev)
    if any(other_cum) or any(other_prev):
        rows.append(WeeklyRow("", OTHER_ROW, cells_of(other_cum, other_prev)))
    total = tuple(sum(r.cells[i] for r in rows) for i in range(12))
    level = Level(active.level) if active.level in {lv.value for lv in Level} else Level.CITY
    return WeeklyTable(Unit(area_code, area.name, level), week, tuple(rows), total)


def sent_table(session: Session, package_id: int, unit: Unit, week: Week) -> WeeklyTable:
    """The weekly table of a merged package as its sender counted it, from the copies stored
    here: every copy whose area the sender knew, in the sender's rows (本级 and its areas,
    in its order), wherever it counts here. The merge compares it with the package's 附件1
    (账表一致): the check runs on what was stored."""
    positions = province_sql.package_areas(session.db.conn, package_id)
    cum, prev = _by_position(session, package_id, None, positions, year_days(week))
    rows = tuple(
        WeeklyRow(code or "", name, cells_of(cum[p], prev[p])) for p, code, name in positions
    )
    total = tuple(sum(r.cells[i] for r in rows) for i in range(12))
    return WeeklyTable(unit, week, rows, total)


Counts = dict[int, list[int]]


def _by_position(
    session: Session,
    package_id: int,
    area_id: int | None,
    positions: list[tuple[int, str | None, str]],
    args: tuple[str, str | None, str],
) -> tuple[Counts, Counts]:
    """本年累计 at the week's end and before it, per position of the package's rows."""
    cum: Counts = {p: [0] * 5 for p, _, _ in positions}
    prev: Counts = {p: [0] * 5 for p, _, _ in positions}
    counts = province_sql.breakdown_counts(session.db.conn, package_id, area_id, *args)
    for position, bits, at_end, at_prev in counts:
        if position is not None:  # a copy its sender did not count
            add_counts(
                cum.setdefault(position, [0] * 5),
                prev.setdefault(position, [0] * 5),
                bits,
                at_end,
                at_prev,
            )
    return cum, prev

"""An independent oracle of the ledger's counting and duplicate rules (domain.md §4, §5.3).

A plain re-implementation over rows as dicts of template header -> value (as
the generator writes them: text, ``datetime.date`` or ``""``), written from
the spec and deliberately without calling the application's code, so that a
test comparing the application's answers with this one compares two readings
of the spec.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NEW, ATTRITION, PLACEMENT = "新就业", "自然减员", "去产能安置"
YES = "是"
_ID = re.compile(r"\d{17}[\dX]")

Row = Mapping[str, object]


@dataclass(frozen=True)
class OracleRow:
    """A row of the workbook: its 序号, its values and whether it is flawed (invalid or
    incomplete: a sound record is kept before a flawed one among duplicates)."""

    seq: str
    values: Row
    flawed: bool = False


def person(values: Row) -> str | None:
    """The normalised citizen ID (spaces out, full-width to half-width, x → X), or None."""
    text = unicodedata.normalize("NFKC", str(values.get("公民身份号码") or ""))
    text = "".join(text.split()).upper()
    return text if _ID.fullmatch(text) else None


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def duplicates(rows: Sequence[OracleRow]) -> dict[str, str]:
    """序号 of each duplicate -> 序号 of the record kept for it.

    One 新就业 and one 去产能安置 per person and year, one 自然减员 per person
    ever; per group the kept one is sound before flawed, then the earliest
    就业（减员）日期, the earliest 登记日期, the earliest in the file.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(rows):
        pid, kind = person(row.values), str(row.values.get("登记类型") or "").strip()
        registered = _date(row.values.get("登记日期"))
        if pid is None or kind not in (NEW, ATTRITION, PLACEMENT):
            continue
        if kind == ATTRITION:
            key: tuple[str, ...] = (pid, kind)
        elif registered is None:
            continue
        else:
            key = (pid, kind, str(registered.year))
        groups.setdefault(key, []).append(i)
    out: dict[str, str] = {}
    far = dt.date.max
    for members in groups.values():
        if len(members) < 2:
            continue
        keeper = min(
            members,
            key=lambda i: (
                rows[i].flawed,
                _date(rows[i].values.get("就业（减员）日期")) or far,
                _date(rows[i].values.get("登记日期")) or far,
                i,
            ),
        )
        for i in members:
            if i != keeper:
                out[rows[i].seq] = rows[keeper].seq
    return out


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting week of a day: Saturday to Friday, clipped to the calendar year."""
    start = day - dt.timedelta(days=(day.weekday() - 5) % 7)  # the Saturday on or before
    end = start + dt.timedelta(days=6)
    return max(start, dt.date(day.year, 1, 1)), min(end, dt.date(day.year, 12, 31))


def _indicators(values: Row) -> tuple[int, int, int, int, int]:
    """(新就业, 自然减员, 再就业, 困难人员就业, 去产能职工安置) of one record: 0 or 1 each."""
    kind = str(values.get("登记类型") or "").strip()
    new = kind == NEW

    def flag(header: str) -> int:
        return int(new and str(values.get(header) or "").strip() == YES)

    overcapacity = flag("去产能职工") or int(kind == PLACEMENT)
    return (
        int(new),
        int(kind == ATTRITION),
        flag("失业人员再就业"),
        flag("就业困难人员"),
        overcapacity,
    )


def _cumulative(
    rows: Iterable[OracleRow],
    area_of: Mapping[str, str],
    names: Sequence[str],
    day: dt.date,
    year: int,
    removed: Mapping[str, dt.date],
) -> dict[str, list[int]]:
    """本年累计 per area of the five base indicators on ``day``."""
    out = {name: [0] * 5 for name in names}
    for row in rows:
        registered = _date(row.values.get("登记日期"))
        area = area_of.get(str(row.values.get("所属地区") or "").strip())
        if registered is None or area is None or registered.year != year or registered > day:
            continue
        gone = removed.get(row.seq)
        if gone is not None and gone <= day:
            continue
        for k, v in enumerate(_indicators(row.values)):
            out[area][k] += v
    return out


def weekly(
    rows: Sequence[OracleRow],
    areas: Sequence[tuple[str, str]],
    day: dt.date,
    removed: Mapping[str, dt.date],
) -> dict[str, object]:
    """The weekly table of the week of ``day``: start, end, 12 cells per area and 合计."""
    start, end = week_bounds(day)
    area_of = {code: name for code, name in areas} | {name: name for _, name in areas}
    names = [name for _, name in areas]
    now = _cumulative(rows, area_of, names, end, day.year, removed)
    before = _cumulative(rows, area_of, names, start - dt.timedelta(days=1), day.year, removed)
    table: dict[str, list[int]] = {}
    for name in names:
        cells: list[int] = []
        for k in range(5):
            cells += [now[name][k] - before[name][k], now[name][k]]
        # 1–2 城镇新增就业 = 3–4 城镇新就业 − 5–6 城镇自然减员.
        table[name] = [cells[0] - cells[2], cells[1] - cells[3], *cells]
    total = [sum(cells[c] for cells in table.values()) for c in range(12)]
    return {"start": start.isoformat(), "end": end.isoformat(), "rows": table, "total": total}


def expected(
    rows: Sequence[OracleRow],
    labels: Mapping[str, str],
    areas: Sequence[tuple[str, str]],
    removal_date: dt.date,
    days: Sequence[dt.date],
) -> dict[str, object]:
    """What the application must compute from a ledger: the samples' ``*-expected.json``.

    ``labels`` are the 序号 of the invalid and incomplete rows by what they are
    (the generator's own account of the defects it wrote); duplicates are the
    oracle's. Weeks are computed after every defective record was removed on
    ``removal_date`` (weeks that end before it still count them).
    """
    dups = duplicates(rows)
    defects: dict[str, list[int]] = {"duplicate": sorted(int(s) for s in dups)}
    for kind in ("invalid", "incomplete"):
        defects[kind] = sorted(int(s) for s, k in labels.items() if k == kind)
    removed = {str(s): removal_date for seqs in defects.values() for s in seqs}
    return {
        "records": len(rows),
        "defects": defects,
        "areas": dict(areas),
        "removal_date": removal_date.isoformat(),
        "weeks": {d.isoformat(): weekly(rows, areas, d, removed) for d in days},
    }

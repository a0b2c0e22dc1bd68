"""Progress against the annual targets (进度, domain.md §6).

For a week and each row of the weekly table (合计, 本级, every area), per
indicator: the target, the 本年累计 at the week's end (from the weekly
table, :func:`weekly.compute`), the share done (累计 ÷ target), the share of
the year elapsed at the week's end, the gap (target × elapsed − 累计;
positive = behind schedule) and a status: ``done`` (累计 ≥ target),
``behind`` (share done below the elapsed share), ``on_track``, or
``no_target``. The task is 全面完成 (``complete``) when no row other than 合计
has a target not yet met (``blocking``) and 合计 has met its targets.

:func:`weekly_series` gives the 本年累计 week by week for the chart, from the
same daily tally in one grouped read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .domain import COUNTED_INDICATORS, INDICATOR_NAMES, Unit, Week
from .service import Session
from .storage.targets_sql import TOTAL_AREA_ID, daily_tally
from .targets import TOTAL_CODE, TOTAL_NAME, Targets, load
from .weekly import compute as compute_weekly
from .weeks import weeks_of_year

DONE, BEHIND, ON_TRACK, NO_TARGET = "done", "behind", "on_track", "no_target"
STATUS_NAMES = {DONE: "已完成", BEHIND: "落后", ON_TRACK: "正常", NO_TARGET: "无目标"}
DECIMALS = 4


@dataclass(frozen=True, slots=True)
class IndicatorProgress:
    name: str
    target: int | None
    cumulative: int
    done: float | None  # 累计 ÷ target (None without a target, or with a target of 0)
    gap: float | None  # target × elapsed − 累计 (None without a target)
    status: str

    @property
    def unmet(self) -> bool:
        """A target not yet met at the week's end."""
        return self.target is not None and self.cumulative < self.target


@dataclass(frozen=True, slots=True)
class ProgressRow:
    code: str  # ``total``, the unit's code (本级), an area's code (its name when it has none)
    name: str
    area_id: int | None  # None for 合计
    indicators: tuple[IndicatorProgress, ...]

    @property
    def is_total(self) -> bool:
        return self.area_id is None

    @property
    def unmet(self) -> bool:
        return any(i.unmet for i in self.indicators)

    @property
    def has_target(self) -> bool:
        return any(i.target is not None for i in self.indicators)


@dataclass(frozen=True)
class Progress:
    unit: Unit
    week: Week
    elapsed: float
    rows: tuple[ProgressRow, ...]  # 合计, 本级, then the areas (table order)
    blocking: tuple[str, ...]
    complete: bool

    @property
    def total(self) -> ProgressRow:
        return self.rows[0]

    def row(self, code: str) -> ProgressRow:
        return next(r for r in self.rows if r.code == code)


def elapsed_share(day: dt.date) -> float:
    """The share of the year elapsed at the end of ``day``: (day − 1 Jan + 1) ÷ days of the year."""
    first = dt.date(day.year, 1, 1)
    days = (dt.date(day.year + 1, 1, 1) - first).days
    return ((day - first).days + 1) / days


def judge(name: str, target: int | None, cumulative: int, elapsed: float) -> IndicatorProgress:
    """One indicator of one row (domain.md §6)."""
    if target is None:
        return IndicatorProgress(name, None, cumulative, None, None, NO_TARGET)
    done = cumulative / target if target > 0 else None
    gap = target * elapsed - cumulative
    if cumulative >= target:
        status = DONE
    elif done is None or done < elapsed:
        status = BEHIND
    else:
        status = ON_TRACK
    return IndicatorProgress(name, target, cumulative, done, gap, status)


def _row(
    code: str,
    name: str,
    area_id: int | None,
    cum: tuple[int, ...],
    targets: list[int | None],
    elapsed: float,
) -> ProgressRow:
    return ProgressRow(
        code,
        name,
        area_id,
        tuple(judge(ind, targets[i], cum[i], elapsed) for i, ind in enumerate(INDICATOR_NAMES)),
    )


def _cumulative(cells: tuple[int, ...]) -> tuple[int, ...]:
    """本年累计 of the six indicators from the 12 cells of Annex 1 (the even columns)."""
    return tuple(cells[2 * i + 1] for i in range(len(INDICATOR_NAMES)))


def progress(session: Session, week: Week, targets: Targets | None = None) -> Progress:
    """Progress of every row at the end of ``week`` against the targets of its year."""
    table = compute_weekly(session, week)
    targets = targets if targets is not None else load(session, week.year)
    elapsed = elapsed_share(week.end)
    cells = {r.name: r.cells for r in table.rows}  # area names are unique
    out = [
        _row(
            TOTAL_CODE,
            TOTAL_NAME,
            None,
            _cumulative(table.total),
            [targets.total_target(n) for n in INDICATOR_NAMES],
            elapsed,
        )
    ]
    for row in targets.rows:
        out.append(
            _row(
                row.code,
                row.name,
                row.area_id,
                _cumulative(cells.get(row.name, (0,) * 12)),
                [targets.get(row.area_id, n) for n in INDICATOR_NAMES],
                elapsed,
            )
        )
    blocking = tuple(r.code for r in out[1:] if r.unmet)
    complete = not blocking and out[0].has_target and not out[0].unmet
    return Progress(session.unit, week, elapsed, tuple(out), blocking, complete)


# --- week by week (the chart) ---------------------------------------------------------------


def weekly_series(
    session: Session, upto: Week, area_id: int | None = None
) -> list[tuple[Week, tuple[int, ...]]]:
    """本年累计 of the six indicators at the end of every week of the year up to ``upto``.

    ``area_id`` None is 合计 (the unit), else one row (本级 or an area). One
    grouped read of the daily tally (a few thousand rows at a million records).
    """
    year = upto.year
    if area_id == TOTAL_AREA_ID:
        area_id = None
    changes = daily_tally(session.db.conn, year, upto.end.isoformat(), area_id)
    counted = [0] * len(COUNTED_INDICATORS)
    out: list[tuple[Week, tuple[int, ...]]] = []
    i = 0
    for week in weeks_of_year(year):
        end = week.end.isoformat()
        while i < len(changes) and changes[i][0] <= end:
            _, bits, n = changes[i]
            for k, ind in enumerate(COUNTED_INDICATORS):
                if bits & ind:
                    counted[k] += n
            i += 1
        out.append((week, (counted[0] - counted[1], *counted)))
        if week == upto:
            break
    return out


# --- output -----------------------------------------------------------------------------------


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, DECIMALS)


def progress_json(p: Progress) -> dict[str, Any]:
    """The JSON shape of cli.md (``progress --json``)."""
    return {
        "week": {
            "label": p.week.label,
            "start": p.week.start.isoformat(),
            "end": p.week.end.isoformat(),
        },
        "elapsed": round(p.elapsed, DECIMALS),
        "complete": p.complete,
        "blocking": list(p.blocking),
        "rows": [
            {
                "code": r.code,
                "name": r.name,
                "indicators": [
                    {
                        "name": i.name,
                        "target": i.target,
                        "cumulative": i.cumulative,
                        "done": _round(i.done),
                        "gap": _round(i.gap),
                        "status": i.status,
                    }
                    for i in r.indicators
                ],
            }
            for r in p.rows
        ],
    }


def summary_line(p: Progress) -> str:
    """One line: is the task 全面完成, and which rows (本级 and areas) keep it from being so."""
    names = {r.code: r.name for r in p.rows}
    if p.complete:
        return f"截至{p.week.end.month}月{p.week.end.day}日，{p.unit.name}及各下属地区均已完成目标任务：全面完成。"
    if not p.total.has_target and not p.blocking:
        return "尚未设定目标任务，无法判断是否全面完成（请在“目标任务”中设定）。"
    parts = []
    if p.blocking:
        parts.append(
            f"尚有 {len(p.blocking)} 个地区行未完成目标：" + "、".join(names[c] for c in p.blocking)
        )
    if p.total.unmet:
        unmet = [i.name for i in p.total.indicators if i.unmet]
        parts.append("合计未完成：" + "、".join(unmet))
    return f"截至{p.week.end.month}月{p.week.end.day}日，未全面完成。" + "；".join(parts) + "。"


def sorted_lines(
    p: Progress, *, with_no_target: bool = False
) -> list[tuple[ProgressRow, IndicatorProgress]]:
    """(row, indicator) lines sorted by the gap, largest first; lines without a target last."""
    lines = [(r, i) for r in p.rows for i in r.indicators if with_no_target or i.target is not None]
    order = {r.code: n for n, r in enumerate(p.rows)}
    lines.sort(
        key=lambda ri: (
            ri[1].gap is None,
            -(ri[1].gap or 0.0),
            order[ri[0].code],
            INDICATOR_NAMES.index(ri[1].name),
        )
    )
    return lines


def percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def gap_text(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f}"


def progress_text(p: Progress) -> str:
    """A readable plain-text report for the terminal (lines with a target, sorted by gap)."""
    lines = [
        f"{p.unit.name}  目标任务完成进度",
        f"{p.week.label}（{p.week.start.isoformat()} 至 {p.week.end.isoformat()}），"
        f"时间进度 {percent(p.elapsed)}",
        summary_line(p),
        "",
    ]
    body = sorted_lines(p)
    if not body:
        lines.append("（没有设定目标的指标）")
        return "\n".join(lines)
    head = ("地区", "指标", "目标", "本年累计", "完成", "差距", "状态")
    table = [head] + [
        (
            r.name,
            i.name,
            str(i.target),
            str(i.cumulative),
            percent(i.done),
            gap_text(i.gap),
            STATUS_NAMES[i.status],
        )
        for r, i in body
    ]
    widths = [max(_width(row[c]) for row in table) + 2 for c in range(len(head))]
    for row in table:
        lines.append("".join(cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(row)))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# --- the chart's data (drawn by the window with QPainter and by the PDF with reportlab) -------


@dataclass(frozen=True, slots=True)
class Chart:
    """本年累计 week by week against the target's straight line, for one row and indicator."""

    year: int
    row_name: str
    indicator: str
    target: int | None
    status: str
    days: int  # days of the year (x runs from 0 on 1 January to ``days`` on 31 December)
    points: tuple[
        tuple[int, int], ...
    ]  # (day of the year at the week's end, 本年累计), from (0, 0)

    @property
    def y_max(self) -> int:
        values = [v for _, v in self.points] + [self.target or 0]
        return max(1, *values)

    @property
    def y_min(self) -> int:
        return min(0, *(v for _, v in self.points))


def charts(session: Session, p: Progress, row_code: str = TOTAL_CODE) -> list[Chart]:
    """One chart per indicator of a row (the unit's 合计 by default): the indicators with a
    target on that row, or all six when the row has none."""
    row = p.row(row_code)
    series = weekly_series(session, p.week, row.area_id)
    first = dt.date(p.week.year, 1, 1)
    days = (dt.date(p.week.year + 1, 1, 1) - first).days
    chosen = [i for i in row.indicators if i.target is not None] or list(row.indicators)
    out = []
    for ind in chosen:
        k = INDICATOR_NAMES.index(ind.name)
        points = [(0, 0)] + [((w.end - first).days + 1, cum[k]) for w, cum in series]
        out.append(
            Chart(p.week.year, row.name, ind.name, ind.target, ind.status, days, tuple(points))
        )
    return out


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis values covering ``low``…``high`` (about ``count`` of them)."""
    span = max(high - low, 1.0)
    raw = span / max(count, 1)
    magnitude = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = int(low // step) * step
    ticks = []
    value = start
    while value <= high + step * 0.999:
        ticks.append(value)
        value += step
    return ticks


def month_starts(year: int) -> list[tuple[int, str]]:
    """(day of the year at the start of each month, ``M月``) for the x axis."""
    first = dt.date(year, 1, 1)
    return [((dt.date(year, m, 1) - first).days, f"{m}月") for m in range(1, 13)]

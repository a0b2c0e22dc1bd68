"""The weekly table (附件1) computed from the ledger (domain.md §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .domain import COUNTED_INDICATORS, Week, WeeklyRow, WeeklyTable
from .service import Session
from .storage import ledger
from .weeks import week_from_key, week_of

_COUNTED = COUNTED_INDICATORS


def _cells(cum: list[int], prev: list[int]) -> tuple[int, ...]:
    """12 cells from the cumulative counts of indicators 2–6 at the week's end and before it."""
    week = [c - p for c, p in zip(cum, prev, strict=True)]
    # 附件1 填表说明（三）: 1栏=3栏-5栏，2栏=4栏-6栏
    out = [week[0] - week[1], cum[0] - cum[1]]
    for w, c in zip(week, cum, strict=True):
        out += [w, c]
    return tuple(out)


def compute(session: Session, week: Week) -> WeeklyTable:
    """本年累计 and 本周实际 per area for a week; 合计 is the sum of the rows."""
    conn = session.db.conn
    areas = ledger.list_areas(conn)
    cum = {area_id: [0] * 5 for area_id, _ in areas}
    prev = {area_id: [0] * 5 for area_id, _ in areas}
    for area_id, bits, at_end, at_prev in ledger.weekly_counts(conn, *year_days(week)):
        if area_id in cum:
            add_counts(cum[area_id], prev[area_id], bits, at_end, at_prev)
    rows = tuple(
        WeeklyRow(area.code, area.name, _cells(cum[area_id], prev[area_id]))
        for area_id, area in areas
    )
    total = tuple(sum(r.cells[i] for r in rows) for i in range(12))
    return WeeklyTable(session.unit, week, rows, total)


def area_cells(session: Session, week: Week, area_id: int) -> tuple[int, ...]:
    """The 12 cells of one row of ``compute`` (read for that row alone: a merge shows each
    area it changes before and after)."""
    cum, prev = [0] * 5, [0] * 5
    for _, bits, at_end, at_prev in ledger.weekly_counts(
        session.db.conn, *year_days(week), area_id=area_id
    ):
        add_counts(cum, prev, bits, at_end, at_prev)
    return _cells(cum, prev)


def year_days(week: Week) -> tuple[str, str | None, str]:
    """(1 January, the day before the week or None when it starts the year, its last day)."""
    prev_end = None
    if week.start != dt.date(week.year, 1, 1):
        prev_end = (week.start - dt.timedelta(days=1)).isoformat()
    return dt.date(week.year, 1, 1).isoformat(), prev_end, week.end.isoformat()


def add_counts(cum: list[int], prev: list[int], bits: int, at_end: int, at_prev: int) -> None:
    """Add one group's counts (indicator bits, at the end, before the week) to a row's five
    counted indicators."""
    for i, ind in enumerate(_COUNTED):
        if bits & ind:
            cum[i] += at_end
            prev[i] += at_prev


def resolve_week(week_key: str | None, date: str | None) -> Week:
    """The week of ``--week YYYY-MM-N`` or of ``--date YYYY-MM-DD``."""
    if week_key:
        return week_from_key(week_key)
    if date:
        try:
            return week_of(dt.date.fromisoformat(date))
        except ValueError as exc:
            raise ValueError(f"日期“{date}”格式不对，应为 YYYY-MM-DD") from exc
    raise ValueError("需要 --week 或 --date")


def table_json(table: WeeklyTable) -> dict[str, Any]:
    """The JSON shape of cli.md."""
    return {
        "unit": {"code": table.unit.code, "name": table.unit.name},
        "week": {
            "label": table.week.label,
            "start": table.week.start.isoformat(),
            "end": table.week.end.isoformat(),
        },
        "columns": list(table.columns),
        "total": list(table.total),
        "rows": [{"code": r.code, "name": r.name, "cells": list(r.cells)} for r in table.rows],
    }


def table_text(table: WeeklyTable) -> str:
    """A readable plain-text table for the terminal."""
    head = ["地区"] + [f"{i + 1}" for i in range(12)]
    lines = [
        f"{table.unit.name}  城镇新增就业人员实名制登记统计情况周调度（汇总）表",
        f"{table.week.label}（{table.week.start.isoformat()} 至 {table.week.end.isoformat()}）",
        "栏目："
        + "；".join(
            f"{2 * i + 1}-{2 * i + 2} {name}"
            for i, name in enumerate(
                (
                    "城镇新增就业",
                    "城镇新就业",
                    "城镇自然减员",
                    "失业人员再就业",
                    "就业困难人员就业",
                    "去产能职工安置",
                )
            )
        )
        + "（单数栏本周实际，双数栏本年累计）",
        "",
    ]
    name_width = max(_width(r.name) for r in (*table.rows, WeeklyRow("", "合计", ()))) + 2

    def fmt(name: str, cells: tuple[int, ...] | list[str]) -> str:
        pad = " " * (name_width - _width(name))
        return name + pad + "".join(f"{str(c):>7}" for c in cells)

    lines.append(fmt(head[0], head[1:]))
    lines.append(fmt("合计", table.total))
    for r in table.rows:
        lines.append(fmt(r.name, r.cells))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

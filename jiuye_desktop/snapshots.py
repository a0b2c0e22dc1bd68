"""Weekly tables marked as submitted (标记为已上报), and what changed since (domain.md §4).

The weekly table is always computed from the ledger (账表一致). When a week was
submitted and the ledger changed afterwards, the screen shows the difference
as an adjustment instead of silently rewriting what went upward: this module
stores the submitted table and compares a freshly computed one with it.

Cells are addressed as ``(row_index, col)``: ``row_index`` 0 is 合计 and
``1 + i`` is ``table.rows[i]`` (本级 first, then the areas), the order of the
printed sheet; ``col`` is 0–11, the 12 columns of Annex 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .domain import Week, WeeklyTable
from .service import Session
from .storage import ledger
from .weekly import table_json
from .weeks import week_of

TOTAL_ROW = 0

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Submission:
    """The last time a week's table was marked as submitted."""

    submitted_at: str  # local time, ``YYYY-MM-DD HH:MM:SS``
    operator: str
    table: dict[str, Any]  # the table as ``weekly.table_json`` wrote it


def mark_submitted(session: Session, table: WeeklyTable) -> int:
    """Store the table as the one submitted for its week; returns the snapshot id.

    A week may be submitted again (a corrected table); the latest submission
    is the one later tables are compared with.
    """
    week = table.week
    with session.db.transaction() as tx:
        return ledger.add_snapshot(
            tx,
            week_key=week.key,
            label=week.label,
            start=week.start.isoformat(),
            end=week.end.isoformat(),
            table=table_json(table),
            operator=session.operator,
        )


def last_submission(session: Session, week: Week) -> Submission | None:
    """The latest submission of a week, or None when it was never submitted."""
    snap = ledger.last_snapshot(session.db.conn, week.key)
    if snap is None:
        return None
    return Submission(snap["submitted_at"], snap["operator"], snap["table"])


def _row_key(code: str, name: str) -> str:
    # A county's townships may have no code: their name identifies them.
    return f"code:{code}" if code else f"name:{name}"


def diff_tables(old: dict[str, Any], table: WeeklyTable) -> dict[Cell, int]:
    """Cells of ``table`` that differ from the submitted ``old`` (``table_json`` shape).

    Returns ``{(row_index, col): old value}``. An area that was not in the
    submitted table counts as having reported 0 in every column.
    """
    old_rows = {_row_key(r.get("code") or "", r["name"]): r["cells"] for r in old.get("rows", [])}
    changed: dict[Cell, int] = {}

    def compare(row_index: int, before: list[int] | None, now: tuple[int, ...]) -> None:
        for col, value in enumerate(now):
            was = int(before[col]) if before is not None and col < len(before) else 0
            if was != value:
                changed[(row_index, col)] = was

    compare(TOTAL_ROW, old.get("total"), table.total)
    for i, row in enumerate(table.rows, start=1):
        compare(i, old_rows.get(_row_key(row.code, row.name)), row.cells)
    return changed


def diff_with_last(session: Session, table: WeeklyTable) -> dict[Cell, int]:
    """``{(row_index, col): old value}`` of the cells that changed since the week was
    last submitted; empty when it never was."""
    submission = last_submission(session, table.week)
    if submission is None:
        return {}
    return diff_tables(submission.table, table)


def default_week(session: Session, today: dt.date | None = None) -> Week:
    """The week the weekly screen opens on.

    The week of today, unless the ledger's latest 登记日期 lies in an earlier
    year (a ledger of past years, a demo): then the week of that date, so that
    the screen opens on the ledger's data rather than on an empty year.
    """
    today = today or dt.date.today()
    # Newest first along the index on registered_on; only the first row is read.
    first = next(ledger.iter_records(session.db.conn, order="r.registered_on DESC"), None)
    latest = first[1].registered_on if first else None
    if latest:
        try:
            day = dt.date.fromisoformat(latest)
        except ValueError:
            day = today
        if day.year < today.year:
            return week_of(day)
    return week_of(today)

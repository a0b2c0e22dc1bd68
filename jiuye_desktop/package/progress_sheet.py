"""The optional 进度 sheet of a package: progress against the targets at the week's end.

Written when the unit has set any target for the week's year (domain.md §6),
so that the level above sees who is behind without recomputing. It is for
reading only: the receiver's merge does not depend on it, but shows what it
says (``read_progress_sheet``: 全面完成 or not, and which rows hold it back,
in the sender's words). Lines with a target, sorted by the gap (largest
first), as on the 进度 screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..progress import BEHIND, DONE, ON_TRACK, STATUS_NAMES, Progress, sorted_lines, summary_line

PROGRESS_SHEET = "进度"
HEADERS = ("地区代码", "地区", "指标", "目标", "本年累计", "完成比例", "时间进度", "差距", "状态")
_FILLS = {
    DONE: PatternFill("solid", fgColor="D8F0D2"),
    ON_TRACK: PatternFill("solid", fgColor="E8F1FD"),
    BEHIND: PatternFill("solid", fgColor="F8D4D0"),
}


_COMPLETE, _BLOCKING = "是否全面完成", "未完成目标的地区"


@dataclass(frozen=True, slots=True)
class ReportedProgress:
    """What a received package's 进度 sheet says (its sheet is signed with the rest)."""

    complete: bool
    blocking: tuple[str, ...]  # the sender's rows (本级 and areas) with a target not yet met
    summary: str  # the sender's one line (``progress.summary_line``)

    @property
    def text(self) -> str:
        """In a table cell: 全面完成, or 未全面完成 and who holds it back."""
        if self.complete:
            return "全面完成"
        if self.blocking:
            return "未全面完成：" + "、".join(self.blocking)
        return "未全面完成"

    def as_json(self) -> dict[str, Any]:
        return {"complete": self.complete, "blocking": list(self.blocking), "summary": self.summary}


def read_progress_sheet(grid: Sequence[Sequence[object]]) -> ReportedProgress | None:
    """The 进度 sheet's head as written by ``write_progress_sheet`` (None when it does not
    hold one: the sheet is for reading, never a reason to refuse a package)."""
    first = [str(row[0]).strip() if row and row[0] is not None else "" for row in grid]

    def value(key: str) -> str | None:
        if key not in first:
            return None
        row = grid[first.index(key)]
        return str(row[1]).strip() if len(row) > 1 and row[1] is not None else ""

    complete, blocking = value(_COMPLETE), value(_BLOCKING)
    if complete not in ("是", "否") or blocking is None:
        return None
    at = first.index(_BLOCKING) + 1
    summary = first[at] if at < len(first) else ""
    names = tuple(n for n in blocking.split("、") if n)
    return ReportedProgress(complete == "是", names, summary)


def has_targets(p: Progress) -> bool:
    return any(i.target is not None for r in p.rows for i in r.indicators)


def write_progress_sheet(wb: Workbook, p: Progress) -> None:
    """Append the 进度 sheet for ``p`` (every text cell is stored as text, never a formula)."""
    ws = wb.create_sheet(PROGRESS_SHEET)
    ws.append([f"{p.unit.name}目标任务完成进度"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{p.week.label}（{p.week.start.isoformat()} 至 {p.week.end.isoformat()}）"])
    ws.append(["时间进度", round(p.elapsed, 4)])
    ws["B3"].number_format = "0.0%"
    names = {r.code: r.name for r in p.rows}
    ws.append([_COMPLETE, "是" if p.complete else "否"])
    ws.append([_BLOCKING, "、".join(names.get(c, c) for c in p.blocking)])
    ws.append([summary_line(p)])
    ws.append([])
    ws.append(list(HEADERS))
    head = ws.max_row
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row, ind in sorted_lines(p):
        ws.append(
            [
                row.code,
                row.name,
                ind.name,
                ind.target,
                ind.cumulative,
                None if ind.done is None else round(ind.done, 4),
                round(p.elapsed, 4),
                None if ind.gap is None else round(ind.gap, 4),
                STATUS_NAMES[ind.status],
            ]
        )
        line = ws[ws.max_row]
        for cell in line[:3] + line[8:]:
            cell.data_type = "s"
        line[5].number_format = line[6].number_format = "0.0%"
        line[7].number_format = "#,##0.0"
        fill = _FILLS.get(ind.status)
        if fill is not None:
            line[8].fill = fill
    for col, width in zip("ABCDEFGHI", (12, 16, 22, 10, 10, 10, 10, 10, 8), strict=True):
        ws.column_dimensions[col].width = width

"""The ledger as the grid shows it, and the self-check's findings, as xlsx workbooks.

:func:`export_ledger_view` writes the records of the grid's current search,
filters and sort (``browse.BrowseQuery``), every field of the template plus
编号, 状态 and 自查问题; :func:`export_findings` writes the self-check's findings.
Every value is written as text (an 18-digit ID or a USCC stays as typed in Excel
and WPS), except 编号 and 原表行号, which are numbers. Both write atomically
(``atomic.atomic_write``) and report progress through a plain callback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..browse import BrowseQuery, fetch_rows, record_ids
from ..domain import FINDING_KIND_NAMES, RECORD_FIELDS, FindingKind
from ..selfcheck import CheckResult
from ..service import Session
from ..storage import ledger
from ..storage.view_sql import records_by_ids
from .atomic import atomic_write, check_target

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

#: Records fetched and written at a time.
CHUNK = 2000
_COL = {c: i for i, c in enumerate(ledger.RECORD_COLUMNS)}
_AREA = len(ledger.RECORD_COLUMNS)
#: Fields whose stored value may be empty while the row as read is kept (raw text).
_RAW = {
    "id_number": "id_raw",
    "event_date": "event_date_raw",
    "registered_on": "registered_on_raw",
}
LEDGER_HEADERS = ("编号", *(h for _, h in RECORD_FIELDS), "状态", "自查问题")
FINDING_HEADERS = (
    "问题类型",
    "记录编号",
    "原表行号",
    "姓名",
    "公民身份号码",
    "所属地区",
    "字段",
    "说明",
)
_WIDTHS = {"编号": 8, "姓名": 10, "公民身份号码": 21, "统一社会信用代码": 21, "联系电话": 14}


class ExportCancelled(Exception):
    """The clerk cancelled the export; nothing was written."""


@dataclass(frozen=True, slots=True)
class ViewExport:
    path: Path
    rows: int


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _field_value(row: tuple[Any, ...], attr: str) -> str:
    if attr == "area":
        return _text(row[_AREA] or row[_COL["area_raw"]])
    value = row[_COL[attr]]
    if not value and attr in _RAW:
        value = row[_COL[_RAW[attr]]]
    return _text(value)


def _sheet(wb: Workbook, title: str, headers: Sequence[str]) -> Any:
    ws = wb.create_sheet(title)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(header, 13)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F5")
    cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    ws.append(cells)
    return ws


def _text_cell(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.number_format = "@"  # text: Excel and WPS keep every digit
    return cell


def export_ledger_view(
    session: Session,
    query: BrowseQuery,
    path: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ViewExport:
    """Write the records the grid shows for ``query`` (its order) to an xlsx workbook.

    Raises:
        ExportError: the file cannot be written (open in another program, no folder, …).
        ExportCancelled: ``cancelled()`` turned true; nothing was written.
    """
    check_target(path)
    conn = session.db.conn
    ids = list(record_ids(session, query))
    total = len(ids)
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "实名台账", LEDGER_HEADERS)
    try:
        status_col = [c.key for c in _grid_columns()].index("status")
        findings_col = [c.key for c in _grid_columns()].index("findings")
        for start in range(0, total, CHUNK):
            if cancelled is not None and cancelled():
                raise ExportCancelled("已取消导出，没有写入文件")
            chunk = ids[start : start + CHUNK]
            stored = records_by_ids(conn, chunk)
            shown = fetch_rows(session, chunk)
            for record_id in chunk:
                row = stored.get(record_id)
                grid = shown.get(record_id)
                if row is None or grid is None:
                    continue
                cells: list[Any] = [record_id]
                cells += [_text_cell(ws, _field_value(row, attr)) for attr, _ in RECORD_FIELDS]
                cells += [
                    _text_cell(ws, grid.values[status_col]),
                    _text_cell(ws, grid.values[findings_col]),
                ]
                ws.append(cells)
            if progress is not None:
                progress(min(start + CHUNK, total), total)
    except BaseException:
        _discard(ws)
        raise
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return ViewExport(Path(path), total)


def _discard(ws: Any) -> None:
    """Close a write-only sheet's temporary file when the export stops half-way."""
    with contextlib.suppress(Exception):
        ws.close()


def _grid_columns() -> Sequence[Any]:
    from ..browse import COLUMNS

    return COLUMNS


def export_findings(
    result: CheckResult, path: Path | str, *, kinds: Sequence[str] | None = None
) -> ViewExport:
    """Write the self-check's findings (of ``kinds``, default all) to an xlsx workbook.

    Raises:
        ExportError: the file cannot be written.
    """
    check_target(path)
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "自查结果", FINDING_HEADERS)
    n = 0
    for f in result.findings:
        if kinds is not None and f.kind not in kinds:
            continue
        ws.append(
            [
                _text_cell(ws, FINDING_KIND_NAMES[FindingKind(f.kind)]),
                f.record,
                f.source_row,
                _text_cell(ws, f.name),
                _text_cell(ws, f.id_number),
                _text_cell(ws, f.area),
                _text_cell(ws, f.field),
                _text_cell(ws, f.message),
            ]
        )
        n += 1
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return ViewExport(Path(path), n)

"""The demo's rows written as an import-template workbook (openpyxl, write-only)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .demo import HEADERS, DemoRow
from .domain import FIELDS, FieldKind

#: Columns written as text whatever they look like (Excel would eat digits).
_TEXT_HEADERS = tuple(f.header for f in FIELDS if f.kind in (FieldKind.ID, FieldKind.CODE))


def write_workbook(rows: Iterable[DemoRow], path: Path, *, sheet: str = "实名台账") -> int:
    """Write rows as an import-template workbook; return the number of rows written.

    The header row holds every template header; IDs, USCCs and phones are text
    cells formatted ``@`` (so that editing them in Excel keeps every digit);
    dates are date cells; blanks are empty cells; 序号 is a number. The file
    appears only when complete: it is written beside ``path``, then renamed.
    """
    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for col, field in enumerate(FIELDS, 1):
        header = field.header
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = field.width or 2 * len(header) + 2
        if header in _TEXT_HEADERS:
            dim.number_format = "@"
    ws.freeze_panes = "C2"
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)

    text_cols = frozenset(HEADERS.index(h) for h in _TEXT_HEADERS)
    count = 0
    for row in rows:
        values = row.values
        out: list[object] = []
        for col, header in enumerate(HEADERS):
            value = values.get(header, "")
            if value == "" or value is None:
                out.append(None)
            elif col in text_cols:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.number_format = "@"
                out.append(cell)
            elif col == 0 and isinstance(value, str) and value.isdigit():
                out.append(int(value))
            else:
                out.append(value)
        ws.append(out)
        count += 1
    part = path.with_name(path.name + ".part")
    try:
        wb.save(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return count

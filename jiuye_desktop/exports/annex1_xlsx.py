"""The stamped Annex 1 sheet (附件1) as an xlsx worksheet, laid out as annex1.md.

:func:`write_annex1_sheet` lays the form out on any openpyxl worksheet, so that
the upward export package reuses it for its own 附件1 sheet;
:func:`export_annex1_xlsx` writes a workbook holding only that sheet.
Cells hold numbers, never formulas: every reader sees the values.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XlImage
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..domain import Week, WeeklyTable
from ..service import Session
from ..weekly import compute
from . import annex1_form as form
from .atomic import atomic_write
from .cells import cell_text, no_formulas

SHEET_NAME = form.ANNEX_LABEL
LAST_COL = 13  # 甲 + 12 columns
FONT_NAME = "宋体"
BODY_SIZE = 11
NUMBER_WIDTH = 10.5  # characters; an indicator name spans two such columns
FIRST_WIDTH_MIN = 14.0

# Row numbers of the form.
ROW_ANNEX, ROW_TITLE, ROW_UNIT = 1, 2, 3
ROW_HEAD_A, ROW_HEAD_B, ROW_HEAD_C = 4, 5, 6
ROW_BODY = 7

# Where the three parts of the unit line and of the signature line sit (columns).
LEFT_PART, MIDDLE_PART, RIGHT_PART = (1, 5), (6, 9), (10, 13)

# Picture sizes in pixels at 96 dpi: a seal is about 4 cm across, a signature 1.2 cm high.
SEAL_PX = 151
SIGN_HEIGHT_PX = 45
SIGN_MAX_WIDTH_PX = 140

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CORNER = Border(
    left=_THIN, right=_THIN, top=_THIN, bottom=_THIN, diagonal=_THIN, diagonalDown=True
)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _text_width(text: str) -> float:
    """Width of text in Excel character units (a Chinese character is two)."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _col_px(width: float) -> int:
    """Pixels of a column of ``width`` characters (Calibri 11 default: 7 px per digit)."""
    return int(width * 7 + 5)


def _row_px(points: float) -> int:
    return int(round(points * 96 / 72))


def _char_px(size: float = BODY_SIZE) -> float:
    """Pixels of one Chinese character at ``size`` points."""
    return size * 96 / 72


def write_annex1_sheet(
    ws: Worksheet,
    table: WeeklyTable,
    *,
    profile: dict[str, str],
    images: dict[str, bytes | None],
    fill_date: dt.date,
) -> None:
    """Lay the Annex 1 form out on an (empty) worksheet, ready to print on one A4 page.

    Args:
        ws: the worksheet to fill; its name is left to the caller.
        table: the weekly table (合计, 本级, areas).
        profile: the unit's people; ``unit_head`` and ``org_head`` are used.
        images: ``seal``, ``sign_unit``, ``sign_org`` PNG bytes or None.
        fill_date: the 填表日期 written in the footer.

    Raises:
        ExportError: an image cannot be read.
    """
    stamp = form.make_stamp(profile, images, fill_date)
    rows = form.body_rows(table)
    first_width = max(FIRST_WIDTH_MIN, min(30.0, max(_text_width(name) for name, _ in rows) + 3))
    ws.column_dimensions["A"].width = first_width
    for col in range(2, LAST_COL + 1):
        ws.column_dimensions[get_column_letter(col)].width = NUMBER_WIDTH
    total_width = first_width + NUMBER_WIDTH * (LAST_COL - 1)

    body_font = Font(name=FONT_NAME, size=BODY_SIZE)
    bold_font = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)

    # 1. 附件1
    cell = ws.cell(ROW_ANNEX, 1, form.ANNEX_LABEL)
    cell.font = Font(name=FONT_NAME, size=10)
    ws.row_dimensions[ROW_ANNEX].height = 16

    # 2. Title
    ws.merge_cells(start_row=ROW_TITLE, start_column=1, end_row=ROW_TITLE, end_column=LAST_COL)
    cell = ws.cell(ROW_TITLE, 1, form.TITLE)
    cell.font = Font(name=FONT_NAME, size=16, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[ROW_TITLE].height = 32

    # 3. 填报单位（公章）, week label, 计量单位
    # With a seal the name stands after it and the table below it: the seal covers
    # 填报单位（公章） only, never the name, the title or the table.
    pad = "\u3000" * _seal_pad_chars() if stamp.seal else ""
    unit_line = (
        (LEFT_PART, form.UNIT_LABEL + pad + table.unit.name, "left"),
        (MIDDLE_PART, table.week.label, "center"),
        (RIGHT_PART, form.UNIT_OF_MEASURE, "right"),
    )
    for (c0, c1), text, horizontal in unit_line:
        ws.merge_cells(start_row=ROW_UNIT, start_column=c0, end_row=ROW_UNIT, end_column=c1)
        cell = ws.cell(ROW_UNIT, c0, cell_text(text))
        cell.font = body_font
        cell.alignment = Alignment(
            horizontal=horizontal, vertical="top" if stamp.seal else "center"
        )
    ws.row_dimensions[ROW_UNIT].height = UNIT_ROW_SEALED if stamp.seal else 26

    _write_header(ws, first_width, body_font, bold_font)

    # 5. Body: 合计, 本级, areas; numbers, not formulas. Few rows get the room of a printed form;
    # many get 1.45 lines, so that printed on one page (fit to page) 30 areas stay ≥ 7 pt.
    body_height = body_row_height(len(rows))
    for i, (name, cells) in enumerate(rows):
        r = ROW_BODY + i
        cell = ws.cell(r, 1, cell_text(name))
        cell.font = bold_font if i == 0 else body_font
        cell.alignment = _CENTER
        cell.border = _BOX
        for j, value in enumerate(cells):
            cell = ws.cell(r, 2 + j, int(value))
            cell.font = bold_font if i == 0 else body_font
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.number_format = "0"
            cell.border = _BOX
        ws.row_dimensions[r].height = body_height
    last_body = ROW_BODY + len(rows) - 1

    # 6. Footer: signatures and date, then the three 填表说明 lines.
    row_sign = last_body + 1
    footer = (
        (LEFT_PART, form.UNIT_HEAD_LABEL + stamp.unit_head),
        (MIDDLE_PART, form.ORG_HEAD_LABEL + stamp.org_head),
        (RIGHT_PART, form.FILL_DATE_LABEL + form.date_text(stamp.fill_date)),
    )
    for (c0, c1), text in footer:
        ws.merge_cells(start_row=row_sign, start_column=c0, end_row=row_sign, end_column=c1)
        cell = ws.cell(row_sign, c0, cell_text(text))
        cell.font = body_font
        cell.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[row_sign].height = 40
    note_font = Font(name=FONT_NAME, size=10)
    for k, note in enumerate(form.NOTES):
        r = row_sign + 1 + k
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=LAST_COL)
        cell = ws.cell(r, 1, note)
        cell.font = note_font
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        # Room for the wrapped lines: a Chinese character is ~2 units at 10 pt.
        lines = max(1, math.ceil(_text_width(note) * 10 / BODY_SIZE / (total_width - 2)))
        ws.row_dimensions[r].height = 15 * lines + 3
    last_row = row_sign + len(form.NOTES)

    _place_images(ws, stamp, table.unit.name, row_sign, first_width)
    _page_setup(ws, last_row, compact=len(rows) > 20)
    no_formulas(ws)  # an area named "=…" stays a name


def body_row_height(rows: int) -> float:
    """Height (points) of a body row for a table of ``rows`` rows (合计 and 本级 included)."""
    if rows <= 12:
        return 26
    if rows <= 20:
        return 21
    return round(BODY_SIZE * 1.45, 1)


#: The unit row's height with a seal: the text at its top, the seal's lower half inside it.
UNIT_ROW_SEALED = 68
#: Pixels from the unit row's top to the middle of its (top-aligned) text.
_UNIT_TEXT_MID_PX = 12


def _seal_centre_x() -> float:
    """Pixels from the sheet's left edge to the centre of the （公章） words."""
    return 4 + _char_px() * (len(form.UNIT_LABEL) - 1 - len(form.SEAL_WORD) / 2)


def _seal_pad_chars() -> int:
    """Ideographic spaces after the label so that the unit's name starts right of the seal."""
    label_end = 4 + _char_px() * len(form.UNIT_LABEL)
    return max(0, math.ceil((_seal_centre_x() + SEAL_PX / 2 - label_end) / _char_px()) + 1)


def _write_header(ws: Worksheet, first_width: float, body_font: Font, bold_font: Font) -> None:
    """Rows A–C of the header: indicators over two columns, 本周实际/本年累计, 甲 1…12."""
    # Corner 项目/地区 over rows A–B, split by a diagonal: 项目 top right, 地区 bottom left.
    ws.merge_cells(start_row=ROW_HEAD_A, start_column=1, end_row=ROW_HEAD_B, end_column=1)
    pad = "\u3000" * max(1, int(first_width / 2) - 3)
    cell = ws.cell(ROW_HEAD_A, 1, f"{pad}{form.CORNER_TOP}\n{form.CORNER_BOTTOM}")
    cell.font = body_font
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for r in (ROW_HEAD_A, ROW_HEAD_B):
        ws.cell(r, 1).border = _CORNER
    for i, name in enumerate(form.INDICATORS):
        c0 = 2 + 2 * i
        ws.merge_cells(start_row=ROW_HEAD_A, start_column=c0, end_row=ROW_HEAD_A, end_column=c0 + 1)
        cell = ws.cell(ROW_HEAD_A, c0, name)
        cell.font = bold_font
        cell.alignment = _CENTER
        for k, sub in enumerate(form.SUB_HEADERS):
            cell = ws.cell(ROW_HEAD_B, c0 + k, sub)
            cell.font = body_font
            cell.alignment = _CENTER
    for c in range(2, LAST_COL + 1):
        ws.cell(ROW_HEAD_A, c).border = _BOX
        ws.cell(ROW_HEAD_B, c).border = _BOX
    for c in range(1, LAST_COL + 1):
        value: str | int = form.FIRST_COLUMN_CODE if c == 1 else c - 1
        cell = ws.cell(ROW_HEAD_C, c, value)
        cell.font = body_font
        cell.alignment = _CENTER
        cell.border = _BOX
    ws.row_dimensions[ROW_HEAD_A].height = 36
    ws.row_dimensions[ROW_HEAD_B].height = 24
    ws.row_dimensions[ROW_HEAD_C].height = 18


def _page_setup(ws: Worksheet, last_row: int, *, compact: bool = False) -> None:
    """A4 landscape, one page, centred, print area and margins LibreOffice does not clip.

    ``compact`` (many areas): narrower top and bottom margins, so that the page's scale
    keeps the table at 7 pt or more.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if compact:
        ws.page_margins = PageMargins(
            left=0.4, right=0.4, top=0.4, bottom=0.5, header=0.2, footer=0.2
        )
    else:
        ws.page_margins = PageMargins(
            left=0.5, right=0.5, top=0.6, bottom=0.9, header=0.3, footer=0.3
        )
    ws.print_area = f"A1:{get_column_letter(LAST_COL)}{last_row}"
    ws.sheet_view.showGridLines = False


# --- Seal and signatures -------------------------------------------------------------------------


def _col_left_px(ws: Worksheet, col: int) -> int:
    """Pixels from the sheet's left edge to the left of column ``col`` (1-based)."""
    return sum(
        _col_px(ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, col)
    )


def _row_top_px(ws: Worksheet, row: int) -> int:
    """Pixels from the sheet's top edge to the top of row ``row`` (1-based)."""
    return sum(_row_px(ws.row_dimensions[r].height or 15) for r in range(1, row))


def _anchor(ws: Worksheet, x: float, y: float, w: int, h: int) -> OneCellAnchor:
    """A one-cell anchor placing a ``w``×``h`` picture with its top left at (x, y) pixels."""
    x, y = max(0.0, x), max(0.0, y)
    col = 1
    while col < LAST_COL and _col_left_px(ws, col + 1) <= x:
        col += 1
    row = 1
    while _row_top_px(ws, row + 1) <= y:
        row += 1
    marker = AnchorMarker(
        col=col - 1,
        colOff=pixels_to_EMU(int(x - _col_left_px(ws, col))),
        row=row - 1,
        rowOff=pixels_to_EMU(int(y - _row_top_px(ws, row))),
    )
    return OneCellAnchor(_from=marker, ext=XDRPositiveSize2D(pixels_to_EMU(w), pixels_to_EMU(h)))


def _add_picture(ws: Worksheet, data: bytes, x: float, y: float, w: int, h: int) -> None:
    img = XlImage(io.BytesIO(data))
    img.width, img.height = w, h
    img.anchor = _anchor(ws, x, y, w, h)
    ws.add_image(img)


def _sign_size(data: bytes) -> tuple[int, int]:
    width, height = form.image_size(data)
    h = SIGN_HEIGHT_PX
    w = max(1, round(width * h / max(1, height)))
    if w > SIGN_MAX_WIDTH_PX:
        w, h = SIGN_MAX_WIDTH_PX, max(1, round(height * SIGN_MAX_WIDTH_PX / max(1, width)))
    return w, h


def _place_images(
    ws: Worksheet, stamp: form.Stamp, unit_name: str, row_sign: int, first_width: float
) -> None:
    """The seal over 填报单位（公章）, the signatures just after their 签章 labels."""
    char = _char_px()
    if stamp.seal:
        # Centre of the （公章） words on the unit line.
        seal_x = _seal_centre_x()
        seal_y = _row_top_px(ws, ROW_UNIT) + _UNIT_TEXT_MID_PX
        _add_picture(ws, stamp.seal, seal_x - SEAL_PX / 2, seal_y - SEAL_PX / 2, SEAL_PX, SEAL_PX)
    line_mid = _row_top_px(ws, row_sign) + _row_px(ws.row_dimensions[row_sign].height or 15) / 2
    for data, col, label, name in (
        (stamp.sign_unit, LEFT_PART[0], form.UNIT_HEAD_LABEL, stamp.unit_head),
        (stamp.sign_org, MIDDLE_PART[0], form.ORG_HEAD_LABEL, stamp.org_head),
    ):
        if not data:
            continue
        w, h = _sign_size(data)
        x = _col_left_px(ws, col) + 4 + _text_width(label + name) / 2 * char + 6
        _add_picture(ws, data, x, line_mid - h / 2, w, h)


# --- The workbook ---------------------------------------------------------------------------------


def build_annex1_workbook(
    table: WeeklyTable,
    *,
    profile: dict[str, str],
    images: dict[str, bytes | None],
    fill_date: dt.date,
) -> Workbook:
    """A workbook with the one sheet ``附件1``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    write_annex1_sheet(ws, table, profile=profile, images=images, fill_date=fill_date)
    return wb


def export_annex1_xlsx(
    session: Session, week: Week, path: Path | str, *, fill_date: dt.date | None = None
) -> Path:
    """Write the stamped Annex 1 of a week as an xlsx workbook with one sheet ``附件1``.

    Args:
        session: the open ledger.
        week: the reporting week.
        path: the target file; replaced atomically.
        fill_date: the 填表日期 (default today).

    Returns:
        The path written.

    Raises:
        ExportError: the file cannot be written (open in Excel, no folder, …)
            or an image cannot be read.
    """
    table = compute(session, week)
    stamp = form.session_stamp(session, fill_date)
    wb = build_annex1_workbook(
        table,
        profile=session.profile(),
        images={"seal": stamp.seal, "sign_unit": stamp.sign_unit, "sign_org": stamp.sign_org},
        fill_date=stamp.fill_date,
    )
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return Path(path)

"""The stamped Annex 1 sheet (附件1) as a one-page A4 landscape PDF (plus, when the
ledger changed what an earlier submitted week covered, attachment pages listing
the adjustments: ``adjustments_pdf``).

The same layout as the xlsx sheet (annex1.md), drawn with reportlab on one
page whatever the number of areas: the table's font shrinks, and as a last
resort the whole form is scaled, until it fits. The CJK font is embedded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from ..domain import Week, WeeklyTable
from ..service import Session
from ..submitted import Adjustments, listed
from ..weekly import compute
from . import annex1_form as form
from .adjustments_pdf import draw_adjustment_pages
from .atomic import atomic_write
from .fonts import PDF_FONT, register_cjk_font

PAGE = landscape(A4)
MARGIN = 12 * mm
SEAL_SIZE = 40 * mm  # a unit's seal is about 4 cm across
SIGN_HEIGHT = 12 * mm
SIGN_MAX_WIDTH = 38 * mm
TITLE_SIZE = 18
LINE_SIZE = 11
NOTE_SIZE = 9


@dataclass(frozen=True, slots=True)
class _Fit:
    """A table built at one font size, with its size on the page."""

    table: Table
    width: float
    height: float
    font_size: float


def _build_table(
    table: WeeklyTable,
    font: str,
    size: float,
    width: float,
    room: float | None = None,
    min_lines: float = 2.1,
) -> _Fit:
    """The header (three rows) and body as a reportlab Table at a font size.

    With ``room`` (the height available), body rows grow up to 2.8 lines to
    use it, as on the printed form.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows = form.body_rows(table)
    names = [name for name, _ in rows]
    first = max(
        24 * mm,
        max(stringWidth(n, font, size) for n in names) + 3 * size,
        stringWidth(form.CORNER_TOP + form.CORNER_BOTTOM, font, size) + 2 * size,
    )
    other = (width - first) / 12
    head_a: list[str] = [""]
    for name in form.INDICATORS:
        head_a += [name, ""]
    head_b = [""] + [sub for _ in form.INDICATORS for sub in form.SUB_HEADERS]
    head_c = [form.FIRST_COLUMN_CODE] + [str(i) for i in range(1, 13)]
    data = [head_a, head_b, head_c] + [[name] + [str(v) for v in cells] for name, cells in rows]
    head = [size * 3.0, size * 2.2, size * 1.8]
    body_h = size * min_lines
    if room is not None:
        body_h = max(body_h, min(size * 2.8, (room - sum(head)) / len(rows)))
    heights = head + [body_h] * len(rows)
    style = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("SPAN", (0, 0), (0, 1)),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    for i in range(6):
        style.append(("SPAN", (1 + 2 * i, 0), (2 + 2 * i, 0)))
    # Indicator names stay on one line: shrink that row's font when two columns are narrow.
    longest = max(stringWidth(n, font, 1) for n in form.INDICATORS)
    head_size = min(size, (2 * other - 6) / longest)
    if head_size < size:
        style.append(("FONT", (1, 0), (-1, 0), font, head_size))
    t = Table(data, colWidths=[first] + [other] * 12, rowHeights=heights)
    t.setStyle(TableStyle(style))
    w, h = t.wrap(width, 10_000)
    return _Fit(t, w, h, size)


def _note_paragraphs(font: str, size: float, width: float) -> tuple[list[Paragraph], float]:
    style = ParagraphStyle(
        "note", fontName=font, fontSize=size, leading=size * 1.45, wordWrap="CJK"
    )
    paras = [Paragraph(text, style) for text in form.NOTES]
    height = sum(p.wrap(width, 10_000)[1] for p in paras)
    return paras, height


def _image_reader(data: bytes) -> ImageReader:
    return ImageReader(io.BytesIO(data))


def _draw_sign(c: Canvas, data: bytes, x: float, baseline: float, size: float) -> None:
    """A signature just right of ``x``, centred on the text line."""
    w_px, h_px = form.image_size(data)
    h = SIGN_HEIGHT
    w = w_px * h / max(1, h_px)
    if w > SIGN_MAX_WIDTH:
        w, h = SIGN_MAX_WIDTH, h_px * SIGN_MAX_WIDTH / max(1, w_px)
    mid = baseline + size * 0.35
    c.drawImage(_image_reader(data), x, mid - h / 2, w, h, mask="auto")


@dataclass(frozen=True, slots=True)
class _Look:
    """The form's fixed parts: roomy for a few areas, compact for many."""

    margin: float
    title_size: float
    note_size: float
    sign_gap: float  # the signature line's distance below the table (in lines)
    table_gap: float = 6.0  # below the unit line (room for the seal's lower half)
    scale: float = 1.0


LOOKS = (
    _Look(MARGIN, TITLE_SIZE, NOTE_SIZE, 2.4),
    _Look(8 * mm, 16, 7.5, 1.9),
)
#: The smallest table font before the whole form is shrunk (30 areas stay at or above it).
MIN_TABLE_SIZE = 7.0


def _seal_gap() -> float:
    """Distance from the unit line's baseline to the table for the seal's lower half to clear it."""
    return SEAL_SIZE / 2 - LINE_SIZE * 0.35 + 2


def _fit_form(table: WeeklyTable, font: str, *, seal: bool) -> tuple[_Look, _Fit, list[Paragraph]]:
    """The look, table and notes for the page: the largest table font that fits.

    Roomy rows (2.1 lines) first, down to 9 pt; then tighter rows (1.35 lines) from
    11 pt down to ``MIN_TABLE_SIZE``, each size with the roomy fixed parts and then
    the compact ones; only past that (more than 30 areas) is the whole form scaled down.
    """
    page_w, page_h = PAGE
    tries = [(LOOKS[0], 2.1, s / 2) for s in range(22, 17, -1)]
    smallest = int(MIN_TABLE_SIZE * 4)
    tries += [(look, 1.35, s / 4) for s in range(44, smallest - 1, -1) for look in LOOKS]
    best = None
    for look, lines, size in tries:
        if seal:
            look = dataclasses.replace(look, table_gap=_seal_gap())
        width = page_w - 2 * look.margin
        notes, notes_h = _note_paragraphs(font, look.note_size, width)
        fixed = (
            10 * 1.6
            + look.title_size * 1.7
            + LINE_SIZE * 2.2
            + look.table_gap
            + LINE_SIZE * (look.sign_gap + 0.8)
            + 4
        )
        room = page_h - 2 * look.margin - fixed - notes_h
        fit = _build_table(table, font, size, width, room, lines)
        best = (look, fit, notes, room)
        if fit.height <= room:
            return look, fit, notes
    assert best is not None
    look, fit, notes, room = best
    content = page_h - 2 * look.margin
    scale = content / (content - room + fit.height)
    return dataclasses.replace(look, scale=scale), fit, notes


def draw_annex1(c: Canvas, table: WeeklyTable, stamp: form.Stamp) -> None:
    """Draw the form on the current page of a landscape A4 canvas (one page)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = register_cjk_font()
    page_w, page_h = PAGE
    look, fit, notes = _fit_form(table, font, seal=bool(stamp.seal))
    margin, title_size, width = look.margin, look.title_size, page_w - 2 * look.margin
    if look.scale < 1.0:
        # Very many areas: shrink the whole form about the top left corner.
        c.translate(margin, page_h - margin)
        c.scale(look.scale, look.scale)
        c.translate(-margin, -(page_h - margin))

    left, right = margin, margin + width
    y = page_h - margin
    c.setFillColor(colors.black)

    # 1. 附件1
    y -= 10
    c.setFont(font, 10)
    c.drawString(left, y, form.ANNEX_LABEL)
    # 2. Title; Micro Hei has no bold face: stroke the outline lightly instead.
    y -= title_size * 1.7
    c.saveState()
    text = c.beginText()
    text.setFont(font, title_size)
    text.setTextRenderMode(2)
    c.setLineWidth(0.45)
    text.setTextOrigin(left + (width - stringWidth(form.TITLE, font, title_size)) / 2, y)
    text.textOut(form.TITLE)
    c.drawText(text)
    c.restoreState()
    # 3. 填报单位（公章）, week, 计量单位
    y -= LINE_SIZE * 2.2
    c.setFont(font, LINE_SIZE)
    seal_centre = (
        left
        + stringWidth(form.UNIT_LABEL[: form.UNIT_LABEL.index(form.SEAL_WORD)], font, LINE_SIZE)
        + stringWidth(form.SEAL_WORD, font, LINE_SIZE) / 2,
        y + LINE_SIZE * 0.35,
    )
    c.drawString(left, y, form.UNIT_LABEL)
    # The unit's name after the label, or after the seal when there is one: the seal covers
    # 填报单位（公章） only, never the name.
    name_x = left + stringWidth(form.UNIT_LABEL, font, LINE_SIZE)
    if stamp.seal:
        name_x = max(name_x, seal_centre[0] + SEAL_SIZE / 2 + 2)
    c.drawString(name_x, y, table.unit.name)
    c.drawCentredString(left + width / 2, y, table.week.label)
    c.drawRightString(right, y, form.UNIT_OF_MEASURE)
    # 4–5. The table, below the seal's lower edge when there is a seal.
    y -= look.table_gap
    top = y
    fit.table.drawOn(c, left, top - fit.height)
    _draw_corner(c, fit, left, top, font)
    y = top - fit.height
    # 6. Signatures and date, then 填表说明.
    y -= LINE_SIZE * look.sign_gap
    col_w = fit.table._colWidths  # noqa: SLF001 - widths as laid out
    x_mid = left + sum(col_w[:MIDDLE_COL])
    x_right = left + sum(col_w[:RIGHT_COL])
    c.setFont(font, LINE_SIZE)
    sign_line = (
        (left, form.UNIT_HEAD_LABEL, stamp.unit_head, stamp.sign_unit),
        (x_mid, form.ORG_HEAD_LABEL, stamp.org_head, stamp.sign_org),
    )
    for x, label, name, image in sign_line:
        c.drawString(x, y, label + name)
        if image:
            end = x + stringWidth(label + name, font, LINE_SIZE) + 3
            _draw_sign(c, image, end, y, LINE_SIZE)
    c.drawString(x_right, y, form.FILL_DATE_LABEL + form.date_text(stamp.fill_date))
    y -= LINE_SIZE * 0.8 + 4
    for p in notes:
        _, h = p.wrap(width, 10_000)
        y -= h
        p.drawOn(c, left, y)
    # The seal last, over 填报单位（公章）, as it is stamped on paper.
    if stamp.seal:
        c.drawImage(
            _image_reader(stamp.seal),
            seal_centre[0] - SEAL_SIZE / 2,
            seal_centre[1] - SEAL_SIZE / 2,
            SEAL_SIZE,
            SEAL_SIZE,
            mask="auto",
        )


# Columns where the middle and right parts of the footer start (as in the xlsx: F and J).
MIDDLE_COL, RIGHT_COL = 5, 9


def _draw_corner(c: Canvas, fit: _Fit, left: float, top: float, font: str) -> None:
    """The 项目/地区 corner: a diagonal, 项目 top right, 地区 bottom left."""
    w = fit.table._colWidths[0]  # noqa: SLF001
    h = fit.table._rowHeights[0] + fit.table._rowHeights[1]  # noqa: SLF001
    size = fit.font_size
    c.setLineWidth(0.6)
    c.line(left, top, left + w, top - h)
    c.setFont(font, size)
    c.drawRightString(left + w - size * 0.4, top - size * 1.4, form.CORNER_TOP)
    c.drawString(left + size * 0.4, top - h + size * 0.5, form.CORNER_BOTTOM)
    c.setLineWidth(1)


def render_annex1_pdf(
    table: WeeklyTable, stamp: form.Stamp, adjustments: Adjustments | None = None
) -> bytes:
    """The one-page PDF of a weekly table, as bytes; with ``adjustments`` listed (domain.md
    §9) they follow on attachment pages.

    Raises:
        ExportError: the CJK font cannot be loaded.
    """
    register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE, pageCompression=1, initialFontName=PDF_FONT)
    c.setTitle(f"{table.unit.name} {form.TITLE} {table.week.label}")
    c.setAuthor(table.unit.name)
    c.setSubject(form.TITLE)
    draw_annex1(c, table, stamp)
    c.showPage()
    if adjustments is not None and adjustments.items:
        draw_adjustment_pages(c, adjustments, PAGE, MARGIN)
    c.save()
    return buf.getvalue()


def annex1_pdf_bytes(session: Session, week: Week, *, fill_date: dt.date | None = None) -> bytes:
    """The stamped Annex 1 PDF of a week from the ledger, as bytes (for a print preview).

    Raises:
        ExportError: an image cannot be read or the font cannot be loaded.
    """
    return render_annex1_pdf(
        compute(session, week), form.session_stamp(session, fill_date), listed(session, week)
    )


def export_annex1_pdf(
    session: Session, week: Week, path: Path | str, *, fill_date: dt.date | None = None
) -> Path:
    """Write the stamped Annex 1 of a week as a one-page A4 landscape PDF.

    Args:
        session: the open ledger.
        week: the reporting week.
        path: the target file; replaced atomically.
        fill_date: the 填表日期 (default today).

    Returns:
        The path written.

    Raises:
        ExportError: the file cannot be written (open in another program, no
            folder, …), an image cannot be read or the font cannot be loaded.
    """
    from .atomic import check_target

    check_target(path)
    data = annex1_pdf_bytes(session, week, fill_date=fill_date)
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)

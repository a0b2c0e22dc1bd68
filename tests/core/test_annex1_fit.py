"""Annex 1 with many areas (#16): 30 areas print at 7 pt or more on one A4 landscape page, in
the PDF and in the xlsx (fit to page), and the seal covers 填报单位（公章） but no other text."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from jiuye_desktop.domain import Level
from jiuye_desktop.exports import annex1_form as form
from jiuye_desktop.exports.annex1_pdf import _fit_form, export_annex1_pdf
from jiuye_desktop.exports.annex1_xlsx import export_annex1_xlsx
from jiuye_desktop.exports.fonts import register_cjk_font
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import week_from_key

WEEK = week_from_key("2017-11-2")
FILL_DAY = dt.date(2017, 11, 10)


def _seal() -> bytes:
    im = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((6, 6, 234, 234), outline=(220, 0, 0, 230), width=10)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _county(tmp_path: Path, areas: int, *, seal: bool) -> Session:
    s = init_database(
        tmp_path / f"c{areas}{seal}.sqlite",
        unit_code="411024",
        unit_name="鄢陵县",
        level=Level.COUNTY,
        areas=[(None, f"第{i}街道办事处") for i in range(1, areas + 1)],
    )
    if seal:
        s.set_image("seal", _seal())
    return s


@pytest.mark.parametrize("seal", [False, True])
def test_thirty_areas_keep_a_7pt_table_in_the_pdf(tmp_path: Path, seal: bool) -> None:
    s = _county(tmp_path, 30, seal=seal)
    try:
        table = compute(s, WEEK)
        look, fit, _ = _fit_form(table, register_cjk_font(), seal=seal)
        assert fit.font_size * look.scale >= 7.0
        out = export_annex1_pdf(s, WEEK, tmp_path / "a.pdf", fill_date=FILL_DAY)
    finally:
        s.close()
    doc = pdfium.PdfDocument(out.read_bytes())
    try:
        assert len(doc) == 1
        text = doc[0].get_textpage().get_text_range()
        assert "第30街道办事处" in text and "填表说明" in text
    finally:
        doc.close()


def test_few_areas_keep_the_roomy_form(tmp_path: Path) -> None:
    s = _county(tmp_path, 6, seal=True)
    try:
        look, fit, _ = _fit_form(compute(s, WEEK), register_cjk_font(), seal=True)
    finally:
        s.close()
    assert fit.font_size == 11 and look.scale == 1.0


@pytest.mark.parametrize("areas", [6, 30])
def test_the_seal_covers_no_text_but_its_label(tmp_path: Path, areas: int) -> None:
    s = _county(tmp_path, areas, seal=True)
    try:
        out = export_annex1_pdf(s, WEEK, tmp_path / "s.pdf", fill_date=FILL_DAY)
    finally:
        s.close()
    doc = pdfium.PdfDocument(out.read_bytes())
    try:
        page = doc[0]
        images = list(page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)))
        assert len(images) == 1
        left, bottom, right, top = images[0].get_bounds()
        cx, cy, r = (left + right) / 2, (bottom + top) / 2, (right - left) / 2
        textpage = page.get_textpage()
        covered = []
        for i in range(textpage.count_chars()):
            ch = textpage.get_text_range(i, 1)
            if not ch.strip():
                continue
            x0, y0, x1, y1 = textpage.get_charbox(i)
            # Nearest point of the character's box to the seal's centre.
            nx, ny = min(max(cx, x0), x1), min(max(cy, y0), y1)
            if math.hypot(nx - cx, ny - cy) < r:
                covered.append(ch)
        label = "".join(covered)
        assert covered and set(label) <= set(form.UNIT_LABEL), label
        assert "鄢" not in label  # the unit's name stands beside the seal
    finally:
        doc.close()


def _fit_to_page_scale(ws: openpyxl.worksheet.worksheet.Worksheet) -> float:
    """The scale Excel and WPS print a fit-to-one-page sheet at (A4 landscape, its margins)."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    last_col = column_index_from_string(ws.print_area.split(":")[-1].strip("$0123456789'!"))
    last_row = ws.max_row
    width_px = sum(
        int((ws.column_dimensions[get_column_letter(c)].width or 8.43) * 7 + 5)
        for c in range(1, last_col + 1)
    )
    height_pt = sum(ws.row_dimensions[r].height or 15 for r in range(1, last_row + 1))
    m = ws.page_margins
    page_w, page_h = 842 - 72 * (m.left + m.right), 595 - 72 * (m.top + m.bottom)
    return min(1.0, page_w / (width_px * 0.75), page_h / height_pt)


@pytest.mark.parametrize("seal", [False, True])
def test_thirty_areas_print_at_7pt_from_the_xlsx(tmp_path: Path, seal: bool) -> None:
    s = _county(tmp_path, 30, seal=seal)
    try:
        out = export_annex1_xlsx(s, WEEK, tmp_path / "a.xlsx", fill_date=FILL_DAY)
    finally:
        s.close()
    ws = openpyxl.load_workbook(out)["附件1"]
    body_size = ws.cell(8, 2).font.sz
    assert body_size * _fit_to_page_scale(ws) >= 7.0
    unit = ws.cell(3, 1).value
    assert unit.startswith(form.UNIT_LABEL) and unit.endswith("鄢陵县")
    if seal:
        # The name after the seal's right edge; the seal's lower edge above the table.
        from jiuye_desktop.exports.annex1_xlsx import SEAL_PX, _row_top_px

        (img,) = ws._images  # noqa: SLF001
        seal_bottom_row = img.anchor._from.row + 1  # noqa: SLF001
        assert seal_bottom_row <= 3
        top_px = _row_top_px(ws, seal_bottom_row) + img.anchor._from.rowOff / 9525  # noqa: SLF001
        assert top_px + SEAL_PX <= _row_top_px(ws, 4) + 1

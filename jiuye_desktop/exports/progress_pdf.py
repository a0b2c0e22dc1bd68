"""The one-page progress sheet (目标任务完成进度) for the weekly meeting, as a PDF.

A4 portrait: title, the week and the share of the year elapsed, the one line
saying whether the task is 全面完成 and which rows block it, the table of
the lines with a target sorted by the gap (status colour-coded; its font
shrinks until it fits), and one chart per indicator of the chosen row:
本年累计 week by week against the target's straight line (reportlab
graphics). The CJK font is embedded. Names are drawn as plain strings
(never parsed as markup).
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from ..progress import (
    BEHIND,
    DONE,
    NO_TARGET,
    ON_TRACK,
    STATUS_NAMES,
    Chart,
    Progress,
    charts,
    gap_text,
    month_starts,
    nice_ticks,
    percent,
    sorted_lines,
    summary_line,
)
from ..service import Session
from ..targets import TOTAL_CODE
from .atomic import atomic_write
from .fonts import register_cjk_font

PAGE = A4
MARGIN = 14 * mm
CHART_AREA = 92 * mm  # height kept for the charts at the bottom
MIN_TABLE_SIZE = 7.0  # the table's font shrinks down to this, then lines are left out
#: Status colours, shared in spirit with the window's table.
STATUS_COLORS = {
    DONE: colors.HexColor("#d8f0d2"),
    ON_TRACK: colors.HexColor("#eef6ff"),
    BEHIND: colors.HexColor("#f8d4d0"),
    NO_TARGET: colors.white,
}
CUMULATIVE_COLOR = colors.HexColor("#2f6fd6")
TARGET_COLOR = colors.HexColor("#888888")
HEAD = ("地区", "指标", "目标", "本年累计", "完成", "差距", "状态")


def _table(
    p: Progress, font: str, size: float, width: float, limit: int | None = None
) -> tuple[Table, float]:
    """The table of the lines with a target, sorted by the gap; with ``limit`` only the
    first ``limit`` lines and one line saying how many more there are."""
    lines = sorted_lines(p)
    omitted = 0
    if limit is not None and len(lines) > limit:
        lines, omitted = lines[:limit], len(lines) - limit
    data: list[list[str]] = [list(HEAD)]
    for row, ind in lines:
        data.append(
            [
                row.name,
                ind.name,
                str(ind.target),
                str(ind.cumulative),
                percent(ind.done),
                gap_text(ind.gap),
                STATUS_NAMES[ind.status],
            ]
        )
    if not lines:
        data.append(["（尚未设定目标任务）", "", "", "", "", "", ""])
    if omitted:
        data.append(
            [f"……另有 {omitted} 行差距较小或已完成，未列出（见“进度”页或上报文件的进度表）"]
        )
        data[-1] += [""] * 6
    name_w = max(stringWidth(r[0], font, size) for r in data[: len(lines) + 1]) + 8
    ind_w = max(stringWidth(r[1], font, size) for r in data[: len(lines) + 1]) + 8
    rest = (width - name_w - ind_w) / 5
    style = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (2, 1), (5, -1), "RIGHT"),
        ("ALIGN", (6, 1), (6, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for n, (row, ind) in enumerate(lines, start=1):
        style.append(("BACKGROUND", (6, n), (6, n), STATUS_COLORS[ind.status]))
        if ind.status == BEHIND:
            style.append(("TEXTCOLOR", (5, n), (5, n), colors.HexColor("#b00000")))
        if row.is_total:
            style.append(("BACKGROUND", (0, n), (5, n), colors.HexColor("#f4f4f4")))
    if not lines:
        style.append(("SPAN", (0, 1), (-1, 1)))
    if omitted:
        style.append(("SPAN", (0, -1), (-1, -1)))
        style.append(("ALIGN", (0, -1), (-1, -1), "LEFT"))
    t = Table(data, colWidths=[name_w, ind_w] + [rest] * 5, rowHeights=size * 1.7)
    t.setStyle(TableStyle(style))
    _, h = t.wrap(width, 100_000)
    return t, h


def _chart_drawing(chart: Chart, font: str, width: float, height: float) -> Drawing:
    d = Drawing(width, height, initialFontName=font)
    left, bottom, top_pad, right_pad = 34.0, 16.0, 16.0, 8.0
    pw, ph = width - left - right_pad, height - bottom - top_pad
    ticks = nice_ticks(chart.y_min, chart.y_max * 1.05, 4)
    y0, y1 = ticks[0], ticks[-1]

    def x(day: float) -> float:
        return left + pw * day / chart.days

    def y(value: float) -> float:
        return bottom + ph * (value - y0) / max(y1 - y0, 1)

    title = chart.indicator + (
        f"（目标 {chart.target}）" if chart.target is not None else "（无目标）"
    )
    d.add(String(left, height - 11, title, fontName=font, fontSize=8.5))
    d.add(
        Rect(
            left,
            bottom,
            pw,
            ph,
            strokeColor=colors.HexColor("#999999"),
            fillColor=None,
            strokeWidth=0.5,
        )
    )
    for value in ticks:
        d.add(
            Line(
                left,
                y(value),
                left + pw,
                y(value),
                strokeColor=colors.HexColor("#e2e2e2"),
                strokeWidth=0.4,
            )
        )
        label = f"{value:,.0f}"
        d.add(
            String(left - 3, y(value) - 2.5, label, fontName=font, fontSize=6.5, textAnchor="end")
        )
    for day, label in month_starts(chart.year)[::2]:
        d.add(String(x(day), bottom - 9, label, fontName=font, fontSize=6.5))
    if chart.target is not None:
        d.add(
            Line(
                x(0),
                y(0),
                x(chart.days),
                y(chart.target),
                strokeColor=TARGET_COLOR,
                strokeWidth=0.9,
                strokeDashArray=[3, 2],
            )
        )
    pts: list[float] = []
    for day, value in chart.points:
        pts += [x(day), y(value)]
    d.add(PolyLine(pts, strokeColor=CUMULATIVE_COLOR, strokeWidth=1.4))
    last_day, last = chart.points[-1]
    d.add(Circle(x(last_day), y(last), 2.2, fillColor=CUMULATIVE_COLOR, strokeColor=None))
    d.add(
        String(
            x(last_day) + 3,
            y(last) + 3,
            f"{last:,}",
            fontName=font,
            fontSize=7,
            fillColor=CUMULATIVE_COLOR,
            textAnchor="end" if last_day > chart.days * 0.85 else "start",
        )
    )
    return d


def render_progress_pdf(session: Session, p: Progress, chart_row: str = TOTAL_CODE) -> bytes:
    """The page as PDF bytes; the charts are of ``chart_row`` (合计 by default)."""
    font = register_cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=PAGE, pageCompression=1, initialFontName=font)
    c.setTitle(f"{p.unit.name}目标任务完成进度 {p.week.label}")
    page_w, page_h = PAGE
    width = page_w - 2 * MARGIN
    y = page_h - MARGIN
    title = f"{p.unit.name}目标任务完成进度"
    y -= 18
    c.setFont(font, 16)
    c.drawCentredString(page_w / 2, y, title)
    y -= 18
    c.setFont(font, 10)
    c.drawCentredString(
        page_w / 2,
        y,
        f"{p.week.label}（{p.week.start.isoformat()} 至 {p.week.end.isoformat()}）"
        f"　时间进度 {percent(p.elapsed)}",
    )
    # The one line (wrapped by width, plain text).
    y -= 8
    c.setFont(font, 10)
    for line in _wrap(summary_line(p), font, 10, width):
        y -= 14
        c.setFillColor(colors.HexColor("#0a6b1e") if p.complete else colors.HexColor("#9a1b10"))
        c.drawString(MARGIN, y, line)
    c.setFillColor(colors.black)
    y -= 8
    room = y - MARGIN - CHART_AREA - 6
    size = 10.0
    table, h = _table(p, font, size, width)
    while h > room and size > MIN_TABLE_SIZE:
        size -= 0.5
        table, h = _table(p, font, size, width)
    if h > room:  # very many lines (a province): the most behind ones, and how many more
        limit = max(1, int(room // (size * 1.7)) - 2)
        table, h = _table(p, font, size, width, limit)
        while h > room and limit > 1:
            limit -= 1
            table, h = _table(p, font, size, width, limit)
    table.drawOn(c, MARGIN, y - h)
    # Charts: in the room left under the table (at least CHART_AREA).
    items = charts(session, p, chart_row)
    row_name = p.row(chart_row).name
    cols = 3 if len(items) > 4 else 2 if len(items) > 1 else 1
    rows = (len(items) + cols - 1) // cols
    top = y - h - 14
    cell_w = width / cols
    cell_h = min((top - MARGIN - 16) / rows, 0.75 * cell_w, 85 * mm)
    c.setFont(font, 10)
    c.drawString(MARGIN, top - 10, f"本年累计逐周走势（{row_name}；虚线为目标进度线，点为本周）")
    for n, chart in enumerate(items):
        r, col = divmod(n, cols)
        drawing = _chart_drawing(chart, font, cell_w - 6, cell_h - 4)
        renderPDF.draw(drawing, c, MARGIN + col * cell_w, top - 16 - (r + 1) * cell_h)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def write_progress_pdf(
    session: Session, p: Progress, out: Path | str, *, chart_row: str = TOTAL_CODE
) -> Path:
    """Write the page to ``out`` (atomically)."""
    data = render_progress_pdf(session, p, chart_row)
    out = Path(out)
    with atomic_write(out) as tmp:
        tmp.write_bytes(data)
    return out

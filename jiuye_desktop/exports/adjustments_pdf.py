"""The attachment pages of the Annex 1 PDF: the adjustments since the last submission (domain.md §9).

Drawn after the form's page only when there are adjustments: one row per
adjustment (record, name, what changed, reason, operator, time) and its
effect on the six indicators' 本年累计, with a 合计 row; the table flows over
as many landscape A4 pages as it needs, its header repeated.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from ..domain import INDICATOR_NAMES
from ..submitted import Adjustments
from .fonts import PDF_FONT

SIZE = 8.5
#: Short names of the six indicators for the effect columns.
SHORT_NAMES = (
    "城镇新增就业",
    "城镇新就业",
    "城镇自然减员",
    "失业人员再就业",
    "就业困难人员就业",
    "去产能职工安置",
)


def title_text(adj: Adjustments) -> str:
    return f"附：自{adj.since_label}上报以来的调整（共 {len(adj.items)} 条）"


def intro_text(adj: Adjustments) -> str:
    return (
        f"{adj.since_label}的周报表于 {adj.since_at} 标记为已上报；此后修改、剔除、恢复或补录了"
        "其覆盖的记录（登记日期在已上报的周内），逐条列出如下。“对本年累计的影响”为"
        f"本表（{adj.week.label}）的合计行按变动后与变动前的记录分别计算之差；"
        "本周实际已含其中发生在本周的部分。"
    )


def draw_adjustment_pages(
    c: Canvas, adj: Adjustments, page: tuple[float, float], margin: float
) -> None:
    """Draw the attachment pages on ``c``, each ended with ``showPage``."""
    width, height = page
    usable = width - 2 * margin
    text = ParagraphStyle("adj", fontName=PDF_FONT, fontSize=SIZE, leading=SIZE * 1.3)
    head = ParagraphStyle("adjh", parent=text, alignment=1)
    intro = ParagraphStyle("intro", parent=text, fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=text, fontSize=14, leading=18, alignment=1)

    def p(value: str, style: ParagraphStyle = text) -> Paragraph:
        return Paragraph(escape(value), style)

    header = [
        p(h, head) for h in ("序号", "记录", "姓名", "变动内容", "调整原因", "操作员", "时间")
    ]
    header += [p(n, head) for n in SHORT_NAMES]
    rows: list[list[object]] = [header]
    for i, a in enumerate(adj.items, start=1):
        cells = [a.effect[2 * k + 1] for k in range(len(INDICATOR_NAMES))]
        rows.append(
            [str(i), f"#{a.record}", p(a.name), p(a.change), p(a.reason), p(a.operator), p(a.at)]
            + [f"{v:+d}" if v else "0" for v in cells]
        )
    total = adj.total
    rows.append(
        ["", "", p("合计"), "", "", "", ""]
        + [f"{total[2 * k + 1]:+d}" if total[2 * k + 1] else "0" for k in range(6)]
    )
    fixed = [8 * mm, 14 * mm, 16 * mm, 0.0, 34 * mm, 14 * mm, 32 * mm] + [14 * mm] * 6
    fixed[3] = usable - sum(fixed)
    table = Table(rows, colWidths=fixed, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), PDF_FONT, SIZE),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f6f6f6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (7, 1), (-1, -1), "RIGHT"),
                ("ALIGN", (0, 1), (1, -1), "CENTER"),
            ]
        )
    )
    parts = [table]
    first = True
    while parts:
        top = height - margin
        if first:
            heading = p(title_text(adj), title)
            _, h = heading.wrap(usable, 100)
            heading.drawOn(c, margin, top - h)
            top -= h + 3 * mm
            note = p(intro_text(adj), intro)
            _, h = note.wrap(usable, 200)
            note.drawOn(c, margin, top - h)
            top -= h + 4 * mm
            first = False
        else:
            cont = p(f"{title_text(adj)}（续）", intro)
            _, h = cont.wrap(usable, 100)
            cont.drawOn(c, margin, top - h)
            top -= h + 3 * mm
        room = top - margin
        chunk = parts.pop(0)
        _, h = chunk.wrap(usable, room)
        if h > room:
            pieces = chunk.split(usable, room)
            if len(pieces) < 2:  # a single row taller than a page: draw it anyway
                pieces = [chunk]
            else:
                parts = pieces[1:] + parts
            chunk = pieces[0]
            _, h = chunk.wrap(usable, room)
        chunk.drawOn(c, margin, top - h)
        c.showPage()

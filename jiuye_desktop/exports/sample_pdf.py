"""The call sheet (电话抽查呼叫单) of a telephone sample (domain.md §8): PDF, A4 landscape.

One section per area, each starting on a new page: the unit, the area, the
sample's number, date, indicators and seed (so that anyone can draw the same
sample again), then one row per sampled record — sequence, name, masked ID,
phone, type, indicator, event date, employer — with a box per outcome to tick
and room for a note. A sheet printed again after outcomes were recorded shows
them ticked. Every text from the ledger is escaped; the CJK font is embedded.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..phone_sample import OUTCOMES, Sample, SampleItem
from ..service import Session
from .atomic import atomic_write, check_target
from .fonts import PDF_FONT, register_cjk_font
from .numbered_canvas import NumberedCanvas
from .selfcheck_data import mask_id

PAGE = landscape(A4)
MARGIN = 12 * mm
_TYPE_SHORT = {"新就业": "新就业", "去产能安置": "去产能安置", "自然减员": "自然减员"}
_SHORT_INDICATOR = {
    "城镇新就业人员": "新就业",
    "失业人员再就业人数": "失业再就业",
    "就业困难人员就业人数": "困难人员",
    "去产能职工安置人数": "去产能",
}


class _NumberedCanvas(NumberedCanvas):
    """Writes the sample's number, date and seed left and 第 N 页 共 M 页 right at every foot."""

    footer = ""

    def draw_footer(self, page: int, total: int) -> None:
        self.setFont(PDF_FONT, 8.5)
        self.drawString(MARGIN, MARGIN / 2, self.footer)
        self.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"第 {page} 页 共 {total} 页")


def _styles() -> dict[str, ParagraphStyle]:
    font = register_cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=14),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cell_c": ParagraphStyle(
            "cell_c", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER
        ),
        "tick": ParagraphStyle("tick", parent=base, fontSize=12, leading=14, alignment=TA_CENTER),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or ""), style)


#: Short column labels of the outcomes, numbered as the keys of the 电话抽查 screen.
OUTCOME_LABELS = ("属实", "未就业", "自愿放弃", "空号停机", "无人接听", "拒访", "信息不符")
_GAP = "&nbsp;" * 5


def _outcome_cells(item: SampleItem, style: ParagraphStyle) -> list[Paragraph]:
    """One cell per outcome: empty (a box to tick), or ticked when it was recorded."""
    return [_p("√" if item.outcome == outcome else "", style) for outcome in OUTCOMES]


def _area_section(
    sample: Sample,
    unit_name: str,
    area_name: str,
    items: list[SampleItem],
    st: dict[str, ParagraphStyle],
    width: float,
) -> list[Flowable]:
    out: list[Flowable] = [
        _p(f"{unit_name}电话抽查呼叫单", st["title"]),
        Paragraph(
            _GAP.join(
                (
                    f"地区：{escape(area_name)}",
                    f"抽查编号：第 {sample.id} 号",
                    f"抽查日期：{sample.on_date.isoformat()}",
                    f"<b>随机种子：{sample.seed}</b>",
                    f"本地区抽取 {len(items)} 人",
                )
            ),
            st["meta"],
        ),
        _p(
            f"指标：{'、'.join(sample.indicators)}；{sample.how_many}；"
            f"同一台账用同一随机种子可重复抽出相同的记录。"
            "请逐一拨打，在“通话结果”的一格内打√（格上的数字即录入时所按的键），必要时写明备注。",
            st["meta"],
        ),
        Spacer(1, 2 * mm),
    ]
    cell, centre = st["cell"], st["cell_c"]
    head = ["序号", "姓名", "公民身份号码", "联系电话", "登记类型", "指标", "就业日期", "就业单位"]
    first = [_p(h, centre) for h in head] + [_p("通话结果（在一格内打√）", centre)]
    first += [""] * (len(OUTCOMES) - 1) + [_p("备注", centre)]
    second: list[Any] = [""] * len(head)
    second += [
        Paragraph(f"{i}<br/>{escape(label)}", centre) for i, label in enumerate(OUTCOME_LABELS, 1)
    ]
    second.append("")
    rows: list[list[Any]] = [first, second]
    for item in items:
        indicators = "、".join(_SHORT_INDICATOR.get(n, n) for n in item.indicators)
        rows.append(
            [
                _p(str(item.position), centre),
                _p(item.name, cell),
                _p(mask_id(item.id_number), cell),
                _p(item.phone, cell),
                _p(_TYPE_SHORT.get(item.record_type, item.record_type), centre),
                _p(indicators, cell),
                _p(item.event_date, centre),
                _p(item.employer, cell),
                *_outcome_cells(item, st["tick"]),
                _p(item.note, cell),
            ]
        )
    widths = [w * mm for w in (10, 16, 33, 22, 18, 20, 18, 35)]
    widths += [11 * mm] * len(OUTCOMES)
    widths.append(width - sum(widths))
    n = len(head)
    table = Table(rows, colWidths=widths, repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                *[("SPAN", (c, 0), (c, 1)) for c in range(n)],
                ("SPAN", (n, 0), (n + len(OUTCOMES) - 1, 0)),
                ("SPAN", (-1, 0), (-1, 1)),
                ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#EEEEEE")),
                ("FONT", (0, 0), (-1, -1), PDF_FONT, 8.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    out.append(table)
    out.append(Spacer(1, 5 * mm))
    out.append(
        _p("抽查人：____________　　　复核人：____________　　　日期：____年___月___日", st["meta"])
    )
    return out


def render_call_sheet(sample: Sample, unit_name: str) -> bytes:
    """The call sheet of a sample as PDF bytes, one section per area.

    Raises:
        ExportError: the CJK font cannot be loaded.
    """
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{unit_name}电话抽查呼叫单（第{sample.id}号）",
        author=unit_name,
        subject="电话抽查呼叫单",
        initialFontName=PDF_FONT,
    )
    story: list[Flowable] = []
    for i, (_code, name, items) in enumerate(sample.areas()):
        if i:
            story.append(PageBreak())
        story += _area_section(sample, unit_name, name, items, st, doc.width)

    class Numbered(_NumberedCanvas):
        footer = f"电话抽查第 {sample.id} 号　抽查日期 {sample.on_date.isoformat()}　随机种子 {sample.seed}"

    doc.build(story, canvasmaker=Numbered)
    return buf.getvalue()


def write_call_sheet(session: Session, sample: Sample, out: Path) -> Path:
    """Write the call sheet of a sample to ``out`` (replaced only when complete).

    Raises:
        ExportError: the target cannot be written or the CJK font cannot be loaded.
    """
    check_target(out)
    data = render_call_sheet(sample, session.unit.name)
    with atomic_write(out) as tmp:
        tmp.write_bytes(data)
    return out

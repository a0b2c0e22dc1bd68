"""The self-check report (自查报告, domain.md §7) as an A4 PDF.

Title, unit and date; how the check was done and the period covered; the six
本年累计 figures before the check, removed and after; removals by reason and
area; how many possible duplicates are left for review; the contact; room for
the seal (or the seal image). Then, as attachments after the signature like
in an official document, 附表1 the removed records and 附表2 the possible
duplicates (IDs masked). Long lists flow over pages with their header
repeated; every page says 第 N 页 共 M 页.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from ..domain import RecordType, kind_name
from ..selfcheck import CheckResult
from ..service import Session
from . import annex1_form as form
from .atomic import atomic_write, check_target
from .cells import pdf_text
from .fonts import PDF_FONT, register_cjk_font
from .numbered_canvas import NumberedCanvas
from .selfcheck_data import REASON_ORDER, SelfCheckData, gather

PAGE = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
SEAL_SIZE = 40 * mm
TITLE_TEMPLATE = "{unit}关于城镇新增就业人员实名登记台账自查情况的报告"
NOTICE = "《河南省人力资源和社会保障厅关于切实做好2017年城镇新增就业实名登记人员核查认定工作的通知》（豫人社办〔2017〕181号）"


OPEN_ANNEX = "尚未剔除的重复、无效、不完整记录"


def report_title(unit_name: str) -> str:
    """《<unit>关于城镇新增就业人员实名登记台账自查情况的报告》."""
    return "《" + TITLE_TEMPLATE.format(unit=unit_name) + "》"


# --- Page numbers -------------------------------------------------------------------------------


# --- Styles -------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    font = register_cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=19, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=6
        ),
        "meta": ParagraphStyle("meta", parent=base, alignment=TA_CENTER, spaceAfter=10),
        "h": ParagraphStyle(
            "h", parent=base, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("p", parent=base, firstLineIndent=22, spaceAfter=3),
        "item": ParagraphStyle("item", parent=base, leftIndent=22, firstLineIndent=0, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
        "cell_c": ParagraphStyle(
            "cell_c", parent=base, fontSize=8, leading=10.5, alignment=TA_CENTER
        ),
        "num": ParagraphStyle("num", parent=base, fontSize=10, leading=13, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "annex": ParagraphStyle("annex", parent=base, fontSize=13, leading=20, spaceAfter=8),
    }


def _grid(header_rows: int = 1, font_size: float = 10) -> list[Any]:
    return [
        ("FONT", (0, 0), (-1, -1), PDF_FONT, font_size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#EEEEEE")),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]


# --- Sections -----------------------------------------------------------------------------------


def _how_it_was_done(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    start, end = form.date_text(data.period_start), form.date_text(data.period_end)
    out: list[Flowable] = [Paragraph("一、自查工作开展情况", st["h"])]
    out.append(
        Paragraph(
            f"按照{NOTICE}要求，本单位对{start}至{end}登记的城镇新增就业人员实名登记台账"
            f"（本级及所属地区，共{data.area_count}个统计地区）共{data.records}条记录，"
            "逐条进行了自查。自查按以下标准认定：",
            st["body"],
        )
    )
    rules = (
        "（一）重复：同一人（以规范后的公民身份号码为准）同一年度内登记新就业超过一次、"
        "登记去产能安置超过一次，或登记自然减员超过一次的，每组优先保留既非无效也非不完整的一条，"
        "其次保留就业（减员）日期最早的一条"
        "（日期相同的保留登记日期最早、录入最早的一条），其余认定为重复。"
        "姓名、出生日期相同而公民身份号码不同的，列为疑似重复，留待人工核实，不自动剔除。",
        "（二）无效：公民身份号码不符合GB 11643-1999（位数、校验码或出生日期有误）；"
        "性别与公民身份号码不符；就业（减员）时未满16周岁；新就业时男性年满60周岁、女性年满55周岁；"
        "就业（减员）日期不在记录所属年度内或晚于登记日期；登记日期或就业（减员）日期填写了"
        "但无法识别为日期；所属地区不属于本单位；统一社会信用代码或联系电话格式错误。",
        "（三）不完整：姓名、公民身份号码、所属地区、登记类型、就业（减员）日期等必填项，"
        "以及按登记类型应填的就业形式、就业单位名称、困难人员类别、原企业名称、安置方式、"
        "减员原因、联系电话等项目，经补充后仍为空的。",
        "（四）灵活就业：灵活就业人员须连续工作3个月以上且收入不低于当地最低工资标准，"
        "方可认定为城镇新增就业；登记日期距就业日期不足3个自然月的，列为提示，逐条核实。",
    )
    out += [Paragraph(r, st["item"]) for r in rules]
    total = data.removed_total
    if total:
        when = "、".join(f"{form.date_text(d)}（{label}）" for d, label in data.removal_weeks)
        by_reason = data.by_reason()
        parts = "，".join(f"{kind_name(k)}{by_reason[k]}条" for k in REASON_ORDER)
        text = (
            f"对自查确定的重复、无效、经补充后仍不完整的数据予以剔除，共剔除{total}条（{parts}），"
            f"剔除日期为{when}，已在当周实名台账和周调度表中集中调整，本年累计数据相应核减。"
        )
        if data.notes:
            text += "剔除备注：" + "；".join(_esc(n) for n in data.notes) + "。"
    elif not data.open_rows:
        text = "经自查，未发现需要剔除的重复、无效或不完整数据。"
    else:
        text = "截至报告日期，尚未剔除任何记录。"
    out.append(Paragraph(text, st["body"]))
    out += _open_text(data, st)
    if data.warnings_open or data.warnings_checked:
        said: list[str] = []
        if data.warnings_open:
            said.append(f"仍有{data.warnings_open}条记录有提示（含疑似重复）待人工核实")
        if data.warnings_checked:
            said.append(f"{data.warnings_checked}条提示已逐条核实后保留")
        out.append(Paragraph("提示不属剔除范围：" + "，".join(said) + "。", st["body"]))
    return out


def _open_text(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """What is still open (domain.md §7): counts per kind and area, the list in an annex."""
    if not data.open_rows:
        return []
    by_kind = data.open_by_kind()
    total = len(data.open_rows)
    kinds = "，".join(f"{kind_name(k)}{n}条" for k, n in by_kind.items() if n)
    areas = "；".join(
        f"{_esc(area)}：" + "、".join(f"{kind_name(k)}{n}条" for k, n in counts.items() if n)
        for area, counts in data.open_by_area()
    )
    number = _annex_names(data).index(OPEN_ANNEX) + 1
    return [
        Paragraph(
            f"截至报告日期，自查发现的重复、无效或不完整记录中仍有{total}条尚未剔除（{kinds}），"
            f"按地区：{areas}。上述记录正在核实、补充或剔除，明细见附表{number}。",
            st["body"],
        )
    ]


def _figures_table(
    data: SelfCheckData, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph("二、自查前后本年累计数据对比", st["h"]),
        Paragraph(
            f"统计截至{form.date_text(data.period_end)}（单位：人）。自查前为不计剔除的本年累计数，"
            "自查后与周调度表（附件1）本年累计数一致。",
            st["body"],
        ),
    ]
    rows: list[list[Any]] = [["项目", "自查前本年累计", "剔除", "自查后本年累计"]]
    for name, b, r, a in zip(form.INDICATORS, data.before, data.removed, data.after, strict=True):
        rows.append([name, str(b), str(r), str(a)])
    first = width * 0.34
    t = Table(rows, colWidths=[first] + [(width - first) / 3] * 3, repeatRows=1)
    style = _grid(font_size=10.5)
    style += [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("RIGHTPADDING", (1, 1), (-1, -1), 12)]
    t.setStyle(TableStyle(style))
    out.append(t)
    return [KeepTogether(out)]


def _by_area_table(
    data: SelfCheckData, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    head_block: list[Flowable] = [
        Paragraph("三、剔除情况", st["h"]),
        Paragraph(
            "按剔除原因和地区统计如下（单位：条）"
            + ("，剔除记录明细见附表1。" if data.removed_rows else "。"),
            st["body"],
        ),
    ]
    head = ["地区", *(kind_name(k) for k in REASON_ORDER), "合计"]
    totals = data.by_reason()
    rows: list[list[Any]] = [head]
    rows.append(["合计", *(str(totals[k]) for k in REASON_ORDER), str(sum(totals.values()))])
    for area, counts in data.by_area:
        rows.append(
            [area, *(str(counts.get(k, 0)) for k in REASON_ORDER), str(sum(counts.values()))]
        )
    first = width * 0.34
    t = Table(rows, colWidths=[first] + [(width - first) / 4] * 4, repeatRows=1)
    style = _grid(font_size=10)
    style += [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("RIGHTPADDING", (1, 1), (-1, -1), 12)]
    t.setStyle(TableStyle(style))
    if len(rows) <= 25:
        return [KeepTogether([*head_block, t])]
    return [CondPageBreak(50 * mm), *head_block, t]


_TYPE_SHORT = {
    RecordType.NEW.value: "新就业",
    RecordType.ATTRITION.value: "自然减员",
    RecordType.PLACEMENT.value: "去产能安置",
}


def _annex_names(data: SelfCheckData) -> list[str]:
    """Names of the detail tables that follow the signature, in order."""
    names = []
    if data.open_rows:
        names.append(OPEN_ANNEX)
    if data.removed_rows:
        names.append("剔除记录明细")
    if data.review:
        names.append("待核实的疑似重复记录")
    return names


def _review_summary(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("四、待核实的疑似重复记录", st["h"])]
    if not data.review:
        out.append(
            Paragraph(
                "经自查，未发现疑似同一人重复登记的记录（姓名相同或读音相同且出生日期相同而"
                "公民身份号码不同，公民身份号码与同名记录仅差一位或相邻两位颠倒，"
                "三人以上使用同一联系电话）。",
                st["body"],
            )
        )
        return out
    number = _annex_names(data).index("待核实的疑似重复记录") + 1
    out.append(
        Paragraph(
            f"有{len(data.review)}条记录疑似与其他记录为同一人（姓名相同或读音相同且出生日期"
            "相同而公民身份号码不同，公民身份号码与同名记录仅差一位或相邻两位颠倒，"
            f"三人以上使用同一联系电话），未自动剔除，待人工逐条核实（明细见附表{number}）。",
            st["body"],
        )
    )
    return out


def _removed_list(
    data: SelfCheckData, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    if not data.removed_rows:
        return []
    number = _annex_names(data).index("剔除记录明细") + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{_GAP}剔除记录明细（共{data.removed_total}条）", st["annex"]),
    ]
    cell, centre = st["cell"], st["cell_c"]
    head = [
        "序号",
        "姓名",
        "公民身份号码",
        "地区",
        "登记类型",
        "就业（减员）日期",
        "原因",
        "说明",
        "备注",
    ]
    rows: list[list[Any]] = [[Paragraph(h, centre) for h in head]]
    for i, r in enumerate(data.removed_rows, start=1):
        rows.append(
            [
                Paragraph(str(i), centre),
                Paragraph(_esc(r.name), cell),
                Paragraph(_esc(r.masked_id), cell),
                Paragraph(_esc(r.area), cell),
                Paragraph(_esc(_TYPE_SHORT.get(r.record_type, r.record_type)), cell),
                Paragraph(_esc(r.event_date), centre),
                Paragraph(_esc(r.reason), centre),
                Paragraph(_esc(r.message), cell),
                Paragraph(_esc(r.note), cell),
            ]
        )
    widths = [w * mm for w in (9, 14, 31, 16, 15, 17, 10)]
    rest = width - sum(widths)
    widths += [rest * 0.68, rest * 0.32]
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid(font_size=8)
    style += [("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    t.setStyle(TableStyle(style))
    out.append(t)
    return out


def _open_list(data: SelfCheckData, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    if not data.open_rows:
        return []
    number = _annex_names(data).index(OPEN_ANNEX) + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{_GAP}{OPEN_ANNEX}（共{len(data.open_rows)}条）", st["annex"]),
    ]
    cell, centre = st["cell"], st["cell_c"]
    head = ("序号", "姓名", "公民身份号码", "地区", "问题", "项目", "说明")
    rows: list[list[Any]] = [[Paragraph(h, centre) for h in head]]
    for i, r in enumerate(data.open_rows, start=1):
        rows.append(
            [
                Paragraph(str(i), centre),
                Paragraph(_esc(r.name), cell),
                Paragraph(_esc(r.masked_id), cell),
                Paragraph(_esc(r.area), cell),
                Paragraph(_esc(kind_name(r.kind)), centre),
                Paragraph(_esc(r.field), cell),
                Paragraph(_esc(r.message), cell),
            ]
        )
    widths = [w * mm for w in (9, 14, 31, 16, 11, 20)]
    widths.append(width - sum(widths))
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid(font_size=8)
    style += [("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    t.setStyle(TableStyle(style))
    out.append(t)
    return out


def _review_list(
    data: SelfCheckData, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    if not data.review:
        return []
    number = _annex_names(data).index("待核实的疑似重复记录") + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{_GAP}待核实的疑似重复记录（共{len(data.review)}条）", st["annex"]),
    ]
    cell, centre = st["cell"], st["cell_c"]
    rows: list[list[Any]] = [
        [Paragraph(h, centre) for h in ("序号", "姓名", "公民身份号码", "地区", "说明")]
    ]
    for i, r in enumerate(data.review, start=1):
        rows.append(
            [
                Paragraph(str(i), centre),
                Paragraph(_esc(r.name), cell),
                Paragraph(_esc(r.masked_id), cell),
                Paragraph(_esc(r.area), cell),
                Paragraph(_esc(r.message), cell),
            ]
        )
    widths = [w * mm for w in (9, 16, 31, 18)]
    widths.append(width - sum(widths))
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid(font_size=8)
    style += [("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    t.setStyle(TableStyle(style))
    out.append(t)
    return out


class _SealBlock(Flowable):
    """The unit's name and the date at the right, with the seal over them or room for it."""

    def __init__(self, unit_name: str, date_text: str, seal: bytes | None) -> None:
        super().__init__()
        self.unit_name = unit_name
        self.date_text = date_text
        self.seal = seal
        self.height = SEAL_SIZE + 6 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        c = self.canv
        size = 12
        # With the seal image the stamp itself shows where; on paper the words ask for it.
        line1 = self.unit_name if self.seal else f"{self.unit_name}（盖章）"
        text_w = max(
            stringWidth(line1, PDF_FONT, size), stringWidth(self.date_text, PDF_FONT, size)
        )
        right = self.width - 8 * mm
        centre_x = right - text_w / 2
        mid_y = self.height / 2
        c.setFont(PDF_FONT, size)
        c.drawCentredString(centre_x, mid_y + 4, line1)
        c.drawCentredString(centre_x, mid_y - size - 4, self.date_text)
        if self.seal:
            c.drawImage(
                ImageReader(io.BytesIO(self.seal)),
                centre_x - SEAL_SIZE / 2,
                mid_y - SEAL_SIZE / 2,
                SEAL_SIZE,
                SEAL_SIZE,
                mask="auto",
            )


#: Room between items on one line (a paragraph collapses ordinary and ideographic spaces).
_GAP = "&nbsp;" * 6


def _esc(text: str) -> str:
    """User text in a paragraph: printed, never read as markup (``cells.pdf_text``)."""
    return pdf_text(text)


# --- The document -------------------------------------------------------------------------------


def render_selfcheck_pdf(data: SelfCheckData, *, seal: bytes | None = None) -> bytes:
    """The self-check report as PDF bytes.

    Raises:
        ExportError: the CJK font cannot be loaded or the seal image cannot be read.
    """
    st = _styles()
    seal = form.check_image(seal, "seal")
    buf = io.BytesIO()
    title = report_title(data.unit.name)
    doc = SimpleDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title.strip("《》"),
        author=data.unit.name,
        subject="城镇新增就业人员实名登记台账自查报告",
        initialFontName=PDF_FONT,
    )
    width = doc.width
    story: list[Flowable] = [Paragraph(_esc(title), _title_style(st["title"], title, width))]
    story.append(
        Paragraph(
            f"填报单位：{_esc(data.unit.name)}（{data.unit.code}）{_GAP}"
            f"报告日期：{form.date_text(data.report_date)}",
            st["meta"],
        )
    )
    story += _how_it_was_done(data, st)
    story += _figures_table(data, st, width)
    story += _by_area_table(data, st, width)
    story += _review_summary(data, st)
    contact = _esc(data.contact) or _GAP * 2
    phone = _esc(data.contact_phone) or _GAP * 2
    story.append(
        KeepTogether(
            [
                Paragraph("五、联系方式", st["h"]),
                Paragraph(f"联系人：{contact}{_GAP * 2}联系电话：{phone}", st["body"]),
                Spacer(1, 8 * mm),
                *_annex_note(data, st),
                Spacer(1, 4 * mm),
                _SealBlock(data.unit.name, form.date_text(data.report_date), seal),
            ]
        )
    )
    # The detail tables follow the signature, as attachments of the report.
    story += _open_list(data, st, width)
    story += _removed_list(data, st, width)
    story += _review_list(data, st, width)
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


def _annex_note(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """附表：1. … 2. … (before the signature, as in an official document)."""
    names = _annex_names(data)
    if not names:
        return []
    from reportlab.pdfbase.pdfmetrics import stringWidth

    body = st["body"]
    # Later items line up under the first one, after 附表：.
    hang = ParagraphStyle(
        "annex_item",
        parent=body,
        firstLineIndent=0,
        leftIndent=body.firstLineIndent + stringWidth("附表：", PDF_FONT, body.fontSize),
    )
    out: list[Flowable] = [Spacer(1, 4 * mm)]
    for i, name in enumerate(names, start=1):
        text = f"{i}. {name}"
        out.append(Paragraph("附表：" + text, body) if i == 1 else Paragraph(text, hang))
    return out


def _title_style(style: ParagraphStyle, title: str, width: float) -> ParagraphStyle:
    """The title style, shrunk (down to 13 pt) so that the title stays on one line if it can."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = style.fontSize
    while size > 13 and stringWidth(title, PDF_FONT, size) > width:
        size -= 0.5
    return ParagraphStyle("title_fit", parent=style, fontSize=size, leading=size * 1.5)


def selfcheck_report_bytes(
    session: Session, *, report_date: dt.date | None = None, check: CheckResult | None = None
) -> bytes:
    """The self-check report of the ledger at a date (default today), as PDF bytes."""
    data = gather(session, report_date, check=check)
    return render_selfcheck_pdf(data, seal=session.image("seal"))


def export_selfcheck_report(
    session: Session,
    path: Path | str,
    *,
    report_date: dt.date | None = None,
    check: CheckResult | None = None,
) -> Path:
    """Write the self-check report (自查报告) as an A4 PDF.

    Args:
        session: the open ledger.
        path: the target file; replaced atomically.
        report_date: the date on the report, end of the period covered (default today).
        check: a self-check already run (else it is run here, for the possible duplicates).

    Returns:
        The path written.

    Raises:
        ExportError: the file cannot be written, the seal image cannot be read
            or the font cannot be loaded.
    """
    check_target(path)
    data = selfcheck_report_bytes(session, report_date=report_date, check=check)
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)

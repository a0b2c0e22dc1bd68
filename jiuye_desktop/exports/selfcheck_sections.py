"""What the self-check report (自查报告) says: its sections 一 to 四 and the annexes.

Each part is a list of reportlab flowables made from ``SelfCheckData`` and the
report's paragraph styles; ``selfcheck_pdf`` puts them on the page in order,
with the title, the contact and the seal. The annexes (附表: what is still
open, the removed records, the possible duplicates) follow the signature, as
in an official document, and are numbered in the order they appear.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from ..domain import RecordType, kind_name
from . import annex1_form as form
from .cells import pdf_text
from .fonts import PDF_FONT
from .selfcheck_data import REASON_ORDER, SelfCheckData

NOTICE = "《河南省人力资源和社会保障厅关于切实做好2017年城镇新增就业实名登记人员核查认定工作的通知》（豫人社办〔2017〕181号）"
OPEN_ANNEX = "尚未剔除的重复、无效、不完整记录"


#: Room between items on one line (a paragraph collapses ordinary and ideographic spaces).
GAP = "&nbsp;" * 6


def esc(text: str) -> str:
    """User text in a paragraph: printed, never read as markup (``cells.pdf_text``)."""
    return pdf_text(text)


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


def how_it_was_done(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
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
            text += "剔除备注：" + "；".join(esc(n) for n in data.notes) + "。"
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
        f"{esc(area)}：" + "、".join(f"{kind_name(k)}{n}条" for k, n in counts.items() if n)
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


def figures_table(
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


def by_area_table(
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


def review_summary(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
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


def removed_list(
    data: SelfCheckData, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    if not data.removed_rows:
        return []
    number = _annex_names(data).index("剔除记录明细") + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{GAP}剔除记录明细（共{data.removed_total}条）", st["annex"]),
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
                Paragraph(esc(r.name), cell),
                Paragraph(esc(r.masked_id), cell),
                Paragraph(esc(r.area), cell),
                Paragraph(esc(_TYPE_SHORT.get(r.record_type, r.record_type)), cell),
                Paragraph(esc(r.event_date), centre),
                Paragraph(esc(r.reason), centre),
                Paragraph(esc(r.message), cell),
                Paragraph(esc(r.note), cell),
            ]
        )
    widths = [w * mm for w in (9, 14, 31, 16, 15, 17, 10)]
    rest = width - sum(widths)
    widths += [rest * 0.68, rest * 0.32]
    out.append(_annex_table(rows, widths))
    return out


def open_list(data: SelfCheckData, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    if not data.open_rows:
        return []
    number = _annex_names(data).index(OPEN_ANNEX) + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{GAP}{OPEN_ANNEX}（共{len(data.open_rows)}条）", st["annex"]),
    ]
    cell, centre = st["cell"], st["cell_c"]
    head = ("序号", "姓名", "公民身份号码", "地区", "问题", "项目", "说明")
    rows: list[list[Any]] = [[Paragraph(h, centre) for h in head]]
    for i, r in enumerate(data.open_rows, start=1):
        rows.append(
            [
                Paragraph(str(i), centre),
                Paragraph(esc(r.name), cell),
                Paragraph(esc(r.masked_id), cell),
                Paragraph(esc(r.area), cell),
                Paragraph(esc(kind_name(r.kind)), centre),
                Paragraph(esc(r.field), cell),
                Paragraph(esc(r.message), cell),
            ]
        )
    widths = [w * mm for w in (9, 14, 31, 16, 11, 20)]
    widths.append(width - sum(widths))
    out.append(_annex_table(rows, widths))
    return out


def review_list(data: SelfCheckData, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    if not data.review:
        return []
    number = _annex_names(data).index("待核实的疑似重复记录") + 1
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(f"附表{number}{GAP}待核实的疑似重复记录（共{len(data.review)}条）", st["annex"]),
    ]
    cell, centre = st["cell"], st["cell_c"]
    rows: list[list[Any]] = [
        [Paragraph(h, centre) for h in ("序号", "姓名", "公民身份号码", "地区", "说明")]
    ]
    for i, r in enumerate(data.review, start=1):
        rows.append(
            [
                Paragraph(str(i), centre),
                Paragraph(esc(r.name), cell),
                Paragraph(esc(r.masked_id), cell),
                Paragraph(esc(r.area), cell),
                Paragraph(esc(r.message), cell),
            ]
        )
    widths = [w * mm for w in (9, 16, 31, 18)]
    widths.append(width - sum(widths))
    out.append(_annex_table(rows, widths))
    return out


def annex_note(data: SelfCheckData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
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


def _annex_table(rows: list[list[Any]], widths: list[float]) -> Table:
    """An attached list: small print, narrow padding, the header row repeated on each page."""
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid(font_size=8)
    style += [("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    t.setStyle(TableStyle(style))
    return t

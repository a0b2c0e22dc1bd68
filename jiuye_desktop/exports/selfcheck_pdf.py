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

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from ..selfcheck import CheckResult
from ..service import Session
from . import annex1_form as form
from .atomic import atomic_write, check_target
from .fonts import PDF_FONT, register_cjk_font
from .numbered_canvas import NumberedCanvas
from .selfcheck_data import SelfCheckData, gather
from .selfcheck_sections import (
    GAP,
    annex_note,
    by_area_table,
    esc,
    figures_table,
    how_it_was_done,
    open_list,
    removed_list,
    review_list,
    review_summary,
)

PAGE = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
SEAL_SIZE = 40 * mm
TITLE_TEMPLATE = "{unit}关于城镇新增就业人员实名登记台账自查情况的报告"


def report_title(unit_name: str) -> str:
    """《<unit>关于城镇新增就业人员实名登记台账自查情况的报告》."""
    return "《" + TITLE_TEMPLATE.format(unit=unit_name) + "》"


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
    story: list[Flowable] = [Paragraph(esc(title), _title_style(st["title"], title, width))]
    story.append(
        Paragraph(
            f"填报单位：{esc(data.unit.name)}（{data.unit.code}）{GAP}"
            f"报告日期：{form.date_text(data.report_date)}",
            st["meta"],
        )
    )
    story += how_it_was_done(data, st)
    story += figures_table(data, st, width)
    story += by_area_table(data, st, width)
    story += review_summary(data, st)
    contact = esc(data.contact) or GAP * 2
    phone = esc(data.contact_phone) or GAP * 2
    story.append(
        KeepTogether(
            [
                Paragraph("五、联系方式", st["h"]),
                Paragraph(f"联系人：{contact}{GAP * 2}联系电话：{phone}", st["body"]),
                Spacer(1, 8 * mm),
                *annex_note(data, st),
                Spacer(1, 4 * mm),
                _SealBlock(data.unit.name, form.date_text(data.report_date), seal),
            ]
        )
    )
    # The detail tables follow the signature, as attachments of the report.
    story += open_list(data, st, width)
    story += removed_list(data, st, width)
    story += review_list(data, st, width)
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


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

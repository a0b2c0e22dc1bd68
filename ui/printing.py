"""Print preview and printing of a PDF made by the core: the printout is the exported page itself.

Each page is rendered from the PDF's vectors at the printer's own resolution
(``exports.raster.render_page_strips``, a strip at a time) and drawn pixel for
pixel on the printer's page, centred, in the page's orientation: a 0.6-pt rule
is as sharp on paper as in the PDF, never a scaled-up screen bitmap.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from jiuye_desktop.exports.raster import pdf_page_images, pdf_page_sizes, render_page_strips

# QPrintPreviewDialog(QPrinter()) crashes when the printer is collected first:
# keep every printer alive as long as its dialog.
_alive: list[tuple[QPrinter, QPrintPreviewDialog]] = []

#: Highest resolution a page is rendered at for paper (an office printer's 600 dpi; a
#: 1200-dpi printer gets 600-dpi pixels, each drawn as 2×2 of its own).
MAX_DPI = 600
#: Resolution of the preview's pages (Qt records them and scales them to the zoom).
PREVIEW_DPI = 300


def _qimage(img: object) -> QImage:
    rgb = img.convert("RGB")  # type: ignore[attr-defined]
    data = rgb.tobytes("raw", "RGB")
    qimg = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return qimg.copy()  # own the pixels: ``data`` goes away


def page_qimages(pdf: bytes, dpi: int = 200) -> list[QImage]:
    """Each page as a QImage at ``dpi`` (for thumbnails and tests)."""
    return [_qimage(img) for img in pdf_page_images(pdf, dpi)]


def paint_pdf(printer: QPrinter, pdf: bytes) -> None:
    """Paint every page of ``pdf`` on the printer, rendered at the printer's resolution."""
    device_dpi = printer.resolution()
    painter = QPainter(printer)
    preview = painter.paintEngine().type() == QPaintEngine.Type.Picture
    cap = PREVIEW_DPI if preview else MAX_DPI
    try:
        for i, (width_pt, height_pt) in enumerate(pdf_page_sizes(pdf)):
            if i:
                printer.newPage()
            # The PDF page carries its own margins: paint on the whole sheet.
            page = printer.pageLayout().fullRectPixels(device_dpi)
            fit = min(
                page.width() / (width_pt * device_dpi / 72),
                page.height() / (height_pt * device_dpi / 72),
            )
            dpi = min(device_dpi * fit, cap)
            scale = device_dpi * fit / dpi  # 1.0 unless capped
            w, h = width_pt * dpi / 72 * scale, height_pt * dpi / 72 * scale
            left, top = (page.width() - w) / 2, (page.height() - h) / 2
            painter.save()
            painter.translate(left, top)
            painter.scale(scale, scale)
            for y, strip in render_page_strips(pdf, i, dpi):
                painter.drawImage(QPointF(0, y), _qimage(strip))
            painter.restore()
    finally:
        painter.end()


def make_printer(pdf: bytes) -> QPrinter:
    """A high-resolution A4 printer in the orientation of the PDF's first page."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    sizes = pdf_page_sizes(pdf)
    landscape = bool(sizes) and sizes[0][0] > sizes[0][1]
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return printer


def preview_pdf(parent: QWidget, pdf: bytes, title: str) -> QPrintPreviewDialog:
    """Open Qt's print preview of the PDF's pages (non-blocking); returns the dialog."""
    printer = make_printer(pdf)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 — {title}")
    dialog.paintRequested.connect(lambda p: paint_pdf(p, pdf))
    _alive.append((printer, dialog))
    dialog.finished.connect(lambda _r: _alive.remove((printer, dialog)))
    dialog.resize(1100, 760)
    dialog.open()
    return dialog

"""Print preview of a PDF made by the core: the printout is the exported page itself.

The core renders each page (``exports.raster``); this draws the images on the
printer's pages, fitted and centred, in the page's orientation.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from jiuye_desktop.exports.raster import pdf_page_images

# QPrintPreviewDialog(QPrinter()) crashes when the printer is collected first:
# keep every printer alive as long as its dialog.
_alive: list[tuple[QPrinter, QPrintPreviewDialog]] = []


def page_qimages(pdf: bytes, dpi: int = 200) -> list[QImage]:
    out = []
    for img in pdf_page_images(pdf, dpi):
        rgb = img.convert("RGB")
        data = rgb.tobytes("raw", "RGB")
        qimg = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
        out.append(qimg.copy())  # own the pixels: ``data`` goes away
    return out


def paint_pages(printer: QPrinter, images: list[QImage]) -> None:
    painter = QPainter(printer)
    try:
        for i, image in enumerate(images):
            if i:
                printer.newPage()
            # The PDF page carries its own margins: paint on the whole sheet.
            page = printer.pageLayout().fullRectPixels(printer.resolution())
            scale = min(page.width() / image.width(), page.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF((page.width() - w) / 2, (page.height() - h) / 2, w, h)
            painter.drawImage(target, image)
    finally:
        painter.end()


def make_printer(images: list[QImage]) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    landscape = bool(images) and images[0].width() > images[0].height()
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return printer


def preview_pdf(parent: QWidget, pdf: bytes, title: str) -> QPrintPreviewDialog:
    """Open Qt's print preview of the PDF's pages (non-blocking); returns the dialog."""
    images = page_qimages(pdf)
    printer = make_printer(images)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 — {title}")
    dialog.paintRequested.connect(lambda p: paint_pages(p, images))
    _alive.append((printer, dialog))
    dialog.finished.connect(lambda _r: _alive.remove((printer, dialog)))
    dialog.resize(1100, 760)
    dialog.open()
    return dialog

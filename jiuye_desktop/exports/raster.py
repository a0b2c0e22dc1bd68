"""PDF pages as images (pypdfium2), so that a printout is the very page of the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def pdf_page_images(pdf: bytes, dpi: int = 200) -> list[Any]:
    """Each page of a PDF rendered as a PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil() for i in range(len(doc))]
    finally:
        doc.close()


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [tuple(doc[i].get_size()) for i in range(len(doc))]
    finally:
        doc.close()


def render_page_strips(
    pdf: bytes, index: int, dpi: float, rows: int = 1024
) -> Iterator[tuple[int, Any]]:
    """Page ``index`` rendered at ``dpi`` as horizontal strips: (top pixel row, PIL image).

    A printer's resolution (600 or 1200 dpi) makes an A4 page of 35–140 million
    pixels: rendered a strip at a time, the memory stays at a few tens of MB and
    every pixel of the printout comes from the PDF's vectors at that resolution.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        width_pt, height_pt = page.get_size()
        scale = dpi / 72
        total = int(round(height_pt * scale))
        step_pt = rows / scale
        top = 0
        while top < total:
            # crop = (left, bottom, right, top) in points cut off the page's edges.
            cut_top = top / scale
            cut_bottom = max(0.0, height_pt - cut_top - step_pt)
            image = page.render(scale=scale, crop=(0, cut_bottom, 0, cut_top)).to_pil()
            yield top, image
            top += image.height
            if image.height == 0:
                break
    finally:
        doc.close()

"""PDF pages as images (pypdfium2), so that a printout is the very page of the PDF."""

from __future__ import annotations

from typing import Any


def pdf_page_images(pdf: bytes, dpi: int = 200) -> list[Any]:
    """Each page of a PDF rendered as a PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil() for i in range(len(doc))]
    finally:
        doc.close()

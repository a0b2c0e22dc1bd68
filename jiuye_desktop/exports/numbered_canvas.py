"""A reportlab canvas that knows the page count: 第 N 页 共 M 页 on every page.

reportlab draws a page before it knows how many follow, so the canvas keeps each
page's state and draws the footers when the document is saved. Subclasses change
what the foot of a page says by overriding ``draw_footer``.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import PDF_FONT


class NumberedCanvas(Canvas):
    """Writes the footer of every page once the number of pages is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or PDF_FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.draw_footer(self._pageNumber, total)
            self.restoreState()
            super().showPage()
        super().save()

    def draw_footer(self, page: int, total: int) -> None:
        """第 N 页 共 M 页, centred at the foot of the page."""
        width = self._pagesize[0]
        self.setFont(PDF_FONT, 9)
        self.drawCentredString(width / 2, 10 * mm, f"第 {page} 页 共 {total} 页")

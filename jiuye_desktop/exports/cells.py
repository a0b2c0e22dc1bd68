"""User text in exported files: always text, never markup or a formula.

- A workbook cell written from user text is a text cell: ``no_formulas`` turns
  every cell openpyxl took for a formula (a value starting with ``=``) back
  into text, and ``cell_text`` drops the characters a workbook cannot hold.
- A PDF paragraph (reportlab's mini-markup) gets user text through
  ``pdf_text``: ``<``, ``>`` and ``&`` escaped, so no tag (``<img src=…>``,
  ``<a href=…>``, ``<link>``) can fetch a URL, embed a file or make a link.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_PDF_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def cell_text(value: object) -> str:
    """A text for a workbook cell: without the control characters XML cannot hold."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def no_formulas(ws: Any) -> None:
    """Every cell of the sheet that holds a formula becomes a text cell with the same text.

    The program never writes formulas (its sheets hold values), so any formula
    is user text that happened to start with ``=``.
    """
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def pdf_text(value: object) -> str:
    """User text for a reportlab ``Paragraph``: markup characters escaped, control
    characters dropped, line breaks kept as breaks."""
    text = _PDF_UNSAFE.sub("", "" if value is None else str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")

"""The shipped CJK font registered with reportlab, once, for embedding in every PDF.

reportlab embeds (a subset of) every TrueType font it draws with, so a PDF made
here shows its Chinese text on any machine. Its built-in ``STSong-Light`` is
not embedded and its TTF reader cannot read CFF/OTF fonts (environment.md), so
the TrueType WenQuanYi Micro Hei shipped in ``resources/fonts`` is used.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ..resources import FONT_FAMILY, FONT_FILE, resource_path
from .atomic import ExportError

#: Name under which the CJK font is known to reportlab.
PDF_FONT = FONT_FAMILY

_lock = threading.Lock()


def register_cjk_font() -> str:
    """Register the shipped CJK font with reportlab (idempotent) and return its name.

    The same face serves as bold and italic so that ``<b>`` in a paragraph
    does not fall back to a font without Chinese glyphs.

    Raises:
        ExportError: the font file is missing or cannot be read.
    """
    with _lock:
        if PDF_FONT in pdfmetrics.getRegisteredFontNames():
            return PDF_FONT
        try:
            path = resource_path(*FONT_FILE.split("/"))
            # The .ttc holds Micro Hei (0) and Micro Hei Mono (1).
            font = TTFont(PDF_FONT, str(path), subfontIndex=0)
        except (FileNotFoundError, TTFError, OSError) as exc:
            raise ExportError(f"无法加载中文字体 {FONT_FILE}：{exc}") from exc
        pdfmetrics.registerFont(font)
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(PDF_FONT, bold, italic, PDF_FONT)
        return PDF_FONT

"""Files the unit hands out: the stamped Annex 1 sheet (xlsx, PDF) and the self-check report.

Every writer goes through :mod:`.atomic` so that a failed export never leaves
a half-written file, and every PDF embeds the shipped CJK font (:mod:`.fonts`).
Nothing here imports Qt; the window calls these functions and shows the result.
"""

from __future__ import annotations

from .atomic import ExportError, atomic_write

__all__ = ["ExportError", "atomic_write"]

"""One locator for shipped files (fonts, the division table, icons).

Works from a source checkout and inside a PyInstaller bundle, where data files
are unpacked under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_FILE = "fonts/wqy-microhei.ttc"
#: Family name of the shipped CJK font as Qt and reportlab know it.
FONT_FAMILY = "WenQuanYi Micro Hei"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package, or in the bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped file; raises FileNotFoundError naming it when absent."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"缺少程序文件：{path}")
    return path

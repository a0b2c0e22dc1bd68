"""QApplication, translations, the shipped font, and the main window (placeholder until the window issue lands)."""

from __future__ import annotations

import os
import sys


def run() -> int:
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from jiuye_desktop.resources import FONT_FAMILY, resource_path

    app = QApplication(sys.argv)
    QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    app.setFont(QFont(FONT_FAMILY, 10))
    window = QMainWindow()
    window.setWindowTitle("就业实名台账")
    db = os.environ.get("JIUYE_DB", "")
    window.setCentralWidget(QLabel(f"就业实名台账\n数据库：{db or '（默认）'}"))
    window.resize(1024, 700)
    window.show()
    return app.exec()

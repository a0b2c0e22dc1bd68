"""QApplication, its look, the shipped font, Qt's Chinese translations, and opening the ledger.

``run()`` is what ``main.py`` calls with no arguments. The database is the file
named by ``JIUYE_DB``, else ``ledger.sqlite`` in the per-user data folder; a
database that does not exist yet (or has no reporting unit) starts with the
setup dialog.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox, QStyleFactory, QWidget

from jiuye_desktop.resources import FONT_FAMILY, FONT_FILE, resource_path
from jiuye_desktop.service import Session, needs_setup, open_session
from jiuye_desktop.storage.db import StorageError
from ui import grid_copy
from ui.widgets import ORGANIZATION

APP_NAME = "就业实名台账"
FONT_POINT_SIZE = 10

_translators: list[QTranslator] = []


def _palette() -> QPalette:
    """A light, calm palette close to a Windows desktop."""
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#f3f4f6",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f8fa",
        QPalette.ColorRole.ToolTipBase: "#fffbe6",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#8c959f",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#f6f7f9",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.BrightText: "#b3261e",
        QPalette.ColorRole.Highlight: "#2f6fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#1a5fb4",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e9ebee",
        QPalette.ColorRole.Mid: "#c9ced6",
        QPalette.ColorRole.Dark: "#9aa0a6",
        QPalette.ColorRole.Shadow: "#6b7280",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa0a6"))
    return p


#: Strings of Qt's own dialogs that qtbase_zh_CN.qm (older than Qt 6's forms) does not have:
#: (context, source) → Chinese. Found by opening each dialog with ``tests/ui/test_desk.py``.
QT_SUPPLEMENT: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QPrintPropertiesWidget", "Page &Set:"): "页面集(&S)：",
    ("QPrintSettingsOutput", "Page &Set:"): "页面集(&S)：",
    ("QPrintDialog", "Page &Set:"): "页面集(&S)：",
}


class _QtSupplement(QTranslator):
    """The few strings of ``QT_SUPPLEMENT``; everything else is left to qtbase_zh_CN."""

    def translate(  # type: ignore[override]
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None is Qt's null string, "not here": the next translator is asked ("" would be a
        # translation into nothing).
        return QT_SUPPLEMENT.get((str(context), source))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def install_translations(app: QApplication) -> bool:
    """Qt's own Chinese (qtbase_zh_CN, and the supplement) so that its dialogs speak Chinese."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    ok = translator.load("qtbase_zh_CN", folder)
    if ok:
        app.installTranslator(translator)
        _translators.append(translator)
    supplement = _QtSupplement(app)
    app.installTranslator(supplement)  # installed last: asked first
    _translators.append(supplement)
    return ok


def configure_application(app: QApplication) -> None:
    """Style, palette, the shipped CJK font (set by family), Chinese locale and translations."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    app.setPalette(_palette())
    try:
        QFontDatabase.addApplicationFont(str(resource_path(FONT_FILE)))
    except FileNotFoundError as exc:  # a broken install: Chinese may show as boxes
        print(exc, file=sys.stderr)
    # Set by family: with Noto CJK installed and the C locale Qt would pick the Japanese one.
    app.setFont(QFont(FONT_FAMILY, FONT_POINT_SIZE))
    install_translations(app)
    grid_copy.install(app)


def database_path() -> Path:
    """``JIUYE_DB``, else the per-user data folder."""
    from jiuye_desktop.cli import default_db_path

    env = os.environ.get("JIUYE_DB", "").strip()
    return Path(env) if env else default_db_path()


def open_ledger(path: Path, parent: QWidget | None = None) -> Session | None:
    """The session on the ledger, after the setup dialog on first run; None when cancelled.

    Raises:
        StorageError: the file is locked, damaged, or newer than the program.
    """
    if needs_setup(path):
        from ui.setup_dialog import SetupDialog

        dialog = SetupDialog.for_new_database(path, parent)
        if dialog.exec() != SetupDialog.DialogCode.Accepted:
            return None
        return dialog.session
    return open_session(path)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """A file problem gets its Chinese message; anything else is shown as a bug."""
    if isinstance(exc, StorageError):
        QMessageBox.warning(QApplication.activeWindow(), "数据库错误", str(exc))
        return
    text = "".join(traceback.format_exception(kind, exc, tb))
    if sys.__stderr__ is not None:
        sys.__stderr__.write(text)
    box = QMessageBox(
        QMessageBox.Icon.Critical, "程序内部错误", "程序内部错误，请把详细信息告诉维护人员。"
    )
    box.setDetailedText(text)
    box.exec()


def run() -> int:
    """Open the window on the ledger; the exit status for ``main.py``."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    configure_application(app)
    path = database_path()
    try:
        session = open_ledger(path)
    except StorageError as exc:
        QMessageBox.critical(None, "无法打开台账", str(exc))
        return 1
    if session is None:
        return 0
    from ui.main_window import MainWindow
    from ui.state import AppState

    sys.excepthook = _excepthook
    window = MainWindow(AppState(path, session))
    window.show()
    from ui import startup_checks

    startup_checks.start(
        window, path, on_status=lambda text: window.statusBar().showMessage(text, 8000)
    )
    try:
        return app.exec()
    finally:
        session.close()

"""The 帮助 menu's windows: the user guide (HTML shipped in resources/help) and the shortcuts.

The guide is read from ``resources/help/guide.html`` and shown in a
QTextBrowser inside the program (no web browser, no network).
"""

from __future__ import annotations

import html

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from jiuye_desktop.resources import resource_path

GUIDE_FILE = ("help", "guide.html")

#: Keys that are not menu actions: (keys, what they do).
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+C", "复制表格中选中的区域（连同表头，可粘贴到 Excel、WPS）"),
    ("Ctrl+S", "录入页：保存记录"),
    ("Esc", "录入页：放弃未保存的内容"),
    ("回车", "录入页：确认本栏并跳到下一栏；台账页：打开选中的记录"),
    ("1–9", "录入页的下拉框：直接输入序号选择该项（如“1 单位就业”）"),
    ("Tab / Shift+Tab", "下一栏 / 上一栏"),
)


def guide_html() -> str:
    """The user guide's HTML (raises FileNotFoundError naming the file when it is missing)."""
    return resource_path(*GUIDE_FILE).read_text(encoding="utf-8")


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what) of every action with a shortcut, then the keys of ``OTHER_KEYS``."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.isVisible():
            rows.append((keys, action.text().replace("&", "").split("(")[0].rstrip("…")))
    return rows + list(OTHER_KEYS)


def shortcuts_html(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='padding:3px 14px 3px 0'><b>{html.escape(k)}</b></td>"
        f"<td style='padding:3px 0'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<h3>快捷键一览</h3><table>{cells}</table>"


class HelpDialog(QDialog):
    """A QTextBrowser with the given HTML and a 关闭 button."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 560)


def show_guide(parent: QWidget) -> HelpDialog:
    try:
        text = guide_html()
    except FileNotFoundError as exc:
        text = f"<p>{html.escape(str(exc))}</p>"
    dialog = HelpDialog("使用指南", text, parent)
    dialog.show()
    return dialog


def show_shortcuts(parent: QWidget, actions: list[QAction]) -> HelpDialog:
    dialog = HelpDialog("快捷键", shortcuts_html(shortcut_rows(actions)), parent)
    dialog.resize(560, 480)
    dialog.show()
    return dialog

"""Asking for the reason (调整原因) of a change to a submitted week (domain.md §9).

The core refuses such a change without a reason (``adjustments.ReasonRequired``,
whose message names the records); the window shows that message and asks.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

TITLE = "需要填写调整原因"


class ReasonDialog(QDialog):
    """A message, a line for the reason; the OK button only once something is written.

    The dialog every reason in the window is asked with: the 调整原因 of a change to a
    submitted week (the defaults) and the 核实理由 of a dismissal (``DismissDialog``).
    """

    def __init__(
        self,
        message: str,
        parent: QWidget | None = None,
        *,
        title: str = TITLE,
        hint: str = "调整原因会随下一周的报表、上报文件和PDF附页一同列出：",
        placeholder: str = "例如：核实后更正登记类型；补录漏登记录",
        ok_text: str = "确定",
        width: int = 520,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        text = QLabel(message)
        text.setWordWrap(True)
        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(placeholder)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(hint_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._on_reason_text_changed)
        self._on_reason_text_changed("")

    def _on_reason_text_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    def value(self) -> str:
        return self.reason.text().strip()


def ask_reason(parent: QWidget | None, message: str) -> str | None:
    """The reason typed, or None when the clerk cancelled."""
    dialog = ReasonDialog(message, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.value() or None

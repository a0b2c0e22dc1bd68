"""Marking warnings as checked (已核实, domain.md §5.3): the warnings chosen and a reason."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.selfcheck import CheckFinding


class DismissDialog(QDialog):
    """The warnings to mark as checked, a line for the reason; 确定 once one is written."""

    def __init__(self, findings: Sequence[CheckFinding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("标记为已核实")
        self.setMinimumWidth(560)
        shown = list(findings)[:8]
        lines = "\n".join(f"· {f.name}（记录 #{f.record}）：{f.message}" for f in shown)
        if len(findings) > len(shown):
            lines += f"\n……共 {len(findings)} 条"
        text = QLabel(f"将把以下提示标记为已核实（不剔除记录）：\n{lines}")
        text.setWordWrap(True)
        hint = QLabel(
            "核实理由和操作员记入该记录的修改历史，并随上报文件报送，上级合并后同样视为已核实："
        )
        hint.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("例如：电话核实，确已连续工作满3个月")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("标记为已核实")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(hint)
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

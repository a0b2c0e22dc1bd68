"""The options of 导出上报文件: the password, typed twice, and marking the week as submitted.

Exporting the file that goes upward is the moment the week is reported, so
the same step offers 标记为已上报 (domain.md §9; checked unless the week was
submitted before). The password encrypts the file and is stored nowhere: it
is typed twice so that a typo does not lock the city out; 确定 stays disabled
while the two differ.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import KIND_COLORS


class PackageDialog(QDialog):
    """Password (twice) and 标记为已上报 for one week's package."""

    def __init__(
        self, week_label: str, path: str, *, submitted_before: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("导出上报文件")
        self.setMinimumWidth(500)
        intro = QLabel(f"将导出 {week_label} 的上报文件：\n{path}")
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("不加密请留空")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setPlaceholderText("再输入一次")
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {KIND_COLORS['invalid'].name()};")
        note = QLabel("密码不会保存，请另行告知上级；两次输入须一致。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        self.mark = QCheckBox(
            f"导出后将{week_label}标记为{'（重新）' if submitted_before else ''}已上报"
        )
        self.mark.setChecked(not submitted_before)
        self.mark.setToolTip(
            "标记后，修改、剔除、恢复或补录本周及以前登记的记录须填写调整原因，并列入下一周的报表"
        )
        form = QFormLayout()
        form.addRow("打开密码", self.password)
        form.addRow("确认密码", self.again)
        form.addRow("", self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导出")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.mark)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.password.textChanged.connect(self._on_password_changed)
        self.again.textChanged.connect(self._on_password_changed)
        self._on_password_changed()

    def _on_password_changed(self, *_: object) -> None:
        same = self.password.text() == self.again.text()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(same)
        self.problem.setText("" if same or not self.again.text() else "两次输入的密码不一致")
        if not same and not self.again.text():
            self.problem.setText("请再输入一次密码")

    def chosen_password(self) -> str | None:
        return self.password.text() or None

    def mark_submitted(self) -> bool:
        return self.mark.isChecked()

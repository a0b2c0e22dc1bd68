"""The removal dialog of the self-check screen: reason, date (default today) and note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.domain import kind_name
from ui.selfcheck_model import REMOVABLE

# --- The removal dialog -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RemovalChoice:
    reason: str
    date: dt.date
    note: str


class RemovalDialog(QDialog):
    """Reason, date (default today) and note of a removal."""

    def __init__(
        self,
        parent: QWidget | None,
        summary: str,
        reason: str,
        *,
        reason_fixed: bool,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("剔除记录")
        today = today or dt.date.today()
        self.summary_label = QLabel(summary)
        self.summary_label.setWordWrap(True)
        self.reason_combo = QComboBox()
        for kind in REMOVABLE:
            self.reason_combo.addItem(kind_name(kind), kind)
        if reason in REMOVABLE:
            self.reason_combo.setCurrentIndex(REMOVABLE.index(reason))
        self.reason_combo.setEnabled(not reason_fixed)
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("例如：11月集中调整")
        self.note_edit.setMinimumWidth(280)

        form = QFormLayout()
        form.addRow("剔除原因", self.reason_combo)
        form.addRow("剔除日期", self.date_edit)
        form.addRow("备注", self.note_edit)
        hint = QLabel(
            "剔除的记录仍保留在台账中（状态为已剔除），可随时恢复；"
            "剔除日期所在周的报表中，本周实际会相应减少。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("剔除")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def choice(self) -> RemovalChoice:
        d = self.date_edit.date()
        return RemovalChoice(
            str(self.reason_combo.currentData()),
            dt.date(d.year(), d.month(), d.day()),
            self.note_edit.text().strip(),
        )

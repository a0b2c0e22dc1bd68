"""Before the self-check report is written: its date, and a warning when findings are open.

The report tells the truth about the ledger on its date (domain.md §7); the
clerk chooses that date (today, or the year's last removal date) and is told
before writing a report that has to state open duplicate, invalid or
incomplete findings.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.domain import REMOVAL_REASONS, kind_name


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ReportDateDialog(QDialog):
    """The report's date (default today; one click for the last removal date) and, when
    findings are still open, what the report will say about them."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        today: dt.date,
        last_removal: dt.date | None,
        open_counts: dict[str, int],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("生成自查报告")
        self.date_edit = QDateEdit(_qdate(today))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        row = QHBoxLayout()
        row.addWidget(QLabel("报告日期："))
        row.addWidget(self.date_edit)
        self.today_button = QPushButton("今天")
        self.today_button.clicked.connect(lambda: self.date_edit.setDate(_qdate(today)))
        row.addWidget(self.today_button)
        self.last_removal_button: QPushButton | None = None
        if last_removal is not None:
            self.last_removal_button = QPushButton(
                f"最后剔除日（{last_removal.month}月{last_removal.day}日）"
            )
            self.last_removal_button.clicked.connect(
                lambda: self.date_edit.setDate(_qdate(last_removal))
            )
            row.addWidget(self.last_removal_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        explain = QLabel("报告统计1月1日至报告日期登记的记录，落款日期即报告日期。")
        explain.setStyleSheet("color: #555555;")
        layout.addWidget(explain)
        total = sum(open_counts.get(k.value, 0) for k in REMOVAL_REASONS)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        if total:
            parts = "、".join(
                f"{kind_name(k.value)}{open_counts[k.value]}条"
                for k in REMOVAL_REASONS
                if open_counts.get(k.value)
            )
            self.warning_label.setText(
                f"注意：自查发现的问题中还有{total}条尚未剔除（{parts}）。报告将如实写明这些记录"
                "并列出明细，不会写“未发现需要剔除的数据”。建议先改正或剔除后再生成。"
            )
            self.warning_label.setStyleSheet("color: #b3261e; font-weight: bold;")
            layout.addWidget(self.warning_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("仍然生成…" if total else "生成…")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("返回处理" if total else "取消")
        if total:  # Enter goes back, never writes a report with open findings by accident
            ok.setAutoDefault(False)
            cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def report_date(self) -> dt.date:
        d = self.date_edit.date()
        return dt.date(d.year(), d.month(), d.day())

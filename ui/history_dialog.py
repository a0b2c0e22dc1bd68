"""A record's history: what changed, when, and by whom."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import browse
from ui.state import AppState

HEADERS = ("时间", "操作员", "操作", "项目", "原值", "新值")


class HistoryDialog(QDialog):
    """Read-only list of ``browse.history`` for one record, oldest first."""

    def __init__(self, state: AppState, record_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        values = browse.record_form_values(state.session, record_id) or {}
        who = values.get("姓名", "")
        self.setWindowTitle(f"修改历史 — 记录 #{record_id} {who}")
        self.resize(820, 420)
        entries = browse.history(state.session, record_id)
        self.table = QTableWidget(len(entries), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, e in enumerate(entries):
            for col, text in enumerate((e.at, e.operator, e.action, e.field, e.old, e.new)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        summary = QLabel(
            f"记录 #{record_id}（{who}）共 {len(entries)} 项变动。记录从不删除：剔除与恢复也记在这里。"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

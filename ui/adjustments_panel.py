"""The adjustments since the last submission, under the weekly table (domain.md §9).

``panel.show_adjustments(adj)`` with ``submitted.listed(session, week)``: one
row per change to what an earlier submitted week covered — record, name, what
changed, reason, operator, time, and its effect on the six indicators'
本年累计 in this week's table — and a 合计 row. Hidden when there is no
earlier submission; a line says so when there were no changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.domain import INDICATOR_NAMES
from jiuye_desktop.submitted import Adjustments

TEXT_HEADERS = ("记录", "姓名", "变动内容", "调整原因", "操作员", "时间")
#: Short column names of the six indicators (the full name is the header's tooltip).
SHORT_NAMES = (
    "城镇新增就业",
    "城镇新就业",
    "自然减员",
    "失业人员再就业",
    "困难人员就业",
    "去产能安置",
)
NEGATIVE = QColor("#b3261e")
MIN_VISIBLE_ROWS = 3


class AdjustmentsPanel(QWidget):
    """A titled table of adjustments; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(TEXT_HEADERS) + len(INDICATOR_NAMES))
        self.table.setHorizontalHeaderLabels(
            [*TEXT_HEADERS, *(f"{n}\n本年累计" for n in SHORT_NAMES)]
        )
        for k, name in enumerate(INDICATOR_NAMES):
            head = self.table.horizontalHeaderItem(len(TEXT_HEADERS) + k)
            if head is not None:
                head.setToolTip(f"对本表合计行“{name}”本年累计的影响")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)  # one line a change; the full text is in the tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        line = self.table.fontMetrics().height()
        self.table.verticalHeader().setDefaultSectionSize(line + 10)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        for col in range(self.table.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        # Never taller than its rows: the weekly table above keeps the room it needs.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setVisible(False)

    def show_adjustments(self, adj: Adjustments | None) -> None:
        if adj is None or not adj.since_label:
            self.table.setRowCount(0)
            self.setVisible(False)
            return
        self.setVisible(True)
        since = f"自{adj.since_label}上报（{adj.since_at}）以来"
        if not adj.items:
            self.title.setText(f"{since}，已上报周内的记录没有调整。")
            self.table.setVisible(False)
            return
        self.title.setText(
            f"{since}的调整 {len(adj.items)} 条（修改、剔除、恢复或补录已上报周内的记录）；"
            "右侧为对本表合计行本年累计的影响，本周实际已含其中发生在本周的部分："
        )
        self.table.setVisible(True)
        self.table.setRowCount(len(adj.items) + 1)
        for row, a in enumerate(adj.items):
            texts = (f"#{a.record}", a.name, a.change, a.reason, a.operator, a.at)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            self._numbers(row, a.effect)
        last = len(adj.items)
        for col in range(len(TEXT_HEADERS)):
            self.table.setItem(last, col, QTableWidgetItem("合计" if col == 1 else ""))
        self._numbers(last, adj.total, bold=True)
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows (at most what the screen leaves), at least a few rows."""
        table = self.table
        chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
        heights = [table.rowHeight(r) for r in range(table.rowCount())]
        table.setMaximumHeight(chrome + sum(heights))
        table.setMinimumHeight(chrome + sum(heights[:MIN_VISIBLE_ROWS]))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.table.rowCount():
            self._fit()

    def _numbers(self, row: int, effect: tuple[int, ...], *, bold: bool = False) -> None:
        for k in range(len(INDICATOR_NAMES)):
            value = effect[2 * k + 1]
            item = QTableWidgetItem(f"{value:+d}" if value else "0")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if value < 0:
                item.setForeground(QBrush(NEGATIVE))
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(row, len(TEXT_HEADERS) + k, item)

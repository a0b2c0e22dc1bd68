"""The drill-down into one area of the weekly table: its own areas' rows (province → a city).

Opened by double-clicking an area's row in the weekly screen. The numbers come
from ``province.area_breakdown``: the records that area's package brought,
counted by the areas that unit listed (a city's counties), for the same week;
their 合计 is the area's row in the unit's own table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.domain import WeeklyTable
from jiuye_desktop.province import OTHER_ROW
from ui.weekly_model import HEADER_ROWS, WeeklyModel


class DrillDownDialog(QDialog):
    """One area's weekly table by its own areas (read-only)."""

    def __init__(self, table: WeeklyTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{table.unit.name}分地区情况 — {table.week.label}")
        self.table = table
        head = QLabel(
            f"{table.unit.name}（{table.unit.code}）按其上报文件中的地区分行；"
            f"{table.week.label}（{table.week.start.isoformat()} 至 {table.week.end.isoformat()}）"
        )
        head.setWordWrap(True)
        note = QLabel(
            "合计即本单位周调度表中该地区一行。省直管县（市）的记录计入其本身一行，此处不列；"
            f"“{OTHER_ROW}”为本单位直接录入该地区的记录。"
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        self.model = WeeklyModel(self)
        self.model.set_table(table)
        self.grid = QTableView()
        self.grid.setModel(self.model)
        self.grid.horizontalHeader().hide()
        self.grid.verticalHeader().hide()
        self.grid.setWordWrap(True)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.grid.horizontalHeader()
        header.setMinimumSectionSize(56)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(1, self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        for row, col, rows, cols in self.model.spans():
            self.grid.setSpan(row, col, rows, cols)
        self.grid.resizeRowsToContents()
        line = self.grid.fontMetrics().height()
        self.grid.setRowHeight(0, max(self.grid.rowHeight(0), 2 * line + 10))
        for row in range(HEADER_ROWS, self.model.rowCount()):
            self.grid.setRowHeight(row, max(self.grid.rowHeight(row), line + 12))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.grid, 1)
        layout.addWidget(note)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(1100, min(720, 160 + (len(table.rows) + 4) * (line + 14)))

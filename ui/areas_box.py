"""下属地区 of the unit settings: the rows of the weekly table under 本级, as the clerk edits them.

    box = AreasBox()
    box.set_areas([(code or None, name), ...])   # fill (does not count as the clerk's edit)
    box.rows()                                   # (code, name) as typed, blank rows left out
    box.touched                                  # the clerk added, removed, moved or edited a row
    box.default_button.clicked                   # 恢复默认地区: the dialog knows the defaults

What a row may be is the core's (``service.parse_area_spec``, checked by the dialog).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import MUTED_COLOR


class AreasBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("下属地区", parent)
        self.touched = False
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["代码（可不填）", "名称"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("添加")
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.default_button = QPushButton("恢复默认地区")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)
        self.note = QLabel(
            "周报表的行：本级（自动包含）加下列地区。市级默认为所辖县级单位；"
            "省级默认为17个省辖市、济源和10个省直管县（市）；县级可填乡镇、街道，也可不填。"
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {MUTED_COLOR.name()};")
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.table.itemChanged.connect(self._on_edited)

    def set_areas(self, areas: Sequence[tuple[str | None, str]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for code, name in areas:
            self._append_row(code or "", name)
        self.table.blockSignals(False)

    def rows(self) -> list[tuple[str, str]]:
        """(code, name) as typed, blank rows left out."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in (0, 1)]
            code, name = ((cell.text().strip() if cell else "") for cell in cells)
            if code or name:
                rows.append((code, name))
        return rows

    def _append_row(self, code: str, name: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(code))
        self.table.setItem(row, 1, QTableWidgetItem(name))

    def _on_add(self) -> None:
        self._append_row("", "")
        self.touched = True
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 1)
        self.table.editItem(self.table.item(row, 1))

    def _on_remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self.touched = True

    def _move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        rows = self.rows()
        if row >= len(rows) or target >= len(rows):
            return
        rows[row], rows[target] = rows[target], rows[row]
        self.set_areas(rows)
        self.table.setCurrentCell(target, 1)
        self.touched = True

    def _on_edited(self, _item: QTableWidgetItem) -> None:
        self.touched = True

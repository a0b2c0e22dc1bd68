"""The Annex 1 grid as a table model: three header rows, then 合计, 本级 and the areas.

The header lives in the model (rows 0–2) so that the view can merge it with
``setSpan`` exactly as the printed sheet does:

    row 0: 项目/地区 (merged down over rows 0–1) | each indicator over two columns
    row 1:                                        | 本周实际 | 本年累计 | …
    row 2: 甲                                     | 1 | 2 | … | 12

Body row ``HEADER_ROWS + i`` shows row ``i`` of the table in the order of
``snapshots`` (0 = 合计, then ``table.rows``). The model only presents: the
numbers come from ``weekly.compute`` and the changed cells from
``snapshots.diff_with_last``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from jiuye_desktop.domain import INDICATOR_NAMES, WEEK_COLUMN, YEAR_COLUMN, WeeklyTable

HEADER_ROWS = 3
COLUMNS = 1 + 2 * len(INDICATOR_NAMES)  # the area name, then the 12 columns of Annex 1
CORNER_TEXT = ("项目", "地区")
TOTAL_NAME = "合计"

#: The number of a body cell (``int``); None for header cells and names.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
#: The value last submitted for a changed cell (``int``); None when unchanged.
OLD_VALUE_ROLE = Qt.ItemDataRole.UserRole + 2

NEGATIVE_COLOR = QColor("#c00000")
CHANGED_BACKGROUND = QColor("#ffe68a")
HEADER_BACKGROUND = QColor("#eef1f5")
TOTAL_BACKGROUND = QColor("#f7f7f7")

_Index = QModelIndex | QPersistentModelIndex


class WeeklyModel(QAbstractTableModel):
    """Read-only model of one computed weekly table."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._table: WeeklyTable | None = None
        self._body: list[tuple[str, tuple[int, ...]]] = []
        self._changes: dict[tuple[int, int], int] = {}
        self._submitted_at = ""
        self._bold = QFont()
        self._bold.setBold(True)

    def set_table(
        self,
        table: WeeklyTable | None,
        changes: dict[tuple[int, int], int] | None = None,
        submitted_at: str = "",
    ) -> None:
        """Show a table; ``changes`` maps (row_index, col) to the value last submitted."""
        self.beginResetModel()
        self._table = table
        self._body = []
        if table is not None:
            self._body = [(TOTAL_NAME, table.total)] + [(r.name, r.cells) for r in table.rows]
        self._changes = dict(changes or {})
        self._submitted_at = submitted_at
        self.endResetModel()

    @property
    def table(self) -> WeeklyTable | None:
        return self._table

    def spans(self) -> list[tuple[int, int, int, int]]:
        """(row, column, row span, column span) of the merged header cells."""
        out = [(0, 0, 2, 1)]
        out += [(0, 1 + 2 * i, 1, 2) for i in range(len(INDICATOR_NAMES))]
        return out

    @staticmethod
    def body_row(row_index: int) -> int:
        """Model row of table row ``row_index`` (0 = 合计)."""
        return HEADER_ROWS + row_index

    def changed_cells(self) -> dict[tuple[int, int], int]:
        return dict(self._changes)

    # --- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else HEADER_ROWS + len(self._body)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else COLUMNS

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row < HEADER_ROWS:
            return self._header_data(row, col, role)
        return self._body_data(row - HEADER_ROWS, col, role)

    # --- cells ----------------------------------------------------------------------------------

    def _header_data(self, row: int, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return {0: "/".join(CORNER_TEXT), 2: "甲"}.get(row)
            indicator, part = divmod(col - 1, 2)
            if row == 0:
                return INDICATOR_NAMES[indicator] if part == 0 else None
            if row == 1:
                return (WEEK_COLUMN, YEAR_COLUMN)[part]
            return str(col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(HEADER_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and row < 2:
            return self._bold
        return None

    def _body_data(self, row_index: int, col: int, role: int) -> Any:
        if row_index >= len(self._body):
            return None
        name, cells = self._body[row_index]
        value = cells[col - 1] if col > 0 else None
        old = self._changes.get((row_index, col - 1)) if col > 0 else None
        if role == Qt.ItemDataRole.DisplayRole:
            return name if value is None else str(value)
        if role == VALUE_ROLE:
            return value
        if role == OLD_VALUE_ROLE:
            return old
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 0:
                return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and value is not None and value < 0:
            return QBrush(NEGATIVE_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole:
            if old is not None:
                return QBrush(CHANGED_BACKGROUND)
            if row_index == 0:
                return QBrush(TOTAL_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.FontRole and row_index == 0:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if old is not None and value is not None:
                when = f"（{self._submitted_at}）" if self._submitted_at else ""
                return f"上次上报{when}为 {old}，现为 {value}，调整 {value - old:+d}"
            if value is not None and value < 0:
                return "负数：本周剔除了以前各周登记的记录（按通知要求如实反映，不作清零）"
        return None

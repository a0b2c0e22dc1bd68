"""The self-check screen's tables: kinds in order with their names and colours, the
read-only rows model, and the rows of findings and removals (work run in the worker thread)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from jiuye_desktop import selfcheck
from jiuye_desktop.domain import REMOVAL_REASONS, FindingKind, kind_name
from jiuye_desktop.selfcheck import CheckResult
from jiuye_desktop.service import Session
from ui.ops import Cancelled, Progress

ALL_KINDS = "all"
KIND_ORDER = [k.value for k in FindingKind]
REMOVABLE = [k.value for k in REMOVAL_REASONS]
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


# --- Models -------------------------------------------------------------------------------------


class RowsModel(QAbstractTableModel):
    """A read-only table of text rows, each carrying a record id (``RECORD_ID_ROLE``)."""

    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: Sequence[Sequence[str]] = []
        self._ids: list[int] = []
        self._colors: list[QColor | None] = []
        self.color_column = -1

    def set_rows(
        self,
        rows: Sequence[Sequence[str]],
        ids: list[int],
        colors: list[QColor | None] | None = None,
    ) -> None:
        self.beginResetModel()
        self._rows, self._ids = rows, ids
        self._colors = colors or [None] * len(rows)
        self.endResetModel()

    def record_id(self, row: int) -> int:
        return self._ids[row]

    # --- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            return self._headers[section]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[row][col]
        if role == RECORD_ID_ROLE:
            return self._ids[row]
        if role == Qt.ItemDataRole.ForegroundRole and col == self.color_column:
            color = self._colors[row]
            return QBrush(color) if color is not None else None
        return None


FINDING_HEADERS = ("行号", "姓名", "公民身份号码", "所属地区", "类别", "字段", "说明")
REMOVAL_HEADERS = (
    "行号",
    "姓名",
    "公民身份号码",
    "所属地区",
    "剔除原因",
    "剔除日期",
    "备注",
    "操作员",
    "说明",
)


def table_view(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setHighlightSections(False)
    return view


def fit_columns(view: QTableView) -> None:
    """Columns as wide as their contents (220 px at most); the last one takes the rest."""
    header = view.horizontalHeader()
    last = view.model().columnCount() - 1
    for col in range(last):
        view.resizeColumnToContents(col)
        view.setColumnWidth(col, min(view.columnWidth(col), 220))
    header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)


# --- Work run in the worker thread --------------------------------------------------------------


def check_ledger(session: Session, progress: Progress, _cancelled: Cancelled) -> CheckResult:
    return selfcheck.run_check(session, progress)


def removal_rows(session: Session) -> tuple[list[tuple[str, ...]], list[int]]:
    """The active removals as table rows (newest first), and their record ids."""
    items = selfcheck.active_removals(session)
    rows = [
        (
            row_text(r.source_row, r.record_id),
            r.name,
            r.id_number,
            r.area,
            kind_name(r.reason),
            r.removed_on,
            r.note,
            r.operator,
            r.message,
        )
        for r in items
    ]
    return rows, [r.record_id for r in items]


def row_text(source_row: int | None, record_id: int) -> str:
    return str(source_row) if source_row else f"#{record_id}"

"""The ledger grid: record ids from the core, values fetched a page at a time.

Like Anki's browser table: the model holds the ids that
``browse.record_ids`` returns for the current search, filters and sort (SQL
does the work) and asks ``browse.fetch_rows`` for 500 rows at a time, kept in
a small LRU cache. A million records open and scroll without a pause.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import browse
from jiuye_desktop.browse import COLUMNS, BrowseQuery, GridRow, Status
from jiuye_desktop.domain import FINDING_KIND_NAMES, RecordType, Week
from jiuye_desktop.service import Session
from ui.state import AppState
from ui.widgets import KIND_COLORS, MUTED_COLOR, REMOVED_COLOR

PAGE_SIZE = 500
CACHE_PAGES = 40
#: Starting widths of the columns (pixels); the clerk's own widths are remembered.
COLUMN_WIDTHS = {
    "id": 64,
    "name": 72,
    "id_number": 158,
    "sex": 40,
    "area": 84,
    "record_type": 72,
    "event_date": 112,
    "employment_form": 76,
    "employer": 190,
    "phone": 104,
    "registered_on": 84,
    "status": 100,
    "findings": 120,
}

Index = QModelIndex | QPersistentModelIndex


class LedgerModel(QAbstractTableModel):
    """Rows are record ids in the core's order; values come a page at a time."""

    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self._session = session
        self._query = BrowseQuery()
        self._ids: Sequence[int] = ()
        self._pages: OrderedDict[int, dict[int, GridRow]] = OrderedDict()
        self._status_col = browse.COLUMN_KEYS.index("status")
        self._findings_col = browse.COLUMN_KEYS.index("findings")

    # --- Searching -------------------------------------------------------------------------

    @property
    def query(self) -> BrowseQuery:
        return self._query

    def search(self, query: BrowseQuery) -> None:
        """Ask the core for the ids of ``query`` and show them from the top."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a sort of a million: ~1 s
        try:
            ids = browse.record_ids(self._session, query)
        finally:
            QApplication.restoreOverrideCursor()
        self.beginResetModel()
        self._query = query
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def reload(self) -> None:
        """The same query again (records were added, edited or removed)."""
        self.search(self._query)

    def forget_rows(self) -> None:
        """Drop the cached values and repaint (records were edited in place)."""
        self._pages.clear()
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    def record_id(self, row: int) -> int:
        return int(self._ids[row])

    def row_of(self, record_id: int) -> int | None:
        try:
            return int(self._ids.index(record_id))
        except ValueError:
            return None

    def grid_row(self, row: int) -> GridRow | None:
        if not 0 <= row < len(self._ids):
            return None
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            chunk = self._ids[page_no * PAGE_SIZE : (page_no + 1) * PAGE_SIZE]
            page = browse.fetch_rows(self._session, list(chunk))
            self._pages[page_no] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(int(self._ids[row]))

    # --- Qt overrides ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(COLUMNS):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
        ):
            return None
        row = self.grid_row(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.values[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = [t for t in (row.removal, browse.findings_text(row)) if t]
            return "\n".join(tips) if tips else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.removed:
                return REMOVED_COLOR
            if col == self._findings_col and row.worst_kind:
                return KIND_COLORS.get(row.worst_kind)
            return None
        if role == Qt.ItemDataRole.FontRole and row.removed and col == self._status_col:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole and not COLUMNS[section].sortable:
            return "此列不能排序"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or not COLUMNS[column].sortable:
            return
        query = dataclasses.replace(
            self._query,
            sort=COLUMNS[column].key,
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        if query != self._query:
            self.search(query)


class LedgerView(QWidget):
    """Search, filters and the grid; double-click opens a record in the entry form."""

    record_activated = Signal(int)
    history_requested = Signal(int)
    results_changed = Signal(int)  # how many records are shown

    SEARCH_DELAY_MS = 250

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model = LedgerModel(state.session, self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._build()
        self._connect_signals()
        self.reload_choices()
        self.model.search(self._current_query())

    # --- Building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索：身份证号、电话、姓名或单位名称")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self.area_combo = QComboBox()
        self.type_combo = QComboBox()
        self.type_combo.addItem("全部类型", None)
        for rtype in RecordType:
            self.type_combo.addItem(rtype.value, rtype.value)
        self.week_combo = QComboBox()
        self.week_combo.setMinimumContentsLength(14)
        self.status_combo = QComboBox()
        for status, name in browse.STATUS_NAMES.items():
            self.status_combo.addItem(name, status)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("全部记录", None)
        for kind, name in FINDING_KIND_NAMES.items():
            self.kind_combo.addItem(f"有{name}问题", kind.value)
        self.clear_button = QPushButton("清除条件")
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(110)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.search_edit, 3)
        for combo in (
            self.area_combo,
            self.type_combo,
            self.week_combo,
            self.status_combo,
            self.kind_combo,
        ):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            bar.addWidget(combo)
        bar.addWidget(self.clear_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        self._bar = bar

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, column in enumerate(COLUMNS):
            self.table.setColumnWidth(i, COLUMN_WIDTHS.get(column.key, 100))
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        hint = QLabel(
            "双击或回车打开记录进行修改；右键查看修改历史。灰色为已剔除的记录（悬停可见原因）。"
        )
        palette = hint.palette()
        palette.setColor(hint.foregroundRole(), MUTED_COLOR)
        hint.setPalette(palette)
        layout.addWidget(hint)

        self._find_shortcut = QShortcut(QKeySequence.StandardKey.Find, self)
        self._open_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        self._open_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._open_shortcut2 = QShortcut(QKeySequence(Qt.Key.Key_Enter), self.table)
        self._open_shortcut2.setContext(Qt.ShortcutContext.WidgetShortcut)

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_edit_changed)
        self.search_edit.returnPressed.connect(self._on_search_now)
        self._search_timer.timeout.connect(self._on_search_now)
        for combo in (
            self.area_combo,
            self.type_combo,
            self.week_combo,
            self.status_combo,
            self.kind_combo,
        ):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self._find_shortcut.activated.connect(self.focus_search)
        self._open_shortcut.activated.connect(self._on_open_current)
        self._open_shortcut2.activated.connect(self._on_open_current)
        self.model.modelReset.connect(self._on_model_reset)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_indicator_changed)

    # --- What the window calls -------------------------------------------------------------

    def reload_choices(self) -> None:
        """Refill the area and week lists (the unit's areas may have changed)."""
        session = self.state.session
        area = self.area_combo.currentData()
        week = self.week_combo.currentData()
        for combo in (self.area_combo, self.week_combo):
            combo.blockSignals(True)
            combo.clear()
        self.area_combo.addItem("全部地区", None)
        for area_id, name in browse.area_choices(session):
            self.area_combo.addItem(name, area_id)
        self.area_combo.addItem("地区不明", browse.UNKNOWN_AREA)
        self.week_combo.addItem("全部周次", None)
        for w in browse.week_choices(session):
            self.week_combo.addItem(w.label, w)
        for combo, value in ((self.area_combo, area), (self.week_combo, week)):
            i = combo.findData(value) if value is not None else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def add_toolbar_widget(self, widget: QWidget) -> None:
        """Place a button (导出Excel…) at the right of the search bar."""
        self._bar.addWidget(widget)

    def refresh(self) -> None:
        """Run the current search again and keep the selected record in view."""
        current = self.current_record_id()
        self.model.reload()
        if current is not None:
            self.select_record(current)

    def apply_query(self, query: BrowseQuery) -> None:
        self.model.search(query)

    def current_record_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def select_record(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def clear_filters(self) -> None:
        for combo in (
            self.area_combo,
            self.type_combo,
            self.week_combo,
            self.status_combo,
            self.kind_combo,
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._on_search_now()

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("ledger/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("ledger/header")
        if isinstance(state, QByteArray | bytes):
            header = self.table.horizontalHeader()
            header.restoreState(QByteArray(state))
            # Widths and order are the clerk's; the sort starts again by 编号 every time.
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)

    # --- Slots ---------------------------------------------------------------------------

    def _current_query(self) -> BrowseQuery:
        week = self.week_combo.currentData()
        return dataclasses.replace(
            self.model.query,
            text=self.search_edit.text(),
            area_id=self.area_combo.currentData(),
            record_type=self.type_combo.currentData(),
            week=week if isinstance(week, Week) else None,
            status=self.status_combo.currentData() or Status.ALL,
            finding_kind=self.kind_combo.currentData(),
        )

    def _on_search_edit_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_now(self) -> None:
        self._search_timer.stop()
        query = self._current_query()
        if query != self.model.query:
            self.model.search(query)

    def _on_filter_changed(self, _index: int) -> None:
        self._on_search_now()

    def _on_model_reset(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n:,} 条")
        self.results_changed.emit(n)

    def _on_sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        """A column that cannot be sorted keeps the indicator where the sort really is."""
        if 0 <= column < len(COLUMNS) and not COLUMNS[column].sortable:
            query = self.model.query
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                browse.COLUMN_KEYS.index(query.sort),
                Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_activated.emit(self.model.record_id(index.row()))

    def _on_open_current(self) -> None:
        record_id = self.current_record_id()
        if record_id is not None:
            self.record_activated.emit(record_id)

    def _on_table_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        record_id = self.model.record_id(index.row())
        menu = QMenu(self)
        open_action = menu.addAction("打开并修改…")
        history_action = menu.addAction("修改历史…")
        chosen = menu.exec(self.table.viewport().mapToGlobal(pos))
        if chosen is open_action:
            self.record_activated.emit(record_id)
        elif chosen is history_action:
            self.history_requested.emit(record_id)

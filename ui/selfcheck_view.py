"""The self-check (自查) screen: findings by kind, fix in place, remove, restore.

Public API (the main window embeds it)::

    view = SelfCheckView(state, parent)
    view.run_check()            # run the whole-ledger check in the background
    view.refresh()              # reload removals; re-run the check if it was run
    view.result                 # the last CheckResult (None before the first run)
    view.record_activated(int)  # signal: open this record in the entry form (double-click)
    view.check_finished(object) # signal: a check finished (its CheckResult)
    view.records_removed(int)   # signal: so many records were removed
    view.records_restored(int)  # signal: so many records were restored

The check runs on the first show of the screen. Removal asks for the reason,
date (default today) and note in a small dialog (``RemovalDialog``, opened
without blocking); the removed records stay in the ledger and are listed
under 已剔除记录, where they can be restored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import selfcheck
from jiuye_desktop.domain import FINDING_KIND_NAMES, REMOVAL_REASONS, FindingKind
from jiuye_desktop.selfcheck import CheckFinding, CheckResult, RemoveResult
from jiuye_desktop.service import Session
from ui.ops import KNOWN_ERRORS, Cancelled, Progress, run_op, show_error
from ui.state import AppState

ALL_KINDS = "all"
_KIND_ORDER = [k.value for k in FindingKind]
_REMOVABLE = [k.value for k in REMOVAL_REASONS]
KIND_COLORS = {
    FindingKind.DUPLICATE.value: QColor("#b35900"),
    FindingKind.INVALID.value: QColor("#c00000"),
    FindingKind.INCOMPLETE.value: QColor("#1f5fa8"),
    FindingKind.WARNING.value: QColor("#666666"),
}
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def kind_name(kind: str) -> str:
    return FINDING_KIND_NAMES.get(FindingKind(kind), kind) if kind in _KIND_ORDER else kind


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
        for kind in _REMOVABLE:
            self.reason_combo.addItem(kind_name(kind), kind)
        if reason in _REMOVABLE:
            self.reason_combo.setCurrentIndex(_REMOVABLE.index(reason))
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


# --- Work run in the worker thread --------------------------------------------------------------


def _check(session: Session, progress: Progress, _cancelled: Cancelled) -> CheckResult:
    return selfcheck.run_check(session, progress)


def _removal_rows(session: Session) -> tuple[list[tuple[str, ...]], list[int]]:
    """The active removals as table rows (newest first), and their record ids."""
    items = selfcheck.active_removals(session)
    rows = [
        (
            _row_text(r.source_row, r.record_id),
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


def _row_text(source_row: int | None, record_id: int) -> str:
    return str(source_row) if source_row else f"#{record_id}"


# --- The screen ---------------------------------------------------------------------------------


class SelfCheckView(QWidget):
    """Findings grouped by kind, removal with reason/date/note, and restore."""

    record_activated = Signal(int)
    check_finished = Signal(object)  # CheckResult
    records_removed = Signal(int)
    records_restored = Signal(int)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._result: CheckResult | None = None
        self._kind = FindingKind.DUPLICATE.value
        self._shown: list[CheckFinding] = []
        self._busy = False
        self._checked_at = ""
        self.removal_dialog: RemovalDialog | None = None
        self._build()
        self._connect_signals()
        self._update_kinds()
        self._update_buttons()
        self._load_removals()

    # --- public ---------------------------------------------------------------------------------

    @property
    def result(self) -> CheckResult | None:
        return self._result

    @property
    def busy(self) -> bool:
        return self._busy

    def counts(self) -> dict[str, int]:
        """Records per kind of the last check (empty before the first)."""
        return dict(self._result.summary) if self._result else {}

    def run_check(self) -> None:
        """Run the whole-ledger self-check in the background (ignored while busy)."""
        if self._busy:
            return
        self._set_busy(True)
        run_op(
            self,
            "正在自查全部台账…",
            _check,
            state=self.state,
            on_done=self._on_check_done,
            on_error=self._on_op_failed,
        )

    def add_toolbar_widget(self, widget: QWidget) -> None:
        """Place a button (生成自查报告 …) at the right of the top row."""
        self._toolbar.addWidget(widget)

    def refresh(self) -> None:
        """Reload the removals; re-run the check when it was run (the ledger changed)."""
        self._load_removals()
        if self._result is not None:
            self.run_check()

    def show_kind(self, kind: str) -> None:
        """Filter the findings by kind (``duplicate`` … ``warning`` or ``all``)."""
        for i in range(self.kind_list.count()):
            if self.kind_list.item(i).data(Qt.ItemDataRole.UserRole) == kind:
                self.kind_list.setCurrentRow(i)
                return

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.check_button = QPushButton("运行自查")
        self.check_button.setToolTip("按重复、无效、不完整的规则检查全部未剔除的记录")
        self.summary_label = QLabel("尚未运行自查。")
        self.summary_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.check_button)
        top.addWidget(self.summary_label, 1)
        self._toolbar = top

        self.kind_list = QListWidget()
        self.kind_list.setMinimumWidth(140)
        self.kind_list.setSpacing(3)

        self.findings_model = RowsModel(FINDING_HEADERS, self)
        self.findings_model.color_column = FINDING_HEADERS.index("类别")
        self.findings_view = _table(self.findings_model)
        self.findings_view.setToolTip("双击一行打开该记录修改")

        self.remove_selected_button = QPushButton("剔除所选…")
        self.remove_kind_button = QPushButton("剔除本类全部…")
        hint = QLabel("双击一行可打开该记录就地修改；改好后重新运行自查。")
        hint.setStyleSheet("color: #555555;")
        actions = QHBoxLayout()
        actions.addWidget(hint, 1)
        actions.addWidget(self.remove_selected_button)
        actions.addWidget(self.remove_kind_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.findings_view, 1)
        right_layout.addLayout(actions)

        splitter = QSplitter()
        splitter.addWidget(self.kind_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([170, 1200])

        self.removals_model = RowsModel(REMOVAL_HEADERS, self)
        self.removals_view = _table(self.removals_model)
        self.removals_view.setToolTip("双击一行打开该记录")
        self.restore_button = QPushButton("恢复所选")
        self.restore_button.setToolTip("撤销所选记录的剔除，记录重新计入报表")
        restore_bar = QHBoxLayout()
        restore_bar.addStretch(1)
        restore_bar.addWidget(self.restore_button)
        removals_page = QWidget()
        removals_layout = QVBoxLayout(removals_page)
        removals_layout.addWidget(self.removals_view, 1)
        removals_layout.addLayout(restore_bar)

        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "自查结果")
        self.tabs.addTab(removals_page, "已剔除记录")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.kind_list.currentRowChanged.connect(self._on_kind_list_changed)
        self.findings_view.doubleClicked.connect(self._on_findings_view_double_clicked)
        self.removals_view.doubleClicked.connect(self._on_removals_view_double_clicked)
        self.findings_view.selectionModel().selectionChanged.connect(
            self._on_findings_selection_changed
        )
        self.removals_view.selectionModel().selectionChanged.connect(
            self._on_removals_selection_changed
        )
        self.remove_selected_button.clicked.connect(self._on_remove_selected_button_clicked)
        self.remove_kind_button.clicked.connect(self._on_remove_kind_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._result is None and not self._busy:
            self.run_check()

    # --- slots ----------------------------------------------------------------------------------

    def _on_check_button_clicked(self) -> None:
        self.run_check()

    def _on_check_done(self, result: CheckResult) -> None:
        self._set_busy(False)
        self._result = result
        self._checked_at = dt.datetime.now().strftime("%H:%M")
        self._update_kinds()
        self._update_findings()
        self._load_removals()
        self.check_finished.emit(result)

    def _on_op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error(self, exc)

    def _on_kind_list_changed(self, row: int) -> None:
        item = self.kind_list.item(row)
        if item is None:
            return
        self._kind = str(item.data(Qt.ItemDataRole.UserRole))
        self._update_findings()

    def _on_findings_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_activated.emit(self.findings_model.record_id(index.row()))

    def _on_removals_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_activated.emit(self.removals_model.record_id(index.row()))

    def _on_findings_selection_changed(self, *_: object) -> None:
        self._update_buttons()

    def _on_removals_selection_changed(self, *_: object) -> None:
        self._update_buttons()

    def _on_remove_selected_button_clicked(self) -> None:
        chosen = self._selected_findings()
        if not chosen:
            return
        by_record: dict[int, list[CheckFinding]] = {}
        for f in chosen:
            by_record.setdefault(f.record, []).append(f)
        kinds = {f.kind for f in chosen}
        removable = [k for k in _REMOVABLE if k in kinds]
        # Possible duplicates (warnings) are removed as duplicates once confirmed.
        default = removable[0] if removable else FindingKind.DUPLICATE.value
        summary = f"将剔除所选的 {len(by_record)} 条记录。"
        if FindingKind.WARNING.value in kinds:
            summary += "\n所选包含“提示”，请核实后再剔除，并选择剔除原因。"
        self._ask_removal(
            summary,
            default,
            reason_fixed=False,
            on_accepted=lambda choice: self._remove_records(by_record, choice),
        )

    def _on_remove_kind_button_clicked(self) -> None:
        result = self._result
        if result is None:
            return
        kind = self._kind
        ids = result.record_ids(kind)
        if not ids:
            return
        if kind == ALL_KINDS:
            parts = "、".join(f"{kind_name(k)} {result.summary[k]}" for k in _REMOVABLE)
            summary = f"将剔除自查发现的全部 {len(ids)} 条记录（{parts}，一条记录只剔除一次）。"
            reason = _REMOVABLE[0]
        else:
            summary = f"将剔除自查发现的全部“{kind_name(kind)}”记录，共 {len(ids)} 条。"
            reason = kind
        self._ask_removal(
            summary,
            reason,
            reason_fixed=True,
            on_accepted=lambda choice: self._remove_kind(kind, result, choice),
        )

    def _on_restore_button_clicked(self) -> None:
        rows = sorted({i.row() for i in self.removals_view.selectionModel().selectedRows()})
        ids = [self.removals_model.record_id(r) for r in rows]
        if not ids or self._busy:
            return

        def work(session: Session, progress: Progress, _cancelled: Cancelled) -> int:
            done = 0
            for i, record_id in enumerate(ids):
                done += bool(selfcheck.restore(session, record_id))
                progress(i + 1, len(ids))
            return done

        self._set_busy(True)
        run_op(
            self,
            f"正在恢复 {len(ids)} 条记录…",
            work,
            state=self.state,
            on_done=self._on_restore_done,
            on_error=self._on_op_failed,
        )

    def _on_restore_done(self, count: int) -> None:
        self._set_busy(False)
        self._after_change()
        self.records_restored.emit(count)

    def _on_remove_done(self, count: int) -> None:
        self._set_busy(False)
        self._after_change()
        self.records_removed.emit(count)

    # --- helpers --------------------------------------------------------------------------------

    def _ask_removal(
        self, summary: str, reason: str, *, reason_fixed: bool, on_accepted: Any
    ) -> None:
        dialog = RemovalDialog(self, summary, reason, reason_fixed=reason_fixed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_accepted(dialog.choice()))
        dialog.finished.connect(self._on_removal_dialog_finished)
        self.removal_dialog = dialog
        dialog.open()

    def _on_removal_dialog_finished(self, _result: int) -> None:
        self.removal_dialog = None

    def _remove_records(
        self, by_record: dict[int, list[CheckFinding]], choice: RemovalChoice
    ) -> None:
        # remove_selected stores one message for its records: group them by message.
        groups: dict[str, list[int]] = {}
        for record_id, found in by_record.items():
            mine = [f.message for f in found if f.kind == choice.reason] or [
                f.message for f in found
            ]
            groups.setdefault("；".join(dict.fromkeys(mine)), []).append(record_id)

        def work(session: Session, progress: Progress, _cancelled: Cancelled) -> int:
            done = 0
            for i, (message, ids) in enumerate(groups.items()):
                done += selfcheck.remove_selected(
                    session, ids, choice.reason, choice.date, choice.note, message
                )
                progress(i + 1, len(groups))
            return done

        self._start_removal(len(by_record), work)

    def _remove_kind(self, kind: str, result: CheckResult, choice: RemovalChoice) -> None:
        def work(session: Session, _progress: Progress, _cancelled: Cancelled) -> int:
            removed: RemoveResult = selfcheck.remove_flagged(
                session, kind, choice.date, choice.note, result=result
            )
            return sum(removed.removed.values())

        self._start_removal(len(result.record_ids(kind)), work)

    def _start_removal(self, count: int, work: Any) -> None:
        if self._busy:
            return
        self._set_busy(True)
        run_op(
            self,
            f"正在剔除 {count} 条记录…",
            work,
            state=self.state,
            on_done=self._on_remove_done,
            on_error=self._on_op_failed,
        )

    def _after_change(self) -> None:
        self._load_removals()
        self.run_check()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.check_button.setEnabled(not busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        free = not self._busy
        has_selection = bool(self.findings_view.selectionModel().selectedRows())
        self.remove_selected_button.setEnabled(free and has_selection)
        kind_ids = self._result.record_ids(self._kind) if self._result else []
        self.remove_kind_button.setEnabled(
            free and self._kind != FindingKind.WARNING.value and bool(kind_ids)
        )
        self.remove_kind_button.setText(
            "剔除三类全部…" if self._kind == ALL_KINDS else f"剔除全部“{kind_name(self._kind)}”…"
        )
        self.restore_button.setEnabled(
            free and bool(self.removals_view.selectionModel().selectedRows())
        )

    def _update_kinds(self) -> None:
        summary = self._result.summary if self._result else {}
        self.kind_list.blockSignals(True)
        self.kind_list.clear()
        for kind in [*_KIND_ORDER, ALL_KINDS]:
            if kind == ALL_KINDS:
                text = "全部"
                if self._result is not None:
                    text += f"（{len(self._result.findings)} 项）"
            else:
                text = kind_name(kind)
                if self._result is not None:
                    text += f"  {summary.get(kind, 0)} 条"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            if kind in KIND_COLORS:
                item.setForeground(QBrush(KIND_COLORS[kind]))
            self.kind_list.addItem(item)
        self.kind_list.setCurrentRow([*_KIND_ORDER, ALL_KINDS].index(self._kind))
        self.kind_list.blockSignals(False)
        if self._result is None:
            self.summary_label.setText("尚未运行自查。")
        else:
            parts = "，".join(f"{kind_name(k)} {summary.get(k, 0)} 条" for k in _KIND_ORDER)
            self.summary_label.setText(
                f"{self._checked_at} 自查完成（未剔除的记录）：{parts}。"
                "一条记录可能有多项问题，“提示”只供核实，不自动剔除。"
            )

    def _update_findings(self) -> None:
        found = self._result.findings if self._result else []
        if self._kind != ALL_KINDS:
            found = [f for f in found if f.kind == self._kind]
        self._shown = found
        rows = [
            (
                _row_text(f.source_row, f.record),
                f.name,
                f.id_number,
                f.area,
                kind_name(f.kind),
                f.field,
                f.message,
            )
            for f in found
        ]
        colors = [KIND_COLORS.get(f.kind) for f in found]
        self.findings_model.set_rows(rows, [f.record for f in found], colors)
        self._fit_columns(self.findings_view)
        self._update_buttons()

    def _selected_findings(self) -> list[CheckFinding]:
        rows = sorted({i.row() for i in self.findings_view.selectionModel().selectedRows()})
        return [self._shown[r] for r in rows if r < len(self._shown)]

    def _load_removals(self) -> None:
        try:
            rows, ids = _removal_rows(self.state.session)
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        self.removals_model.set_rows(rows, ids)
        self.tabs.setTabText(1, f"已剔除记录（{len(rows)}）")
        self._fit_columns(self.removals_view)
        self._update_buttons()

    @staticmethod
    def _fit_columns(view: QTableView) -> None:
        header = view.horizontalHeader()
        last = view.model().columnCount() - 1
        for col in range(last):
            view.resizeColumnToContents(col)
            view.setColumnWidth(col, min(view.columnWidth(col), 220))
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)


def _table(model: QAbstractTableModel) -> QTableView:
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

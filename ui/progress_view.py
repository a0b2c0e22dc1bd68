"""The 进度 screen: progress against the targets for the week in view (domain.md §6).

Public API (the main window embeds it)::

    view = ProgressView(state, parent)
    view.refresh()                 # recompute (after the ledger or the targets changed)
    view.set_week(week)            # follow the weekly screen's week (no signal)
    view.week_changed(Week)        # signal: the clerk picked another week here
    view.targets_requested()       # signal: 设定目标任务… was pressed

One line says whether the task is 全面完成 and which rows block it; the
table lists each row's indicators with a target, sorted by the gap (largest
first), coloured by status; below, one chart per indicator of the chosen row
(the unit's 合计 or an area). Everything is computed by ``progress``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import snapshots
from jiuye_desktop.domain import Week
from jiuye_desktop.exports.atomic import ExportError
from jiuye_desktop.exports.progress_pdf import write_progress_pdf
from jiuye_desktop.progress import (
    BEHIND,
    DONE,
    NO_TARGET,
    ON_TRACK,
    STATUS_NAMES,
    IndicatorProgress,
    Progress,
    ProgressRow,
    charts,
    gap_text,
    percent,
    progress,
    sorted_lines,
    summary_line,
)
from jiuye_desktop.service import Session
from jiuye_desktop.targets import TOTAL_CODE, TargetError
from ui.ops import KNOWN_ERRORS, Cancelled, run_op, show_error
from ui.ops import Progress as OpProgress
from ui.progress_chart import ProgressChart
from ui.state import AppState
from ui.week_picker import WeekPicker

HEADERS = ("地区", "指标", "目标", "本年累计", "完成比例", "时间进度", "差距", "状态")
STATUS_BACKGROUND = {
    DONE: QColor("#d8f0d2"),
    ON_TRACK: QColor("#e8f1fd"),
    BEHIND: QColor("#f8d4d0"),
    NO_TARGET: QColor("#f1f3f4"),
}
BEHIND_TEXT = QColor("#b3261e")
_FOLDER_KEY = "exports/last_folder"

_Index = QModelIndex | QPersistentModelIndex


class ProgressModel(QAbstractTableModel):
    """(row, indicator) lines of a computed progress, in the core's order (by the gap)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._progress: Progress | None = None
        self._lines: list[tuple[ProgressRow, IndicatorProgress]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_progress(self, p: Progress | None, *, with_no_target: bool = False) -> None:
        self.beginResetModel()
        self._progress = p
        self._lines = sorted_lines(p, with_no_target=with_no_target) if p else []
        self.endResetModel()

    def line(self, row: int) -> tuple[ProgressRow, IndicatorProgress]:
        return self._lines[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._progress is None:
            return None
        row, ind = self._lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            elapsed = self._progress.elapsed if ind.target is not None else None
            return (
                row.name,
                ind.name,
                "—" if ind.target is None else f"{ind.target:,}",
                f"{ind.cumulative:,}",
                percent(ind.done),
                percent(elapsed),
                gap_text(ind.gap),
                STATUS_NAMES[ind.status],
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if 2 <= col <= 6:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            if col == 7:
                return Qt.AlignmentFlag.AlignCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.BackgroundRole and col == 7:
            return QBrush(STATUS_BACKGROUND[ind.status])
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and ind.status == BEHIND:
            return QBrush(BEHIND_TEXT)
        if role == Qt.ItemDataRole.FontRole and row.is_total:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and ind.gap is not None:
            if ind.gap > 0:
                return f"按时间进度应完成 {ind.target * self._progress.elapsed:,.1f} 人，还差 {ind.gap:,.1f} 人"
            return f"已超出时间进度 {-ind.gap:,.1f} 人"
        return None


class ProgressView(QWidget):
    week_changed = Signal(object)  # Week
    targets_requested = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.progress: Progress | None = None
        self._week: Week = snapshots.default_week(state.session)
        self._build()
        self.refresh()

    @property
    def week(self) -> Week:
        return self._week

    def set_week(self, week: Week) -> None:
        if week != self._week:
            self._week = week
            self.picker.set_week(week)
            self.refresh()

    def refresh(self) -> None:
        try:
            p = progress(self.state.session, self._week)
        except KNOWN_ERRORS as exc:
            self.progress = None
            self.model.set_progress(None)
            show_error(self, exc)
            return
        self.progress = p
        self.model.set_progress(p, with_no_target=self.no_target_box.isChecked())
        self.summary.setText(summary_line(p))
        color = (
            "#1e7a32" if p.complete else "#b3261e" if (p.blocking or p.total.unmet) else "#5f6368"
        )
        self.summary.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.elapsed_label.setText(f"时间进度：{percent(p.elapsed)}")
        self._fill_row_combo(p)
        self._draw_charts()

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.picker = WeekPicker(self._week)
        self.picker.week_changed.connect(self._on_picker_week_changed)
        self.elapsed_label = QLabel()
        self.targets_button = QPushButton("设定目标任务…")
        self.targets_button.clicked.connect(self.targets_requested.emit)
        self.pdf_button = QPushButton("导出进度PDF…")
        self.pdf_button.setToolTip("一页A4：进度表与所选地区的走势图（周调度会议用）")
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.picker)
        top.addSpacing(12)
        top.addWidget(self.elapsed_label)
        top.addStretch(1)
        top.addWidget(self.targets_button)
        top.addWidget(self.pdf_button)

        title = QLabel("目标任务完成进度")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.model = ProgressModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(72)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.no_target_box = QCheckBox("显示未设目标的指标")
        self.no_target_box.toggled.connect(lambda _=False: self.refresh())
        legend = QLabel(
            "差距 = 目标 × 时间进度 − 本年累计（正数为落后于时间进度的人数）；按差距从大到小排列；"
            "双击一行看该地区的走势图。"
        )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #5f6368;")

        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addWidget(self.table, 1)
        tl = QHBoxLayout()
        tl.addWidget(legend, 1)
        tl.addWidget(self.no_target_box)
        ul.addLayout(tl)

        self.row_combo = QComboBox()
        self.row_combo.setMinimumContentsLength(10)
        self.row_combo.currentIndexChanged.connect(lambda _=0: self._draw_charts())
        chart_head = QHBoxLayout()
        chart_head.addWidget(QLabel("本年累计逐周走势（虚线为目标进度线）："))
        chart_head.addWidget(self.row_combo)
        chart_head.addStretch(1)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(chart_head)
        self.chart_grid = QGridLayout()
        ll.addLayout(self.chart_grid, 1)
        self.chart_widgets: list[ProgressChart] = []

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _fill_row_combo(self, p: Progress) -> None:
        current = self.row_combo.currentData() or TOTAL_CODE
        self.row_combo.blockSignals(True)
        self.row_combo.clear()
        for row in p.rows:
            label = f"{p.unit.name}（合计）" if row.is_total else row.name
            self.row_combo.addItem(label, row.code)
        index = self.row_combo.findData(current)
        self.row_combo.setCurrentIndex(max(index, 0))
        self.row_combo.blockSignals(False)

    def chart_row(self) -> str:
        return str(self.row_combo.currentData() or TOTAL_CODE)

    def _draw_charts(self) -> None:
        p = self.progress
        items = charts(self.state.session, p, self.chart_row()) if p else []
        while len(self.chart_widgets) > len(items):
            widget = self.chart_widgets.pop()
            self.chart_grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        while len(self.chart_widgets) < len(items):
            self.chart_widgets.append(ProgressChart(parent=self))
        cols = 3 if len(items) > 4 else 2 if len(items) > 1 else 1
        for n, (widget, chart) in enumerate(zip(self.chart_widgets, items, strict=True)):
            self.chart_grid.addWidget(widget, n // cols, n % cols)
            widget.set_chart(chart)

    # --- slots ----------------------------------------------------------------------------------

    def _on_picker_week_changed(self, week: Week) -> None:
        self._week = week
        self.refresh()
        self.week_changed.emit(week)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        row, _ = self.model.line(index.row())
        found = self.row_combo.findData(row.code)
        if found >= 0:
            self.row_combo.setCurrentIndex(found)

    def _on_pdf_button_clicked(self) -> None:
        p = self.progress
        if p is None:
            return
        folder = str(QSettings().value(_FOLDER_KEY, str(Path.home())))
        name = f"{p.unit.name}目标任务进度-{p.week.label}.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出进度PDF", str(Path(folder) / name), "PDF 文件 (*.pdf)"
        )
        if not path:
            return
        QSettings().setValue(_FOLDER_KEY, str(Path(path).parent))
        week, row = p.week, self.chart_row()

        def work(session: Session, _p: OpProgress, _c: Cancelled) -> Path:
            return write_progress_pdf(session, progress(session, week), path, chart_row=row)

        def done(out: Path) -> None:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "已导出",
                f"已导出{week.label}进度：\n{out}",
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.open()

        run_op(
            self,
            "正在导出进度PDF…",
            work,
            state=self.state,
            on_done=done,
            on_error=lambda exc: show_message_error(self, exc),
        )


def show_message_error(parent: QWidget, exc: BaseException) -> None:
    """An export or a target refused with a message for the clerk; anything else as ``show_error``."""
    if isinstance(exc, ExportError | TargetError):
        box = QMessageBox(
            QMessageBox.Icon.Warning, "无法完成", str(exc), QMessageBox.StandardButton.Ok, parent
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
    else:
        show_error(parent, exc)

"""The weekly table (附件1) screen: week picker, the Annex 1 grid, 标记为已上报.

Public API (the main window embeds it)::

    view = WeeklyView(state, parent)
    view.refresh()                 # recompute the shown week (after the ledger changed)
    view.set_week(week)            # show another week (emits week_changed)
    view.week, view.table          # the shown Week and its WeeklyTable
    view.add_toolbar_widget(w)     # room for 导出附件1 / 打印 buttons
    view.week_changed(Week)        # signal: the clerk picked another week
    view.submitted(Week)           # signal: the week was marked as submitted

The numbers come from ``weekly.compute``; the cells that differ from the last
submitted table (``snapshots.diff_with_last``) have a yellow background and
the submitted value in their tooltip; negative cells are red.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import snapshots, submitted, weekly
from jiuye_desktop.domain import Level, Week, WeeklyTable
from ui.adjustments_panel import AdjustmentsPanel
from ui.grid_copy import HEADER_ROWS_PROPERTY
from ui.ops import KNOWN_ERRORS, show_error
from ui.state import AppState
from ui.week_picker import WeekPicker
from ui.weekly_model import CORNER_TEXT, HEADER_ROWS, WeeklyModel

TITLE = "城镇新增就业人员实名制登记统计情况周调度（汇总）表"


class _CornerDelegate(QStyledItemDelegate):
    """Draws the 项目/地区 corner as on the printed sheet: a diagonal, 项目 above it, 地区 below."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if index.row() != 0 or index.column() != 0:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = option.rect
        painter.save()
        painter.setPen(QPen(opt.palette.mid().color()))
        painter.drawLine(rect.topLeft(), rect.bottomRight())
        painter.setPen(opt.palette.text().color())
        painter.setFont(opt.font)
        inner = rect.adjusted(6, 4, -6, -4)
        top, bottom = CORNER_TEXT
        painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, top)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, bottom)
        painter.restore()


class WeeklyView(QWidget):
    """The Annex 1 grid of one week, its picker and its submission state."""

    week_changed = Signal(object)  # Week
    submitted = Signal(object)  # Week

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._week: Week = snapshots.default_week(state.session)
        self.drill_dialog: QDialog | None = None  # the last drill-down opened
        self._build()
        self._connect_signals()
        self._show_week(self._week)

    # --- public ---------------------------------------------------------------------------------

    @property
    def week(self) -> Week:
        return self._week

    @property
    def table(self) -> WeeklyTable | None:
        """The table shown (None when it could not be computed)."""
        return self.model.table

    @property
    def toolbar(self) -> QHBoxLayout:
        """The row of buttons for the shown table (标记为已上报; exports and printing go here)."""
        return self._toolbar

    def add_toolbar_widget(self, widget: QWidget) -> None:
        """Place a button (导出附件1, 打印 …) in the toolbar, before 标记为已上报."""
        self._toolbar.insertWidget(self._toolbar.indexOf(self.submit_button), widget)

    def set_week(self, week: Week) -> None:
        """Show a week, recomputed; ``week_changed`` is emitted when it is another week."""
        changed = week != self._week
        self._show_week(week)
        if changed:
            self.week_changed.emit(week)

    def refresh(self) -> None:
        """Recompute the shown week from the ledger and compare it with its last submission."""
        session = self.state.session
        try:
            table = weekly.compute(session, self._week)
            changes = snapshots.diff_with_last(session, table)
            last = snapshots.last_submission(session, self._week)
            adjusted = submitted.listed(session, self._week)
        except KNOWN_ERRORS as exc:
            self.model.set_table(None)
            self._status.setText("")
            self.adjustments.show_adjustments(None)
            show_error(self, exc)
            return
        self.adjustments.show_adjustments(adjusted)
        self.model.set_table(table, changes, last.submitted_at if last else "")
        self._unit_label.setText(f"填报单位：{table.unit.name}")
        self._week_label.setText(table.week.label)
        self._status.setText(_status_text(last, len(changes)))
        self.submit_button.setText("重新标记为已上报" if last else "标记为已上报")
        self.submit_button.setEnabled(True)
        self._fit_rows()

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.picker = WeekPicker(self._week)
        self.picker.year_spin.setToolTip("年度")
        # The picker's parts under the names the screen had before the picker was shared.
        self.year_spin, self.week_combo = self.picker.year_spin, self.picker.week_combo
        self.prev_button, self.next_button = self.picker.prev_button, self.picker.next_button

        self.submit_button = QPushButton("标记为已上报")
        self.submit_button.setToolTip(
            "保存本周报表当前的数值；以后台账变化时，与上报时不同的数值会标出"
        )
        self._toolbar = QHBoxLayout()
        self._toolbar.setSpacing(6)
        self._toolbar.addWidget(self.submit_button)

        picker = QHBoxLayout()
        picker.addWidget(self.picker)
        picker.addStretch(1)
        picker.addLayout(self._toolbar)

        title = QLabel(TITLE)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)

        self._unit_label = QLabel()
        self._week_label = QLabel()
        self._week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        unit_line = QHBoxLayout()
        unit_line.addWidget(self._unit_label, 1)
        unit_line.addWidget(self._week_label, 1)
        measure = QLabel("计量单位：人")
        measure.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        unit_line.addWidget(measure, 1)

        self.model = WeeklyModel(self)
        self.grid = QTableView()
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(_CornerDelegate(self.grid))
        self.grid.setProperty(HEADER_ROWS_PROPERTY, HEADER_ROWS)  # Ctrl+C copies them first
        self.grid.horizontalHeader().hide()
        self.grid.verticalHeader().hide()
        self.grid.setWordWrap(True)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.grid.horizontalHeader()
        header.setMinimumSectionSize(56)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(1, self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        for row, col, rows, cols in self.model.spans():
            self.grid.setSpan(row, col, rows, cols)

        self._status = QLabel()
        self._status.setWordWrap(True)
        legend = QLabel(
            "说明：1栏=3栏-5栏，2栏=4栏-6栏；红色数字为负数（本周剔除了以前登记的记录）；"
            "黄色底色为与上次上报不同的数值，鼠标停留可见上报时的数值。"
        )
        if self.state.session.unit.level != Level.COUNTY:
            legend.setText(
                legend.text()
                + "双击某地区一行，可按该地区上报文件中的地区分行查看（如省级查看某市各县）。"
            )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555555;")

        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(title)
        layout.addLayout(unit_line)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self._status)
        layout.addWidget(legend)
        self.adjustments = AdjustmentsPanel()
        layout.addWidget(self.adjustments)
        layout.addStretch(0)

    def _connect_signals(self) -> None:
        self.picker.week_changed.connect(self.set_week)
        self.submit_button.clicked.connect(self._on_submit_button_clicked)
        self.model.modelReset.connect(self._on_model_reset)
        self.grid.doubleClicked.connect(self._on_grid_double_clicked)

    # --- slots ----------------------------------------------------------------------------------

    def _on_submit_button_clicked(self) -> None:
        table = self.table
        if table is None:
            return
        changed = len(self.model.changed_cells())
        if changed:
            self._confirm(
                f"{table.week.label}的报表与上次上报相比有 {changed} 处数值不同。\n"
                "确定以现在的数值重新标记为已上报吗？（上次上报的数值仍保留在历史中）",
                lambda: self._mark_submitted(table),
            )
        else:
            self._mark_submitted(table)

    def _on_grid_double_clicked(self, index: QModelIndex) -> None:
        """An area's row (not 合计 or 本级): its own areas' rows, from its package."""
        table = self.table
        row = index.row() - HEADER_ROWS - 1  # 0 = 本级
        if table is None or row < 1 or row >= len(table.rows) or not table.rows[row].code:
            return
        self.drill_down(table.rows[row].code)

    def drill_down(self, code: str) -> None:
        """Open the drill-down of the area ``code`` for the shown week (a message if none)."""
        from jiuye_desktop.province import BreakdownError, area_breakdown
        from ui.drill_dialog import DrillDownDialog

        try:
            breakdown = area_breakdown(self.state.session, self._week, code)
        except BreakdownError as exc:
            self._status.setText(str(exc))
            return
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        dialog = DrillDownDialog(breakdown, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.drill_dialog = dialog
        dialog.open()

    def _on_model_reset(self) -> None:
        for row, col, rows, cols in self.model.spans():
            self.grid.setSpan(row, col, rows, cols)

    # --- helpers --------------------------------------------------------------------------------

    def _show_week(self, week: Week) -> None:
        self._week = week
        self.picker.set_week(week)
        self.refresh()

    def _mark_submitted(self, table: WeeklyTable) -> None:
        try:
            snapshots.mark_submitted(self.state.session, table)
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.submitted.emit(table.week)

    def _confirm(self, text: str, on_yes: Callable[[], None]) -> QMessageBox:
        """Ask without blocking (``open()``); ``on_yes`` runs when 确定 is pressed."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "标记为已上报",
            text,
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Ok:  # type: ignore[arg-type]
                on_yes()

        box.buttonClicked.connect(answered)
        box.open()
        return box

    def _fit_rows(self) -> None:
        self.grid.resizeRowsToContents()
        # The indicator names may wrap: give the first header row room for two lines.
        line = self.grid.fontMetrics().height()
        self.grid.setRowHeight(0, max(self.grid.rowHeight(0), 2 * line + 10))
        for row in range(HEADER_ROWS, self.model.rowCount()):
            self.grid.setRowHeight(row, max(self.grid.rowHeight(row), line + 12))
        # No empty white area under a short table: the grid is as tall as its rows
        # (a county with many townships, or a narrow window, scrolls instead).
        height = sum(self.grid.rowHeight(r) for r in range(self.model.rowCount()))
        frame = 2 * self.grid.frameWidth()
        self.grid.setMaximumHeight(height + frame)


def _status_text(last: snapshots.Submission | None, changed: int) -> str:
    if last is None:
        return "本周尚未标记为已上报。"
    who = f"由 {last.operator} " if last.operator else ""
    done = f"本周已于 {last.submitted_at} {who}标记为已上报。"
    if not changed:
        return done + "此后台账没有影响本周报表的变化。"
    return (
        done + f"此后台账有变化：{changed} 处数值与上报时不同（黄色底色），"
        "鼠标停留可见上报时的数值；差额即本周需说明的调整。"
    )

"""The 目标任务 screen: the year's targets in a grid like the weekly table (domain.md §6).

Rows: 合计 (the unit's own target; empty = the sum of the rows, shown in grey),
本级 and every area; columns: the six indicators. A cell is saved as soon as
it is edited (an empty cell clears the target); a value the core refuses is
named in a message and nothing changes. Buttons: import the same layout from
Excel, export it (to fill in and import back), fill the 去产能 target from
the province's 附件2.

    view = TargetsView(state, parent)
    view.refresh()             # reload the shown year
    view.set_year(year)
    view.targets_changed(int)  # signal: the year's targets changed
"""

from __future__ import annotations

import datetime as dt
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
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import snapshots
from jiuye_desktop.domain import INDICATOR_NAMES
from jiuye_desktop.targets import (
    FIRST_YEAR,
    LAST_YEAR,
    TOTAL_AREA_ID,
    TOTAL_NAME,
    TargetError,
    TargetRow,
    Targets,
    fill_from_province,
    import_targets,
    load,
    province_figures,
    set_values,
    write_template,
)
from ui.ops import KNOWN_ERRORS, show_error
from ui.state import AppState

SUM_COLOR = QColor("#80868b")
TOTAL_BACKGROUND = QColor("#f7f7f7")
_FOLDER_KEY = "exports/last_folder"

_Index = QModelIndex | QPersistentModelIndex


class TargetsModel(QAbstractTableModel):
    """The grid: row 0 = 合计, then 本级 and the areas; one column per indicator."""

    edit_requested = Signal(int, str, object)  # area id, indicator, text

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._targets: Targets | None = None
        self._rows: list[TargetRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_targets(self, targets: Targets | None) -> None:
        self.beginResetModel()
        self._targets = targets
        self._rows = []
        if targets is not None:
            self._rows = [TargetRow(TOTAL_AREA_ID, "total", TOTAL_NAME), *targets.rows]
        self.endResetModel()

    @property
    def targets(self) -> Targets | None:
        return self._targets

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(INDICATOR_NAMES)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return INDICATOR_NAMES[section]
        return self._rows[section].name if section < len(self._rows) else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        t = self._targets
        if not index.isValid() or t is None:
            return None
        row = self._rows[index.row()]
        name = INDICATOR_NAMES[index.column()]
        value = t.get(row.area_id, name)
        summed = row.is_total and value is None
        if role == Qt.ItemDataRole.DisplayRole:
            if summed:
                total = t.total_target(name)
                return "" if total is None else f"{total:,}（各行之和）"
            return "" if value is None else f"{value:,}"
        if role == Qt.ItemDataRole.EditRole:
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and summed:
            return QBrush(SUM_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole and row.is_total:
            return QBrush(TOTAL_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and row.is_total and not summed:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and row.is_total:
            return "本单位（合计）的目标；不填时为本级和各地区目标之和"
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self._rows[index.row()]
        self.edit_requested.emit(row.area_id, INDICATOR_NAMES[index.column()], value)
        return False  # the view reloads from the core after saving


class TargetsView(QWidget):
    targets_changed = Signal(int)  # year

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._year = snapshots.default_week(state.session).year
        self._build()
        self.refresh()

    @property
    def year(self) -> int:
        return self._year

    def set_year(self, year: int) -> None:
        if year != self._year:
            self._year = year
            self.year_spin.blockSignals(True)
            self.year_spin.setValue(year)
            self.year_spin.blockSignals(False)
            self.refresh()

    def refresh(self) -> None:
        session = self.state.session
        try:
            targets = load(session, self._year)
        except (TargetError, *KNOWN_ERRORS) as exc:
            self.model.set_targets(None)
            self._error(exc)
            return
        self.model.set_targets(targets)
        unit = session.unit
        self.title.setText(f"{unit.name}{self._year}年目标任务（人）")
        figures = province_figures(unit, targets.rows, self._year)
        self.province_button.setEnabled(bool(figures))
        self.province_button.setToolTip(
            "按省厅附件2填入：" + "；".join(f"{r.name} {n} {v:,}" for r, n, v in figures)
            if figures
            else "省厅附件2中没有本单位本年度的目标任务"
        )
        self.grid.resizeRowsToContents()
        line = self.grid.fontMetrics().height()
        for r in range(self.model.rowCount()):
            self.grid.setRowHeight(r, max(self.grid.rowHeight(r), line + 12))
        # No empty white area under a short grid (a county with many townships scrolls).
        rows = sum(self.grid.rowHeight(r) for r in range(self.model.rowCount()))
        head = self.grid.horizontalHeader().height()
        self.grid.setMaximumHeight(rows + head + 2 * self.grid.frameWidth() + 4)

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.year_spin = QSpinBox()
        self.year_spin.setRange(FIRST_YEAR, LAST_YEAR)
        self.year_spin.setSuffix(" 年")
        self.year_spin.setValue(self._year)
        self.year_spin.valueChanged.connect(self._on_year_spin_changed)
        self.import_button = QPushButton("从Excel导入…")
        self.import_button.setToolTip("导入与本表同样格式的Excel：第一列“地区”，其余各列为指标名称")
        self.export_button = QPushButton("导出为Excel…")
        self.export_button.setToolTip("导出本表，可填写后再导入")
        self.province_button = QPushButton("按省厅附件2填入")
        for button, slot in (
            (self.import_button, self._on_import_button_clicked),
            (self.export_button, self._on_export_button_clicked),
            (self.province_button, self._on_province_button_clicked),
        ):
            button.clicked.connect(slot)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_spin)
        top.addStretch(1)
        top.addWidget(self.province_button)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.model = TargetsModel(self)
        self.model.edit_requested.connect(self._on_edit_requested)
        self.grid = QTableView()
        self.grid.setModel(self.model)
        self.grid.setWordWrap(True)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumHeight(2 * self.grid.fontMetrics().height() + 12)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        self.grid.verticalHeader().setMinimumWidth(110)

        legend = QLabel(
            "直接在表格中输入目标人数（回车保存；清空即取消该目标）。"
            "合计行不填时为本级和各地区目标之和（灰色）。"
            "全面完成：本单位和每个设有目标的地区都完成目标（见“进度”）。"
        )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #5f6368;")
        self.status = QLabel()
        self.status.setStyleSheet("color: #1e7a32;")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.status)
        layout.addWidget(legend)
        layout.addStretch(0)

    # --- slots ----------------------------------------------------------------------------------

    def _on_year_spin_changed(self, year: int) -> None:
        self._year = year
        self.refresh()

    def _on_edit_requested(self, area_id: int, indicator: str, text: object) -> None:
        try:
            set_values(self.state.session, self._year, [(area_id, indicator, text)])
        except (TargetError, *KNOWN_ERRORS) as exc:
            self._error(exc)
            return
        self._changed("已保存")

    def _on_province_button_clicked(self) -> None:
        try:
            figures = fill_from_province(self.state.session, self._year)
        except (TargetError, *KNOWN_ERRORS) as exc:
            self._error(exc)
            return
        self._changed(
            "已按省厅附件2填入：" + "；".join(f"{r.name} {n} {v:,}" for r, n, v in figures)
        )

    def _on_import_button_clicked(self) -> None:
        folder = str(QSettings().value(_FOLDER_KEY, str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            self, "导入目标表", folder, "Excel 工作簿 (*.xlsx *.xls)"
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Import a targets sheet (the year from the file's title, else the shown year)."""
        try:
            targets = import_targets(self.state.session, path, default_year=self._year)
        except (TargetError, *KNOWN_ERRORS) as exc:
            self._error(exc)
            return
        self.set_year(targets.year)
        self._changed(f"已从“{path.name}”导入{targets.year}年的目标任务")

    def _on_export_button_clicked(self) -> None:
        folder = str(QSettings().value(_FOLDER_KEY, str(Path.home())))
        name = f"{self.state.session.unit.name}{self._year}年目标任务.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出目标表", str(Path(folder) / name), "Excel 工作簿 (*.xlsx)"
        )
        if not path:
            return
        QSettings().setValue(_FOLDER_KEY, str(Path(path).parent))
        try:
            out = write_template(self.state.session, self._year, path)
        except Exception as exc:  # noqa: BLE001 - ExportError and file errors, shown to the clerk
            self._error(exc)
            return
        self.status.setText(f"已导出：{out}（{dt.datetime.now():%H:%M}）")

    # --- helpers --------------------------------------------------------------------------------

    def _changed(self, message: str) -> None:
        self.refresh()
        self.status.setText(f"{message}（{dt.datetime.now():%H:%M}）")
        self.targets_changed.emit(self._year)

    def _error(self, exc: BaseException) -> None:
        from jiuye_desktop.exports.atomic import ExportError

        if isinstance(exc, TargetError | ExportError):
            box = QMessageBox(
                QMessageBox.Icon.Warning, "目标任务", str(exc), QMessageBox.StandardButton.Ok, self
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        else:
            show_error(self, exc)

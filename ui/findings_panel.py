"""The self-check screen's 自查结果 tab: the kinds on the left, the findings of the chosen kind,
and the row of actions under them.

    panel = FindingsPanel()
    panel.show_result(result)       # the kinds with their counts, the findings of the kind chosen
    panel.kind                      # duplicate … warning, or ALL_KINDS
    panel.show_kind(kind)           # choose a kind
    panel.selected_findings()       # the CheckFindings of the selected rows
    panel.selection_changed()       # the rows shown or selected changed (and so the buttons)
    panel.record_activated(int)     # a finding double-clicked: open its record

It shows; the screen (``ui.selfcheck_view``) runs the check and acts on the
buttons (标记为已核实…, 剔除所选…, 剔除本类全部…), whose state it keeps.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop.domain import FindingKind, kind_name
from jiuye_desktop.selfcheck import CheckFinding, CheckResult
from ui.selfcheck_model import (
    ALL_KINDS,
    FINDING_HEADERS,
    KIND_ORDER,
    RowsModel,
    fit_columns,
    row_text,
    table_view,
)
from ui.widgets import KIND_COLORS


class FindingsPanel(QWidget):
    selection_changed = Signal()
    record_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: CheckResult | None = None
        self._kind = FindingKind.DUPLICATE.value
        self._shown: list[CheckFinding] = []

        self.kind_list = QListWidget()
        self.kind_list.setMinimumWidth(140)
        self.kind_list.setSpacing(3)

        self.findings_model = RowsModel(FINDING_HEADERS, self)
        self.findings_model.color_column = FINDING_HEADERS.index("类别")
        self.findings_view = table_view(self.findings_model)
        self.findings_view.setToolTip("双击一行打开该记录修改")

        self.dismiss_button = QPushButton("标记为已核实…")
        self.dismiss_button.setToolTip(
            "所选提示（含疑似重复）经核实无误：不剔除，离开待处理列表，记入修改历史并随上报文件报送"
        )
        self.remove_selected_button = QPushButton("剔除所选…")
        self.remove_kind_button = QPushButton("剔除本类全部…")
        hint = QLabel("双击一行可打开该记录就地修改；改好后重新运行自查。")
        hint.setStyleSheet("color: #555555;")
        actions = QHBoxLayout()
        actions.addWidget(hint, 1)
        actions.addWidget(self.dismiss_button)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.kind_list.currentRowChanged.connect(self._on_kind_list_changed)
        self.findings_view.doubleClicked.connect(self._on_findings_view_double_clicked)
        self.findings_view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
        self._update_kinds()

    @property
    def kind(self) -> str:
        return self._kind

    def show_result(self, result: CheckResult | None) -> None:
        self._result = result
        self._update_kinds()
        self._update_findings()

    def show_kind(self, kind: str) -> None:
        """Filter the findings by kind (``duplicate`` … ``warning`` or ``all``)."""
        for i in range(self.kind_list.count()):
            if self.kind_list.item(i).data(Qt.ItemDataRole.UserRole) == kind:
                self.kind_list.setCurrentRow(i)
                return

    def selected_findings(self) -> list[CheckFinding]:
        rows = sorted({i.row() for i in self.findings_view.selectionModel().selectedRows()})
        return [self._shown[r] for r in rows if r < len(self._shown)]

    def has_selection(self) -> bool:
        return bool(self.findings_view.selectionModel().selectedRows())

    def _on_kind_list_changed(self, row: int) -> None:
        item = self.kind_list.item(row)
        if item is None:
            return
        self._kind = str(item.data(Qt.ItemDataRole.UserRole))
        self._update_findings()

    def _on_findings_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_activated.emit(self.findings_model.record_id(index.row()))

    def _update_kinds(self) -> None:
        result = self._result
        summary = result.summary if result else {}
        self.kind_list.blockSignals(True)
        self.kind_list.clear()
        for kind in [*KIND_ORDER, ALL_KINDS]:
            if kind == ALL_KINDS:
                text = "全部"
                if result is not None:
                    text += f"（{len(result.findings)} 项）"
            else:
                text = kind_name(kind)
                if result is not None:
                    text += f"  {summary.get(kind, 0)} 条"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            if kind in KIND_COLORS:
                item.setForeground(QBrush(KIND_COLORS[kind]))
            self.kind_list.addItem(item)
        self.kind_list.setCurrentRow([*KIND_ORDER, ALL_KINDS].index(self._kind))
        self.kind_list.blockSignals(False)

    def _update_findings(self) -> None:
        found = self._result.findings if self._result else []
        if self._kind != ALL_KINDS:
            found = [f for f in found if f.kind == self._kind]
        self._shown = found
        rows = [
            (
                row_text(f.source_row, f.record),
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
        fit_columns(self.findings_view)
        self.selection_changed.emit()

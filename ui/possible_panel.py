"""The self-check screen's 疑似重复 tab: possible duplicates as pairs side by side (domain.md §8).

Each pair appears once, the record with the finding on the left and the other
record on the right; a phone shared by several people shows the first two and
counts the rest; a made-up phone or a telephone outcome shows its record alone.
Double-click a side to open that record. The rule list on the left filters.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import audit
from jiuye_desktop.audit import Pair, Side
from jiuye_desktop.dismissals import DismissError
from jiuye_desktop.selfcheck import CheckResult
from jiuye_desktop.service import Session
from ui.ops import KNOWN_ERRORS, show_error
from ui.selfcheck_model import RowsModel, row_text, table_view

ALL_RULES = "all"
PAIR_HEADERS = (
    "规则",
    "行号",
    "姓名",
    "公民身份号码",
    "所属地区",
    "⇄",
    "行号",
    "姓名",
    "公民身份号码",
    "所属地区",
    "说明",
)
_RIGHT_FROM = PAIR_HEADERS.index("⇄") + 1
RULE_COLOR = QColor("#8a4b00")


class PossiblePanel(QWidget):
    """Pairs of possible duplicates, filtered by rule; double-click opens a side's record."""

    record_activated = Signal(int)
    dismissed = Signal(int)  # so many findings were marked as checked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pairs: list[Pair] = []
        self._session: Session | None = None
        self._result: CheckResult | None = None
        self._shown: list[Pair] = []
        self._rule = ALL_RULES
        self.rule_list = QListWidget()
        self.rule_list.setMinimumWidth(150)
        self.rule_list.setSpacing(3)
        self.model = RowsModel(PAIR_HEADERS, self)
        self.model.color_column = 0
        self.view = table_view(self.model)
        self.view.setToolTip("双击左侧或右侧的单元格，打开该侧的记录")
        hint = QLabel(
            "疑似同一人的记录成对列出（左为发现问题的记录，右为与之相似的记录），"
            "只供核实，不自动剔除；确属重复的，在“自查结果”中选中后剔除。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_label = QLabel("选中一行，在此查看完整说明。")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setStyleSheet(
            "QLabel { background: #fff8e6; border: 1px solid #e0c98f; padding: 6px; }"
        )
        self.dismiss_button = QPushButton("标记为已核实…")
        self.dismiss_button.setToolTip(
            "核实后确认不是同一人（或电话无误）：写明理由，该对记录不再列为待核实"
        )
        self.dismiss_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.dismiss_button)
        right_layout.addWidget(self.view, 1)
        right_layout.addWidget(self.detail_label)
        right_layout.addLayout(bottom)
        splitter = QSplitter()
        splitter.addWidget(self.rule_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([170, 1200])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        self.rule_list.currentRowChanged.connect(self._on_rule_list_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_row_changed)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)

    # --- public ---------------------------------------------------------------------------------

    @property
    def pairs(self) -> list[Pair]:
        return list(self._pairs)

    def set_result(self, session: Session, result: CheckResult) -> None:
        """Show the possible duplicates of a finished self-check."""
        self._session, self._result = session, result
        self._pairs = audit.pairs(session, result.findings)
        counts: dict[str, int] = {}
        for p in self._pairs:
            counts[p.rule] = counts.get(p.rule, 0) + 1
        self.rule_list.blockSignals(True)
        self.rule_list.clear()
        for rule, label in [(ALL_RULES, "全部"), *audit.RULE_LABELS.items()]:
            n = len(self._pairs) if rule == ALL_RULES else counts.get(rule, 0)
            item = QListWidgetItem(f"{label}  {n}")
            item.setData(Qt.ItemDataRole.UserRole, rule)
            self.rule_list.addItem(item)
            if rule == self._rule:
                self.rule_list.setCurrentItem(item)
        self.rule_list.blockSignals(False)
        self._update_rows()

    def count(self) -> int:
        return len(self._pairs)

    # --- slots ----------------------------------------------------------------------------------

    def _on_rule_list_changed(self, row: int) -> None:
        item = self.rule_list.item(row)
        if item is not None:
            self._rule = str(item.data(Qt.ItemDataRole.UserRole))
            self._update_rows()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if not index.isValid() or index.row() >= len(self._shown):
            return
        pair = self._shown[index.row()]
        side = pair.right if index.column() >= _RIGHT_FROM and pair.right else pair.left
        self.record_activated.emit(side.record)

    def _on_dismiss_button_clicked(self) -> None:
        row = self.view.currentIndex().row()
        if self._session is None or not 0 <= row < len(self._shown):
            return
        pair = self._shown[row]
        who = pair.left.name + (f"与{pair.right.name}" if pair.right else "")
        reason, ok = QInputDialog.getText(
            self,
            "标记为已核实",
            f"{pair.label}：{who}\n核实理由（例如“电话核实，不是同一人”）：",
        )
        if not ok:
            return
        try:
            count = audit.dismiss_pair(self._session, pair, reason, self._result)
        except (DismissError, *KNOWN_ERRORS) as exc:
            show_error(self, exc)
            return
        self.dismissed.emit(count)

    def _on_view_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        self.dismiss_button.setEnabled(0 <= row < len(self._shown))
        if 0 <= row < len(self._shown):
            p = self._shown[row]
            self.detail_label.setText(f"{p.label}：{p.left.name}（{p.left.area}）{p.message}")

    # --- helpers --------------------------------------------------------------------------------

    def _update_rows(self) -> None:
        shown = [p for p in self._pairs if self._rule in (ALL_RULES, p.rule)]
        self._shown = shown
        rows = [
            (p.label, *_side(p.left), "⇄" if p.right else "", *_side(p.right, p.more), p.message)
            for p in shown
        ]
        self.model.set_rows(rows, [p.left.record for p in shown], [RULE_COLOR] * len(rows))
        if shown:
            self.view.selectRow(0)
        else:
            self.detail_label.setText("没有此类疑似重复。")
            self.dismiss_button.setEnabled(False)
        header = self.view.horizontalHeader()
        last = len(PAIR_HEADERS) - 1
        for col in range(last):
            self.view.resizeColumnToContents(col)
            self.view.setColumnWidth(col, min(self.view.columnWidth(col), 160))
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)


def _side(side: Side | None, more: int = 0) -> tuple[str, str, str, str]:
    if side is None:
        return ("", "", "", "")
    name = side.name + (f" 等{more + 1}人" if more else "")
    return (row_text(side.source_row, side.record), name, side.id_number, side.area)

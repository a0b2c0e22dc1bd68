"""The import screen: choose or drop a workbook, preview the header mapping, import, summary.

Public API (the main window embeds it)::

    view = ImportView(state, parent)
    view.load_file(path)     # read and preview a workbook (what 选择文件 and a drop do)
    view.start_import()      # import the previewed file (what 导入 does)
    view.imported()          # signal: records were imported (refresh ledger, weekly table)
    view.last_result         # ImportResult of the last import, None before
    view.last_summary        # self-check counts after it ({kind: records})

Reading the preview, the import and the check after it run in the background
(``run_op``; the import can be cancelled, and then nothing is stored). A file
that cannot be a ledger is refused with the core's Chinese message (file,
row, column) and nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import importer, selfcheck
from jiuye_desktop.adjustments import ReasonRequired
from jiuye_desktop.domain import FINDING_KIND_NAMES, RECORD_FIELDS, REQUIRED_HEADERS, FindingKind
from jiuye_desktop.importer import ImportResult
from jiuye_desktop.records import cell_text
from jiuye_desktop.service import Session
from ui.ops import Cancelled, Progress, run_op, show_error
from ui.reason_dialog import ask_reason
from ui.state import AppState

PREVIEW_ROWS = 20
WORKBOOK_FILTER = "Excel 工作簿 (*.xlsx *.xlsm *.xls *.xlsb *.ods);;所有文件 (*)"
_TEMPLATE_ORDER = [header for _, header in RECORD_FIELDS]


@dataclass(frozen=True, slots=True)
class Preview:
    """What the preview shows of a workbook (the sheet itself is not kept)."""

    path: Path
    sheet_name: str
    header_row: int  # 1-based row of the header
    letters: dict[str, str]  # template header -> Excel column letter
    rows: list[dict[str, Any]]  # the first rows, keyed by template header


@dataclass(frozen=True, slots=True)
class Outcome:
    result: ImportResult
    summary: dict[str, int]


class ImportView(QWidget):
    """Workbook → preview → import → what was imported and what the check found."""

    imported = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._preview: Preview | None = None
        self._busy = False
        self.last_result: ImportResult | None = None
        self.last_summary: dict[str, int] = {}
        self.setAcceptDrops(True)
        self._build()
        self._connect_signals()
        self._show_preview(None)

    # --- public ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def preview(self) -> Preview | None:
        return self._preview

    def load_file(self, path: Path | str) -> None:
        """Read a workbook in the background and show its header mapping and first rows."""
        if self._busy:
            return
        path = Path(path)
        self._show_preview(None)
        self.result_box.hide()
        self._set_busy(True)
        run_op(
            self,
            f"正在读取“{path.name}”…",
            lambda _session, _progress, _cancelled: _read_preview(path),
            state=self.state,
            on_done=self._on_preview_done,
            on_error=self._on_op_failed,
        )

    def start_import(self, reason: str | None = None) -> None:
        """Import the previewed workbook (cancellable), then run the self-check.

        Rows registered in a submitted week need a reason (domain.md §9): the
        core refuses without one, naming the rows; the reason is asked and the
        import run again.
        """
        preview = self._preview
        if preview is None or self._busy:
            return
        path = preview.path

        def work(session: Session, progress: Progress, cancelled: Cancelled) -> Outcome:
            result = importer.import_workbook(
                session, path, progress=progress, cancelled=cancelled, reason=reason
            )
            # The import is committed: the check only reports, so it is no longer cancellable.
            summary = selfcheck.run_check(session).summary
            return Outcome(result, summary)

        self._set_busy(True)
        run_op(
            self,
            f"正在导入“{path.name}”…",
            work,
            state=self.state,
            on_done=self._on_import_done,
            on_error=self._on_op_failed,
            cancellable=True,
        )

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.drop_label = QLabel(
            "把台账 Excel 文件（.xlsx / .xls）拖到这里，或点击“选择文件…”。\n"
            "表头按名称识别，列的顺序不限；必须有：" + "、".join(REQUIRED_HEADERS) + "。"
        )
        self.drop_label.setWordWrap(True)
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_label.setMinimumHeight(64)
        self.drop_label.setStyleSheet(
            "QLabel { border: 2px dashed #9aa5b1; border-radius: 6px; padding: 8px; }"
        )
        self.choose_button = QPushButton("选择文件…")
        self.import_button = QPushButton("导入")
        self.import_button.setToolTip("把预览的文件导入台账（全部成功或全部不导入）")
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.drop_label, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        top.addLayout(buttons)

        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setHorizontalHeaderLabels(["模板表头", "文件中的列"])
        _plain(self.mapping_table)
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        mapping_box = QGroupBox("表头对应")
        QVBoxLayout(mapping_box).addWidget(self.mapping_table)

        self.preview_table = QTableWidget(0, 0)
        _plain(self.preview_table)
        self.preview_table.verticalHeader().hide()
        self.preview_box = QGroupBox(f"预览（前 {PREVIEW_ROWS} 行）")
        QVBoxLayout(self.preview_box).addWidget(self.preview_table)

        splitter = QSplitter()
        splitter.addWidget(mapping_box)
        splitter.addWidget(self.preview_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        splitter.setChildrenCollapsible(False)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejected_table = QTableWidget(0, 2)
        self.rejected_table.setHorizontalHeaderLabels(["行号", "未导入的原因"])
        _plain(self.rejected_table)
        self.rejected_table.horizontalHeader().setStretchLastSection(True)
        self.rejected_table.setMaximumHeight(140)
        self.result_box = QGroupBox("导入结果")
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.summary_label)
        result_layout.addWidget(self.rejected_table)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.file_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.result_box)
        self.result_box.hide()

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)

    # --- drag and drop --------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._busy and _dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData().urls())
        if path is None or self._busy:
            event.ignore()
            return
        event.acceptProposedAction()
        self.load_file(path)

    # --- slots ----------------------------------------------------------------------------------

    def _on_choose_button_clicked(self) -> None:
        start = str(self._preview.path.parent) if self._preview else ""
        name, _ = QFileDialog.getOpenFileName(self, "选择台账文件", start, WORKBOOK_FILTER)
        if name:
            self.load_file(name)

    def _on_import_button_clicked(self) -> None:
        self.start_import()

    def _on_preview_done(self, preview: Preview) -> None:
        self._set_busy(False)
        self._show_preview(preview)

    def _on_import_done(self, outcome: Outcome) -> None:
        self._set_busy(False)
        self.last_result = outcome.result
        self.last_summary = dict(outcome.summary)
        self._show_result(outcome)
        self._preview = None
        self.import_button.setEnabled(False)
        self.file_label.setText(f"已导入“{outcome.result.file}”。可以再选择或拖入下一个文件。")
        self.imported.emit()

    def _on_op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ReasonRequired):
            reason = ask_reason(self, str(exc))
            if reason:
                self.start_import(reason)
            return
        if isinstance(exc, importer.ImportCancelled):
            # The clerk asked for it: say so quietly; the preview stays for another try.
            self.file_label.setText(f"已取消导入：{exc}。")
            return
        if self._preview is None:
            self.file_label.setText("未导入：" + str(exc))
        show_error(self, exc)

    # --- helpers --------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.choose_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy and self._preview is not None)

    def _show_preview(self, preview: Preview | None) -> None:
        self._preview = preview
        self.import_button.setEnabled(preview is not None and not self._busy)
        self.mapping_table.setRowCount(0)
        self.preview_table.clear()
        self.preview_table.setRowCount(0)
        self.preview_table.setColumnCount(0)
        if preview is None:
            self.file_label.setText("")
            return
        self.file_label.setText(
            f"文件：{preview.path}　工作表：{preview.sheet_name}　表头在第 {preview.header_row} 行。"
            "确认表头对应无误后点击“导入”。"
        )
        self.mapping_table.setRowCount(len(_TEMPLATE_ORDER))
        for row, header in enumerate(_TEMPLATE_ORDER):
            letter = preview.letters.get(header)
            required = header in REQUIRED_HEADERS
            self.mapping_table.setItem(
                row, 0, QTableWidgetItem(header + (" *" if required else ""))
            )
            item = QTableWidgetItem(f"{letter} 列" if letter else "（没有）")
            if letter is None:
                item.setForeground(Qt.GlobalColor.gray)
            self.mapping_table.setItem(row, 1, item)
        headers = [h for h in _TEMPLATE_ORDER if h in preview.letters]
        self.preview_table.setColumnCount(len(headers))
        self.preview_table.setHorizontalHeaderLabels(
            [f"{h}（{preview.letters[h]}）" for h in headers]
        )
        self.preview_table.setRowCount(len(preview.rows))
        for r, values in enumerate(preview.rows):
            for c, header in enumerate(headers):
                self.preview_table.setItem(r, c, QTableWidgetItem(cell_text(values.get(header))))
        self.preview_table.resizeColumnsToContents()
        for c in range(len(headers)):
            self.preview_table.setColumnWidth(c, min(self.preview_table.columnWidth(c), 240))

    def _show_result(self, outcome: Outcome) -> None:
        result, summary = outcome.result, outcome.summary
        lines = [
            f"已从“{result.file}”的工作表“{result.sheet}”导入 {result.imported} 条记录。",
        ]
        if result.rejected:
            lines.append(f"未导入 {len(result.rejected)} 行（见下表）。")
        else:
            lines.append("没有未导入的行。")
        parts = "，".join(
            f"{FINDING_KIND_NAMES[k]} {summary.get(k.value, 0)} 条" for k in FindingKind
        )
        lines.append(f"导入后对全部台账自查：{parts}。请到“自查”页面核实、修改或剔除。")
        self.summary_label.setText("\n".join(lines))
        self.rejected_table.setRowCount(len(result.rejected))
        for i, rejected in enumerate(result.rejected):
            self.rejected_table.setItem(i, 0, QTableWidgetItem(str(rejected.row)))
            self.rejected_table.setItem(i, 1, QTableWidgetItem(rejected.reason))
        self.rejected_table.setVisible(bool(result.rejected))
        self.result_box.show()


def _read_preview(path: Path) -> Preview:
    sheet, rows = importer.preview(path, PREVIEW_ROWS)
    return Preview(path, sheet.name, sheet.header_row + 1, importer.mapping_letters(sheet), rows)


def _dropped_file(urls: list[QUrl]) -> Path | None:
    """The one local file of a drop, or None."""
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 else None


def _plain(table: QTableWidget) -> None:
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)

"""The 电话抽查 screen (domain.md §8): draw a sample, print its call sheet, type the outcomes.

Public API (the main window embeds it)::

    view = SampleView(state, parent)
    view.refresh()              # reload the stored samples (the ledger changed)
    view.outcomes_changed       # signal: an outcome was recorded (the self-check may change)

Outcomes are typed with one key each while the calls table has the focus:
1 已就业（属实） … 7 信息不符, 0 or Delete clears; the cursor moves to the next row.
Enter in the note field stores the note of the current row. The summary per area
and in total follows each outcome.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import phone_sample
from jiuye_desktop.exports.sample_pdf import OUTCOME_LABELS, write_call_sheet
from jiuye_desktop.exports.selfcheck_data import mask_id
from jiuye_desktop.phone_sample import (
    CONFIRMED,
    NOT_REACHED,
    OUTCOMES,
    Sample,
    SampleItem,
    Summary,
)
from jiuye_desktop.service import Session
from ui.ops import KNOWN_ERRORS, Cancelled, Progress, run_op, show_error
from ui.sample_draw import DrawBox
from ui.selfcheck_model import RowsModel, fit_columns, table_view
from ui.state import AppState

CALL_HEADERS = (
    "地区",
    "序号",
    "姓名",
    "联系电话",
    "通话结果",
    "备注",
    "公民身份号码",
    "指标",
    "就业日期",
    "就业单位",
)
SUMMARY_HEADERS = ("地区", "抽取", "接通", "属实", "不属实", "未接通", "未录入", "属实率")
OUTCOME_COLORS = {
    **{o: QColor("#1a7f37") for o in CONFIRMED},
    **{o: QColor("#8a6d00") for o in NOT_REACHED},
}
NOT_CONFIRMED_COLOR = QColor("#c00000")
_FOLDER_KEY = "exports/last_folder"
#: Keys of the calls table: digit → outcome (0 clears).
OUTCOME_KEYS = {getattr(Qt.Key, f"Key_{i}"): o for i, o in enumerate(OUTCOMES, start=1)}
CLEAR_KEYS = (Qt.Key.Key_0, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


def key_legend() -> str:
    parts = [f"{i} {label}" for i, label in enumerate(OUTCOME_LABELS, start=1)]
    return "按键录入结果：" + "　".join(parts) + "　0 清除；在备注框按回车保存备注"


def _share_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


class _OutcomeKeys(QObject):
    """Turns digit keys on the calls table into outcomes."""

    def __init__(self, view: SampleView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in OUTCOME_KEYS:
                self.view.set_outcome(OUTCOME_KEYS[key])
                return True
            if key in CLEAR_KEYS:
                self.view.set_outcome(None)
                return True
        return False


class SampleView(QWidget):
    """Draw, print, record and summarise telephone samples."""

    outcomes_changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.sample: Sample | None = None
        self._busy = False
        self._loaded = False
        self._build()
        self._connect_signals()

    # --- public ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the stored samples and the shown one."""
        self._load_samples(keep=self.sample.id if self.sample else None)

    def set_outcome(self, outcome: str | None) -> None:
        """Record the outcome of the current row (None clears it) and move to the next row."""
        sample = self.sample
        row = self.calls_view.currentIndex().row()
        if sample is None or row < 0 or row >= len(sample.items):
            return
        item = sample.items[row]
        try:
            phone_sample.record_outcome(
                self.state.session, sample.id, item.record, outcome, item.note
            )
        except (phone_sample.SampleError, *KNOWN_ERRORS) as exc:
            show_error(self, exc)
            return
        self._reload_sample(sample.id, row=min(row + 1, len(sample.items) - 1))
        self.outcomes_changed.emit()

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.draw_box = DrawBox()
        # Its parts under the names the screen had before the box was its own.
        self.date_edit, self.draw_button = self.draw_box.date_edit, self.draw_box.draw_button
        self.mode_combo, self.count_spin = self.draw_box.mode_combo, self.draw_box.count_spin
        self.seed_spin = self.draw_box.seed_spin

        self.samples_list = QListWidget()
        self.samples_list.setMinimumWidth(230)
        self.samples_list.setMaximumHeight(150)
        samples_box = QGroupBox("已保存的抽查")
        samples_layout = QVBoxLayout(samples_box)
        samples_layout.addWidget(self.samples_list)

        top = QHBoxLayout()
        top.addWidget(self.draw_box, 3)
        top.addWidget(samples_box, 2)

        self.title_label = QLabel("尚未选择抽查。")
        self.title_label.setWordWrap(True)
        self.print_button = QPushButton("打印呼叫单…")
        self.print_button.setToolTip(
            "呼叫单PDF（A4横向，每个地区一节，身份证号已遮蔽，印有随机种子）"
        )
        head = QHBoxLayout()
        head.addWidget(self.title_label, 1)
        head.addWidget(self.print_button)

        self.calls_model = RowsModel(CALL_HEADERS, self)
        self.calls_model.color_column = CALL_HEADERS.index("通话结果")
        self.calls_view = table_view(self.calls_model)
        self.calls_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calls_view.installEventFilter(_OutcomeKeys(self))
        self.legend = QLabel(key_legend())
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #555555;")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("当前行的备注，回车保存")
        note_row = QHBoxLayout()
        note_row.addWidget(QLabel("备注"))
        note_row.addWidget(self.note_edit, 1)

        calls = QWidget()
        calls_layout = QVBoxLayout(calls)
        calls_layout.setContentsMargins(0, 0, 0, 0)
        calls_layout.addLayout(head)
        calls_layout.addWidget(self.calls_view, 1)
        calls_layout.addWidget(self.legend)
        calls_layout.addLayout(note_row)

        self.summary_model = RowsModel(SUMMARY_HEADERS, self)
        self.summary_view = table_view(self.summary_model)
        self.summary_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.summary_label = QLabel(
            "属实率 = 属实（含自愿放弃就业）÷ 接通；空号、停机、无人接听为未接通。"
        )
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("color: #555555;")
        summary = QGroupBox("结果汇总")
        summary.setMinimumWidth(380)
        summary_layout = QVBoxLayout(summary)
        summary_layout.addWidget(self.summary_view, 1)
        summary_layout.addWidget(self.summary_label)

        splitter = QSplitter()
        splitter.addWidget(calls)
        splitter.addWidget(summary)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([800, 400])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.draw_button.clicked.connect(self._on_draw_button_clicked)
        self.samples_list.currentRowChanged.connect(self._on_samples_list_changed)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.note_edit.returnPressed.connect(self._on_note_edit_return)
        self.calls_view.selectionModel().currentRowChanged.connect(self._on_calls_row_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.draw_box.set_date(phone_sample.default_date(self.state.session))
            self._load_samples()

    # --- slots ----------------------------------------------------------------------------------

    def _on_draw_button_clicked(self) -> None:
        if self._busy:
            return
        r = self.draw_box.request()
        if r is None:
            show_error(self, phone_sample.SampleError("请至少选择一个抽查指标"))
            return

        def work(session: Session, _progress: Progress, _cancelled: Cancelled) -> Sample:
            return phone_sample.draw(
                session,
                r.day,
                seed=r.seed,
                indicators=r.indicators,
                share=r.share,
                per_area=r.per_area,
            )

        self._busy = True
        self._update_buttons()
        run_op(
            self,
            "正在抽取电话抽查样本…",
            work,
            state=self.state,
            on_done=self._on_draw_done,
            on_error=self._on_op_failed,
        )

    def _on_draw_done(self, sample: Sample) -> None:
        self._busy = False
        self._load_samples(keep=sample.id)
        self.calls_view.setFocus()

    def _on_op_failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update_buttons()
        show_error(self, exc)

    def _on_samples_list_changed(self, row: int) -> None:
        item = self.samples_list.item(row)
        if item is not None:
            self._reload_sample(int(item.data(Qt.ItemDataRole.UserRole)), row=0)

    def _on_print_button_clicked(self) -> None:
        sample = self.sample
        if sample is None:
            return
        folder = str(QSettings().value(_FOLDER_KEY, str(Path.home())))
        name = f"电话抽查呼叫单-第{sample.id}号-{sample.on_date.isoformat()}.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, "保存呼叫单", str(Path(folder) / name), "PDF 文件 (*.pdf)"
        )
        if not path:
            return
        QSettings().setValue(_FOLDER_KEY, str(Path(path).parent))
        try:
            write_call_sheet(self.state.session, sample, Path(path))
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, nothing written
            show_error(self, exc)
            return
        QMessageBox.information(self, "已保存", f"呼叫单已保存：{path}")

    def _on_note_edit_return(self) -> None:
        sample = self.sample
        row = self.calls_view.currentIndex().row()
        if sample is None or row < 0 or row >= len(sample.items):
            return
        item = sample.items[row]
        if not item.outcome:
            show_error(self, phone_sample.SampleError("请先按数字键录入该行的通话结果，再填写备注"))
            return
        try:
            phone_sample.record_outcome(
                self.state.session, sample.id, item.record, item.outcome, self.note_edit.text()
            )
        except (phone_sample.SampleError, *KNOWN_ERRORS) as exc:
            show_error(self, exc)
            return
        self._reload_sample(sample.id, row=row)
        self.calls_view.setFocus()
        self.outcomes_changed.emit()

    def _on_calls_row_changed(self, *_: object) -> None:
        sample = self.sample
        row = self.calls_view.currentIndex().row()
        if sample is not None and 0 <= row < len(sample.items):
            self.note_edit.setText(sample.items[row].note)
        self._update_buttons()

    # --- helpers --------------------------------------------------------------------------------

    def _load_samples(self, keep: int | None = None) -> None:
        try:
            items = phone_sample.list_samples(self.state.session)
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        self.samples_list.blockSignals(True)
        self.samples_list.clear()
        chosen = 0
        for i, info in enumerate(items):
            s = info.sample
            text = (
                f"第 {s.id} 号　{s.on_date.isoformat()}　种子 {s.seed}\n"
                f"{info.sampled} 人，已录入 {info.recorded} 人"
            )
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, s.id)
            entry.setToolTip(f"{'、'.join(s.indicators)}；{s.how_many}")
            self.samples_list.addItem(entry)
            if s.id == keep:
                chosen = i
        self.samples_list.blockSignals(False)
        if items:
            self.samples_list.setCurrentRow(chosen)
            self._reload_sample(items[chosen].sample.id, row=0)
        else:
            self.sample = None
            self.calls_model.set_rows([], [])
            self.summary_model.set_rows([], [])
            self.title_label.setText("还没有电话抽查：选好日期、指标和数量后按“抽取”。")
        self._update_buttons()

    def _reload_sample(self, sample_id: int, row: int = 0) -> None:
        try:
            sample = phone_sample.get_sample(self.state.session, sample_id)
            summary = phone_sample.summary(self.state.session, sample_id)
        except (phone_sample.SampleError, *KNOWN_ERRORS) as exc:
            show_error(self, exc)
            return
        self.sample = sample
        self.title_label.setText(
            f"第 {sample.id} 号电话抽查：{sample.on_date.isoformat()}，随机种子 {sample.seed}，"
            f"{'、'.join(sample.indicators)}；{sample.how_many}；共 {len(sample.items)} 人"
            f"（可抽记录 {sample.population} 条）"
        )
        self.calls_model.set_rows(
            [_call_row(i) for i in sample.items],
            [i.record for i in sample.items],
            [_outcome_color(i.outcome) for i in sample.items],
        )
        fit_columns(self.calls_view)
        self._show_summary(summary)
        if sample.items:
            self.calls_view.selectRow(max(0, min(row, len(sample.items) - 1)))
        self._update_samples_entry(sample)
        self._update_buttons()

    def _show_summary(self, summary: Summary) -> None:
        rows = [
            (
                r.name,
                str(r.sampled),
                str(r.reached),
                str(r.confirmed),
                str(r.not_confirmed),
                str(r.not_reached),
                str(r.pending),
                _share_text(r.share),
            )
            for r in (*summary.rows, summary.total)
        ]
        self.summary_model.set_rows(rows, [0] * len(rows))
        self.summary_view.resizeColumnsToContents()

    def _update_samples_entry(self, sample: Sample) -> None:
        entry = self.samples_list.currentItem()
        if entry is None or entry.data(Qt.ItemDataRole.UserRole) != sample.id:
            return
        recorded = sum(1 for i in sample.items if i.outcome)
        entry.setText(
            f"第 {sample.id} 号　{sample.on_date.isoformat()}　种子 {sample.seed}\n"
            f"{len(sample.items)} 人，已录入 {recorded} 人"
        )

    def _update_buttons(self) -> None:
        self.draw_button.setEnabled(not self._busy)
        self.print_button.setEnabled(self.sample is not None and not self._busy)
        self.note_edit.setEnabled(self.sample is not None)


def _call_row(item: SampleItem) -> tuple[str, ...]:
    return (
        item.area_name,
        str(item.position),
        item.name,
        item.phone,
        item.outcome or "—",
        item.note,
        mask_id(item.id_number),
        "、".join(n.removesuffix("人数") for n in item.indicators),
        item.event_date,
        item.employer,
    )


def _outcome_color(outcome: str) -> QColor | None:
    if not outcome:
        return None
    return OUTCOME_COLORS.get(outcome, NOT_CONFIRMED_COLOR)

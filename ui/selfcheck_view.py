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
under 已剔除记录, where they can be restored. The 自查结果 tab (kinds, findings, the
row of actions) is ``ui.findings_panel.FindingsPanel``; this screen acts on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import dismissals, selfcheck, submitted
from jiuye_desktop.adjustments import ReasonRequired
from jiuye_desktop.dismissals import finding_key
from jiuye_desktop.domain import FindingKind, kind_name
from jiuye_desktop.selfcheck import CheckFinding, CheckResult, RemoveResult
from jiuye_desktop.service import Session
from ui.dismiss_dialog import DismissDialog
from ui.findings_panel import FindingsPanel
from ui.ops import KNOWN_ERRORS, Cancelled, Progress, run_op, show_error
from ui.possible_panel import PossiblePanel
from ui.reason_dialog import ask_reason
from ui.selfcheck_dialog import RemovalChoice, RemovalDialog
from ui.selfcheck_model import (
    ALL_KINDS,
    KIND_ORDER,
    REMOVABLE,
    REMOVAL_HEADERS,
    RowsModel,
    check_ledger,
    fit_columns,
    removal_rows,
    table_view,
)
from ui.state import AppState

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
        self._busy = False
        self._checked_at = ""
        self.removal_dialog: RemovalDialog | None = None
        self._build()
        self._connect_signals()
        self._update_summary()
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
            check_ledger,
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
        self.findings.show_kind(kind)

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

        self.findings = FindingsPanel()
        # Its parts under the names the screen had before the panel was its own.
        self.kind_list = self.findings.kind_list
        self.findings_model, self.findings_view = (
            self.findings.findings_model,
            self.findings.findings_view,
        )
        self.dismiss_button = self.findings.dismiss_button
        self.remove_selected_button = self.findings.remove_selected_button
        self.remove_kind_button = self.findings.remove_kind_button

        self.removals_model = RowsModel(REMOVAL_HEADERS, self)
        self.removals_view = table_view(self.removals_model)
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
        self.tabs.addTab(self.findings, "自查结果")
        self.tabs.addTab(removals_page, "已剔除记录")
        # The audit rehearsal's possible duplicates, pairs side by side (domain.md §8).
        self.possible_panel = PossiblePanel(self)
        self.tabs.addTab(self.possible_panel, "疑似重复")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.possible_panel.record_activated.connect(self.record_activated)
        self.possible_panel.dismissed.connect(self._on_possible_panel_dismissed)
        self.findings.record_activated.connect(self.record_activated)
        self.findings.selection_changed.connect(self._update_buttons)
        self.removals_view.doubleClicked.connect(self._on_removals_view_double_clicked)
        self.removals_view.selectionModel().selectionChanged.connect(
            self._on_removals_selection_changed
        )
        self.remove_selected_button.clicked.connect(self._on_remove_selected_button_clicked)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
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
        self._update_summary()
        self.findings.show_result(result)
        self._load_removals()
        self.possible_panel.set_result(self.state.session, result)
        self.tabs.setTabText(2, f"疑似重复（{self.possible_panel.count()} 对）")
        self.check_finished.emit(result)

    def _on_possible_panel_dismissed(self, _count: int) -> None:
        self.run_check()  # the dismissed pair leaves the open findings

    def _on_op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error(self, exc)

    def _on_removals_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_activated.emit(self.removals_model.record_id(index.row()))

    def _on_removals_selection_changed(self, *_: object) -> None:
        self._update_buttons()

    def _on_dismiss_button_clicked(self) -> None:
        chosen = self._selected_findings()
        warnings = [f for f in chosen if f.kind == FindingKind.WARNING.value]
        if not chosen:
            return
        if len(warnings) != len(chosen):
            QMessageBox.information(
                self,
                "不能标记为已核实",
                "重复、无效和不完整的记录不能标记为已核实：请改正后重新自查，或剔除。"
                "只有“提示”（含疑似重复）可以核实后保留。",
            )
            return
        dialog = DismissDialog(warnings, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            for f in warnings:
                dismissals.dismiss(
                    self.state.session,
                    f.record,
                    finding_key(f),
                    dialog.value(),
                    result=self._result,
                )
        except dismissals.DismissError as exc:
            QMessageBox.warning(self, "不能标记为已核实", str(exc))
        self.run_check()

    def _on_remove_selected_button_clicked(self) -> None:
        chosen = self._selected_findings()
        if not chosen:
            return
        by_record: dict[int, list[CheckFinding]] = {}
        for f in chosen:
            by_record.setdefault(f.record, []).append(f)
        kinds = {f.kind for f in chosen}
        removable = [k for k in REMOVABLE if k in kinds]
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
        kind = self.findings.kind
        ids = result.record_ids(kind)
        if not ids:
            return
        if kind == ALL_KINDS:
            parts = "、".join(f"{kind_name(k)} {result.summary[k]}" for k in REMOVABLE)
            summary = f"将剔除自查发现的全部 {len(ids)} 条记录（{parts}，一条记录只剔除一次）。"
            reason = REMOVABLE[0]
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
        self._restore(ids, None)

    def _restore(self, ids: list[int], reason: str | None) -> None:
        def work(session: Session, progress: Progress, _cancelled: Cancelled) -> int:
            # One transaction: all or none (a submitted week needs a reason, domain.md §9).
            done = len(selfcheck.restore_many(session, ids, reason))
            progress(len(ids), len(ids))
            return done

        self._set_busy(True)
        run_op(
            self,
            f"正在恢复 {len(ids)} 条记录…",
            work,
            state=self.state,
            on_done=self._on_restore_done,
            on_error=lambda exc: self._on_op_failed_or_ask(exc, lambda r: self._restore(ids, r)),
        )

    def _on_op_failed_or_ask(self, exc: BaseException, again: Callable[[str], None]) -> None:
        """A change to a submitted week without a reason: ask it, then do it again."""
        if not isinstance(exc, ReasonRequired):
            self._on_op_failed(exc)
            return
        self._set_busy(False)
        reason = ask_reason(self, str(exc))
        if reason:
            again(reason)

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
        self,
        by_record: dict[int, list[CheckFinding]],
        choice: RemovalChoice,
        reason: str | None = None,
    ) -> None:
        # remove_selected stores one message for its records: group them by message.
        groups: dict[str, list[int]] = {}
        for record_id, found in by_record.items():
            mine = [f.message for f in found if f.kind == choice.reason] or [
                f.message for f in found
            ]
            groups.setdefault("；".join(dict.fromkeys(mine)), []).append(record_id)

        def work(session: Session, progress: Progress, _cancelled: Cancelled) -> int:
            submitted.check_reason(session, list(by_record), action="remove", reason=reason)
            done = 0
            for i, (message, ids) in enumerate(groups.items()):
                done += selfcheck.remove_selected(
                    session,
                    ids,
                    choice.reason,
                    choice.date,
                    choice.note,
                    message,
                    adjustment_reason=reason,
                )
                progress(i + 1, len(groups))
            return done

        self._start_removal(
            len(by_record), work, lambda r: self._remove_records(by_record, choice, r)
        )

    def _remove_kind(
        self, kind: str, result: CheckResult, choice: RemovalChoice, reason: str | None = None
    ) -> None:
        def work(session: Session, _progress: Progress, _cancelled: Cancelled) -> int:
            removed: RemoveResult = selfcheck.remove_flagged(
                session, kind, choice.date, choice.note, result=result, reason=reason
            )
            return sum(removed.removed.values())

        self._start_removal(
            len(result.record_ids(kind)),
            work,
            lambda r: self._remove_kind(kind, result, choice, r),
        )

    def _start_removal(self, count: int, work: Any, again: Callable[[str], None]) -> None:
        if self._busy:
            return
        self._set_busy(True)
        run_op(
            self,
            f"正在剔除 {count} 条记录…",
            work,
            state=self.state,
            on_done=self._on_remove_done,
            on_error=lambda exc: self._on_op_failed_or_ask(exc, again),
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
        has_selection = self.findings.has_selection()
        kind = self.findings.kind
        self.remove_selected_button.setEnabled(free and has_selection)
        self.dismiss_button.setEnabled(
            free
            and has_selection
            and all(f.kind == FindingKind.WARNING.value for f in self._selected_findings())
        )
        kind_ids = self._result.record_ids(kind) if self._result else []
        self.remove_kind_button.setEnabled(
            free and kind != FindingKind.WARNING.value and bool(kind_ids)
        )
        self.remove_kind_button.setText(
            "剔除三类全部…" if kind == ALL_KINDS else f"剔除全部“{kind_name(kind)}”…"
        )
        self.restore_button.setEnabled(
            free and bool(self.removals_view.selectionModel().selectedRows())
        )

    def _update_summary(self) -> None:
        if self._result is None:
            self.summary_label.setText("尚未运行自查。")
        else:
            summary = self._result.summary
            parts = "，".join(f"{kind_name(k)} {summary.get(k, 0)} 条" for k in KIND_ORDER)
            self.summary_label.setText(
                f"{self._checked_at} 自查完成（未剔除的记录）：{parts}。"
                "一条记录可能有多项问题，“提示”只供核实，不自动剔除。"
            )

    def _selected_findings(self) -> list[CheckFinding]:
        return self.findings.selected_findings()

    def _load_removals(self) -> None:
        try:
            rows, ids = removal_rows(self.state.session)
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        self.removals_model.set_rows(rows, ids)
        self.tabs.setTabText(1, f"已剔除记录（{len(rows)}）")
        fit_columns(self.removals_view)
        self._update_buttons()

"""The city's merge screen: packages in, preview (dry run), 合并, and who has reported this week.

Public API (the main window embeds it)::

    view = MergeView(state, parent)
    view.add_files(paths)       # what 添加文件… and a drop do (asks for passwords)
    view.preview()              # dry run in the background: what the merge would change
    view.merge()                # the merge itself (after a successful preview)
    view.refresh()              # reload the completeness list of the chosen week
    view.set_week(week)         # choose the week of the completeness list
    view.merged()               # signal: packages were merged (refresh weekly table, ledger)
    view.last_result            # MergeResult of the last preview or merge (None before)
    view.last_error             # MergeRefused of the last refused attempt (None otherwise)

Everything the screen shows comes from ``jiuye_desktop.merge`` (the checks,
the replacement rule, the completeness of a week); the screen decides how it
looks (its three tables: ``ui.merge_tables``). Both the preview and the merge run off the GUI thread (``run_op``)
and are all or nothing: one bad file refuses all, with the reason per file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import package
from jiuye_desktop.completeness import completeness
from jiuye_desktop.domain import Week
from jiuye_desktop.merge import MergeRefused, MergeResult, accept_package_key, merge_packages
from jiuye_desktop.package import KeyChanged
from jiuye_desktop.service import Session
from jiuye_desktop.weeks import week_of
from ui.merge_tables import (
    ERROR_COLOR,
    OK_COLOR,
    files_table,
    plan_table,
    show_completeness,
    show_files,
    show_plan,
    status_table,
)
from ui.ops import KNOWN_ERRORS, Cancelled, Progress, run_op, show_error
from ui.state import AppState
from ui.week_picker import WeekPicker, month_day_dates, this_or_last_week

PACKAGE_FILTER = "上报文件 (*.xlsx);;所有文件 (*)"


class MergeView(QWidget):
    """Packages of the subordinate areas → preview → 合并; and the week's completeness."""

    merged = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._files: list[Path] = []
        self._passwords: dict[str, str] = {}
        self._previewed: tuple[str, ...] | None = None  # the file list the last good preview saw
        self._busy = False
        self._week: Week = week_of(dt.date.today())
        self.last_result: MergeResult | None = None
        self.last_error: MergeRefused | None = None
        self.setAcceptDrops(True)
        self._build()
        self._connect_signals()
        self._show_files()
        self._update_buttons()
        self.refresh()

    # --- public ---------------------------------------------------------------------------------

    @property
    def files(self) -> list[Path]:
        return list(self._files)

    @property
    def week(self) -> Week:
        return self._week

    @property
    def busy(self) -> bool:
        return self._busy

    def add_files(self, paths: Iterable[Path | str]) -> None:
        """Add package files (each once); an encrypted one asks for its password."""
        added = False
        for raw in paths:
            path = Path(raw)
            if path in self._files:
                continue
            if package.is_encrypted(path) and str(path) not in self._passwords:
                password = self._prompt_password(path)
                if password is not None:
                    self._passwords[str(path)] = password
            self._files.append(path)
            added = True
        if added:
            self._files_changed()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.files_table.selectedIndexes()}, reverse=True)
        for row in rows:
            path = self._files.pop(row)
            self._passwords.pop(str(path), None)
        if rows:
            self._files_changed()

    def clear_files(self) -> None:
        self._files.clear()
        self._passwords.clear()
        self._files_changed()

    def preview(self) -> None:
        """Run the merge as a dry run in the background and show what it would change."""
        self._run(dry_run=True)

    def merge(self) -> None:
        """Merge the previewed files (all or nothing), then emit ``merged``."""
        if self._previewed != self._file_key():
            return
        self._run(dry_run=False)

    def set_week(self, week: Week) -> None:
        self._set_week_quietly(week)
        self.refresh()

    def refresh(self) -> None:
        """Reload the completeness list of the chosen week from the ledger."""
        try:
            statuses = completeness(self.state.session, self._week)
        except KNOWN_ERRORS as exc:
            show_error(self, exc)
            return
        self.summary_label.setText(show_completeness(self.status_table, statuses))

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.drop_label = QLabel(
            "把下属地区的上报文件（.xlsx，可多个）拖到这里，或点击“添加文件…”。"
            "先“预览”查看将要发生的变化，再“合并”；一个文件不合格，全部不合并。"
        )
        self.drop_label.setWordWrap(True)
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_label.setStyleSheet(
            "QLabel { border: 2px dashed #9aa5b1; border-radius: 6px; padding: 6px; }"
        )
        self.add_button = QPushButton("添加文件…")
        self.remove_button = QPushButton("移除")
        self.clear_button = QPushButton("清空")
        self.preview_button = QPushButton("预览")
        self.preview_button.setToolTip("检查文件并列出将要发生的变化，不写入数据库")
        self.merge_button = QPushButton("合并")
        self.merge_button.setToolTip("把预览过的文件合并进本单位台账（全部成功或全部不合并）")
        font = self.merge_button.font()
        font.setBold(True)
        self.merge_button.setFont(font)

        self.files_table = files_table()

        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.clear_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.merge_button)
        files_box = QGroupBox("上报文件")
        files_layout = QVBoxLayout(files_box)
        files_layout.addWidget(self.drop_label)
        files_layout.addWidget(self.files_table, 1)
        files_layout.addLayout(buttons)

        self.plan_table = plan_table()
        self.result_label = QLabel("尚未预览。")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        plan_box = QGroupBox("预览与合并结果")
        plan_layout = QVBoxLayout(plan_box)
        plan_layout.addWidget(self.plan_table, 1)
        plan_layout.addWidget(self.result_label)

        self.picker = WeekPicker(
            self._week, steps=False, dates=month_day_dates, year_week=this_or_last_week
        )
        self.summary_label = QLabel()
        picker = QHBoxLayout()
        picker.addWidget(self.picker)
        picker.addStretch(1)
        picker.addWidget(self.summary_label)
        self.status_table = status_table()
        status_box = QGroupBox("本周上报情况（各下属地区）")
        status_layout = QVBoxLayout(status_box)
        status_layout.addLayout(picker)
        status_layout.addWidget(self.status_table, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        for box in (files_box, plan_box, status_box):
            splitter.addWidget(box)
        splitter.setSizes([230, 265, 265])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_files)
        self.preview_button.clicked.connect(self.preview)
        self.merge_button.clicked.connect(self.merge)
        self.picker.week_changed.connect(self._on_picker_week_changed)

    # --- drag and drop --------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._busy and _dropped_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = _dropped_files(event.mimeData().urls())
        if not files or self._busy:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(files)

    # --- slots ----------------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        start = str(self._files[-1].parent) if self._files else ""
        names, _ = QFileDialog.getOpenFileNames(self, "选择上报文件", start, PACKAGE_FILTER)
        if names:
            self.add_files(names)

    def _on_picker_week_changed(self, week: Week) -> None:
        self._week = week
        self.refresh()

    def _on_preview_done(self, result: MergeResult) -> None:
        self._set_busy(False)
        self.last_result, self.last_error = result, None
        self._previewed = self._file_key()
        self._show_result(result)
        self._update_buttons()

    def _on_merge_done(self, result: MergeResult) -> None:
        self._set_busy(False)
        self.last_result, self.last_error = result, None
        self._previewed = None
        self._show_result(result)
        if result.packages:
            self._set_week_quietly(max((p.week for p in result.packages), key=lambda w: w.end))
        self.refresh()
        self._update_buttons()
        self.merged.emit()

    def _on_op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._previewed = None
        self._update_buttons()
        if isinstance(exc, MergeRefused):
            self.last_error = exc
            self.plan_table.setRowCount(0)
            self._say(str(exc), ERROR_COLOR)
            self.refresh()  # a failed file shows as 未通过检查
            changes = [f.key_change for f in exc.failures if f.key_change is not None]
            if changes:
                self._offer_new_key(changes[0])
                return
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "未合并",
                str(exc),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.button(QMessageBox.StandardButton.Ok).setText("确定")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        self._say("操作未完成，数据库未做改动。", ERROR_COLOR)
        show_error(self, exc)

    def _offer_new_key(self, change: KeyChanged) -> None:
        """A package signed by another key than the one on record: a person compares the
        fingerprint by phone and accepts it explicitly (it goes into the history)."""
        answer = QMessageBox.question(
            self,
            "签名公钥已更换",
            f"单位{change.unit_code}的上报文件“{change.path.name}”使用了新的签名公钥。\n\n"
            f"已登记的公钥指纹：{change.pinned}\n文件中的公钥指纹：{change.offered}\n\n"
            "请先打电话向该单位核对新指纹（对方可在“单位设置”中看到）。"
            "核对无误后，是否接受新公钥？接受会记入历史；不接受则该文件不能合并。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        path, code = change.path, change.unit_code
        password = self._passwords.get(str(path))

        def work(session: Session, _p: Progress, _c: Cancelled) -> object:
            return accept_package_key(session, path, code, password)

        def done(_result: object) -> None:
            self._say(f"已接受单位{code}的新公钥（指纹 {change.offered}），请重新预览。", OK_COLOR)
            self.preview()

        run_op(self, "正在核对上报文件的签名…", work, state=self.state, on_done=done)

    # --- helpers --------------------------------------------------------------------------------

    def _prompt_password(self, path: Path) -> str | None:
        """Ask until the password opens the file; None when the clerk gives up."""
        label = f"文件“{path.name}”设有密码，请输入打开密码："
        while True:
            text, ok = QInputDialog.getText(self, "输入密码", label, QLineEdit.EchoMode.Password)
            if not ok:
                return None
            if package.password_ok(path, text):
                return text
            label = f"密码不正确。请重新输入文件“{path.name}”的打开密码："

    def _run(self, *, dry_run: bool) -> None:
        if self._busy or not self._files:
            return
        files = list(self._files)
        passwords = dict(self._passwords)

        def work(session: Session, progress: Progress, cancelled: Cancelled) -> MergeResult:
            return merge_packages(
                session,
                files,
                dry_run=dry_run,
                passwords=passwords,
                progress=progress,
                cancelled=cancelled,
            )

        self._set_busy(True)
        run_op(
            self,
            "正在检查上报文件…" if dry_run else "正在合并上报文件…",
            work,
            state=self.state,
            on_done=self._on_preview_done if dry_run else self._on_merge_done,
            on_error=self._on_op_failed,
            cancellable=True,
        )

    def _file_key(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self._files) + tuple(
            f"{k}\n{v}" for k, v in sorted(self._passwords.items())
        )

    def _files_changed(self) -> None:
        self._previewed = None
        self._show_files()
        self.plan_table.setRowCount(0)
        self._say("文件已变化，请先预览。" if self._files else "尚未预览。", None)
        self._update_buttons()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self._busy
        has = bool(self._files)
        self.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and has)
        self.clear_button.setEnabled(idle and has)
        self.preview_button.setEnabled(idle and has)
        ready = self._previewed is not None and self._previewed == self._file_key()
        changes = self.last_result is not None and self.last_result.changed
        self.merge_button.setEnabled(idle and has and ready and changes)

    def _say(self, text: str, color: str | None) -> None:
        self.result_label.setStyleSheet(f"QLabel {{ color: {color}; }}" if color else "")
        self.result_label.setText(text)

    def _show_files(self) -> None:
        show_files(self.files_table, self._files, self._passwords)

    def _show_result(self, result: MergeResult) -> None:
        text = show_plan(self.plan_table, result)
        self._say(text, OK_COLOR if not result.duplicates else None)

    def _set_week_quietly(self, week: Week) -> None:
        self._week = week
        self.picker.set_week(week)


def _dropped_files(urls: list[QUrl]) -> list[Path]:
    """The local .xlsx files of a drop."""
    return [
        Path(u.toLocalFile())
        for u in urls
        if u.isLocalFile() and u.toLocalFile().lower().endswith(".xlsx")
    ]

"""The main window: navigation on the left, one page at a time, the status bar.

It builds the window and wires signals in ``_connect_signals()``; it computes
nothing. Pages other than the ledger and the form are created when first
shown, and a page is refreshed when it is shown after the ledger changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import __version__, browse
from jiuye_desktop.domain import Level
from jiuye_desktop.weeks import week_of
from ui import backup_actions, export_actions, help_dialog, window_fit
from ui.actions import PAGE_ACTIONS, ActionId, build_actions
from ui.entry_form import EntryForm
from ui.first_steps import FirstSteps
from ui.history_dialog import HistoryDialog
from ui.import_view import ImportView
from ui.ledger_view import LedgerView
from ui.merge_view import MergeView
from ui.progress_view import ProgressView
from ui.sample_view import SampleView
from ui.selfcheck_view import SelfCheckView
from ui.setup_dialog import SetupDialog
from ui.state import AppState
from ui.status_bar import StatusBar
from ui.targets_view import TargetsView
from ui.weekly_view import WeeklyView
from ui.widgets import app_settings

APP_TITLE = "就业实名台账"


class Page(IntEnum):
    LEDGER = 0
    ENTRY = 1
    WEEKLY = 2
    SELFCHECK = 3
    IMPORT = 4
    MERGE = 5  # city units only
    PROGRESS = 6
    TARGETS = 7
    SAMPLE = 8


PAGE_TITLES = {
    Page.LEDGER: "台账",
    Page.ENTRY: "录入",
    Page.WEEKLY: "周报表",
    Page.SELFCHECK: "自查",
    Page.IMPORT: "导入",
    Page.MERGE: "汇总",
    Page.PROGRESS: "进度",
    Page.TARGETS: "目标任务",
    Page.SAMPLE: "电话抽查",
}
#: Screens made on first use: (page, factory).
LAZY_PAGES: dict[Page, Callable[[AppState, QWidget], QWidget]] = {
    Page.WEEKLY: WeeklyView,
    Page.SELFCHECK: SelfCheckView,
    Page.IMPORT: ImportView,
    Page.MERGE: MergeView,
    Page.PROGRESS: ProgressView,
    Page.TARGETS: TargetsView,
    Page.SAMPLE: SampleView,
}


class MainWindow(QMainWindow):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.action_map = build_actions(self)
        self.ledger = LedgerView(state)
        self.entry = EntryForm(state)
        self.pages: dict[Page, QWidget] = {Page.LEDGER: self.ledger, Page.ENTRY: self.entry}
        self._stale: set[Page] = set()
        self._return_to: Page | None = None
        self._build()
        export_actions.attach(self.ledger, state)  # 导出Excel… of the grid's view
        self._connect_signals()
        self._restore_settings()
        self.update_status()

    # --- Building ------------------------------------------------------------------------

    def _build(self) -> None:
        unit = self.state.session.unit
        self.setWindowTitle(f"{APP_TITLE} — {unit.name}（{unit.code}）")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(104)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet(
            "QListWidget#navigation { background: #e8ecf2; border: none; padding-top: 6px; }"
            "QListWidget#navigation::item { padding: 9px 14px; border-radius: 4px; color: #1f2328; }"
            "QListWidget#navigation::item:selected { background: #2f6fd6; color: #ffffff; }"
            "QListWidget#navigation::item:hover:!selected { background: #d7dee9; }"
        )
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.nav.setFont(font)
        self.stack = QStackedWidget()
        city = unit.level != Level.COUNTY
        for page in Page:
            item = QListWidgetItem(PAGE_TITLES[page])
            item.setSizeHint(QSize(96, 38))
            item.setToolTip(self.action_map[PAGE_ACTIONS[page]].statusTip())
            self.nav.addItem(item)
            widget = self.pages.get(page) or self._placeholder(page)
            if page == Page.LEDGER:  # an empty ledger shows the first steps instead
                widget = self.ledger_page = QStackedWidget()
                self.first_steps = FirstSteps()
                self.ledger_page.addWidget(self.ledger)
                self.ledger_page.addWidget(self.first_steps)
            self.stack.addWidget(widget)
            if page == Page.MERGE and not city:  # a county has nobody below it to merge
                item.setHidden(True)
                self.action_map[PAGE_ACTIONS[page]].setEnabled(False)
                self.action_map[PAGE_ACTIONS[page]].setVisible(False)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.readonly_banner = QLabel(
            f"此台账文件是只读的（{self.state.db_path}）：只能查看、导出，不能录入、导入、剔除或合并。"
            "如需修改，请把文件复制到可写的文件夹后再打开。"
        )
        self.readonly_banner.setObjectName("readonlyBanner")
        self.readonly_banner.setWordWrap(True)
        self.readonly_banner.setStyleSheet(
            "QLabel#readonlyBanner { background: #fff4ce; color: #5c4400; padding: 8px 12px;"
            " border-bottom: 1px solid #e0c97a; }"
        )
        self.readonly_banner.setVisible(self.state.session.readonly)
        right.addWidget(self.readonly_banner)
        right.addWidget(self.stack, 1)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()

    def _placeholder(self, page: Page) -> QWidget:
        label = QLabel(f"正在打开{PAGE_TITLES[page]}…")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _build_menus(self) -> None:
        a = self.action_map
        bar = self.menuBar()
        menus = (
            (
                "文件(&F)",
                (
                    ActionId.NEW_RECORD,
                    ActionId.PAGE_IMPORT,
                    ActionId.PAGE_MERGE,
                    None,
                    ActionId.BACKUP,
                    ActionId.RESTORE_BACKUP,
                    None,
                    ActionId.QUIT,
                ),
            ),
            ("编辑(&E)", (ActionId.FIND, ActionId.OPEN_RECORD, ActionId.RECORD_HISTORY)),
            ("查看(&V)", (*PAGE_ACTIONS, None, ActionId.REFRESH)),
            ("设置(&S)", (ActionId.SETTINGS,)),
            ("帮助(&H)", (ActionId.GUIDE, ActionId.SHORTCUTS, None, ActionId.ABOUT)),
        )
        for title, ids in menus:
            menu = bar.addMenu(title)
            for action_id in ids:
                if action_id is None:
                    menu.addSeparator()
                else:
                    menu.addAction(a[action_id])
        for action in a.values():
            self.addAction(action)

    def _connect_signals(self) -> None:
        a = self.action_map
        self.nav.currentRowChanged.connect(self._on_nav_row_changed)
        for page, action_id in zip(Page, PAGE_ACTIONS, strict=True):
            a[action_id].triggered.connect(lambda _=False, p=page: self.go_to(p))
        a[ActionId.NEW_RECORD].triggered.connect(self._on_new_record)
        a[ActionId.FIND].triggered.connect(self._on_find)
        a[ActionId.OPEN_RECORD].triggered.connect(self._on_open_selected)
        a[ActionId.RECORD_HISTORY].triggered.connect(self._on_history)
        a[ActionId.REFRESH].triggered.connect(self._on_refresh)
        a[ActionId.SETTINGS].triggered.connect(self._on_settings)
        a[ActionId.BACKUP].triggered.connect(lambda: backup_actions.back_up(self, self.state))
        a[ActionId.RESTORE_BACKUP].triggered.connect(
            lambda: backup_actions.restore(self, self.state)
        )
        a[ActionId.QUIT].triggered.connect(self.close)
        a[ActionId.ABOUT].triggered.connect(self._on_about)
        a[ActionId.GUIDE].triggered.connect(lambda: help_dialog.show_guide(self))
        a[ActionId.SHORTCUTS].triggered.connect(
            lambda: help_dialog.show_shortcuts(self, list(self.action_map.values()))
        )
        self.first_steps.step_chosen.connect(self._on_first_step_chosen)
        self.ledger.record_activated.connect(self.open_record)
        self.ledger.history_requested.connect(self.show_history)
        self.entry.record_saved.connect(self._on_entry_record_saved)
        self.entry.cancelled.connect(self._on_entry_cancelled)
        self.entry.status_message.connect(self.status.show_message)

    def _connect_page(self, page: Page, widget: QWidget) -> None:
        """Signals of a screen made on first use."""
        if page == Page.SELFCHECK:
            widget.record_activated.connect(self.open_record)  # type: ignore[attr-defined]
            for name in ("records_removed", "records_restored"):
                signal = getattr(widget, name, None)
                if signal is not None:
                    signal.connect(self._on_ledger_changed)
        elif page == Page.IMPORT:
            widget.imported.connect(self._on_imported)  # type: ignore[attr-defined]
        elif page == Page.MERGE:
            widget.merged.connect(self._on_imported)  # type: ignore[attr-defined]
        elif page == Page.WEEKLY:
            widget.week_changed.connect(self._on_week_changed)  # type: ignore[attr-defined]
        elif page == Page.PROGRESS:
            widget.week_changed.connect(self._on_week_changed)  # type: ignore[attr-defined]
            widget.targets_requested.connect(self._on_targets_requested)  # type: ignore[attr-defined]
            weekly = self.pages.get(Page.WEEKLY)
            if isinstance(weekly, WeeklyView):
                widget.set_week(weekly.week)  # type: ignore[attr-defined]
        elif page == Page.TARGETS:
            widget.targets_changed.connect(self._on_targets_changed)  # type: ignore[attr-defined]
        elif page == Page.SAMPLE:
            widget.outcomes_changed.connect(self._on_sample_outcomes_changed)  # type: ignore[attr-defined]

    # --- Navigation --------------------------------------------------------------------------

    def current_page(self) -> Page:
        return Page(self.stack.currentIndex())

    def page(self, page: Page) -> QWidget:
        """The screen of a page, made when first asked for."""
        widget = self.pages.get(page)
        if widget is None:
            widget = LAZY_PAGES[page](self.state, self)
            placeholder = self.stack.widget(page)
            self.stack.insertWidget(page, widget)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.pages[page] = widget
            export_actions.attach(widget, self.state)
            self._connect_page(page, widget)
            self._stale.discard(page)
        return widget

    def go_to(self, page: Page) -> None:
        if self.nav.currentRow() != page:
            self.nav.setCurrentRow(page)  # comes back through _on_nav_row_changed
        else:
            self._show_page(page)

    def _show_page(self, page: Page) -> None:
        fresh = page not in self.pages
        widget = self.page(page)
        self.stack.setCurrentIndex(page)
        if page in self._stale and not fresh:
            self._stale.discard(page)
            refresh = getattr(widget, "refresh", None)
            if refresh is not None:
                refresh()
        if page == Page.ENTRY and not self.entry.editing:
            self.entry.focus_id()
        elif page == Page.LEDGER:
            self.ledger.table.setFocus()

    def open_record(self, record_id: int) -> None:
        """Open a record in the form for editing (from the ledger or the self-check)."""
        here = self.current_page()
        if self.entry.dirty:
            answer = QMessageBox.question(
                self,
                "打开记录",
                f"录入页还有未保存的内容。放弃它并打开记录 #{record_id}？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        if self.entry.load_record(record_id):
            self._return_to = here if here != Page.ENTRY else None
            self.go_to(Page.ENTRY)

    def show_history(self, record_id: int) -> None:
        HistoryDialog(self.state, record_id, self).exec()

    def update_status(self) -> None:
        today = dt.date.today()
        self.status.set_unit(self.state.session.unit)
        self.status.set_week(week_of(today), today)
        counts = browse.counts(self.state.session)
        self.status.set_counts(counts)
        self.ledger_page.setCurrentIndex(1 if counts.total == 0 else 0)

    # --- Slots ---------------------------------------------------------------------------

    def _on_nav_row_changed(self, row: int) -> None:
        if row >= 0:
            self._show_page(Page(row))

    def _on_ledger_changed(self, *_args: object) -> None:
        """Records were added, edited, removed or restored: every other page is stale."""
        self._stale.update(p for p in self.pages if p != self.current_page())
        if self.current_page() == Page.LEDGER:
            self.ledger.refresh()
        self.update_status()

    def _on_week_changed(self, week: object) -> None:
        """The weekly and progress screens show the same week."""
        for page in (Page.WEEKLY, Page.PROGRESS):
            widget = self.pages.get(page)
            if widget is not None and getattr(widget, "week", None) != week:
                widget.set_week(week)  # type: ignore[attr-defined]

    def _on_targets_requested(self) -> None:
        """设定目标任务… on the progress screen: the targets of the year in view."""
        progress = self.pages.get(Page.PROGRESS)
        self.go_to(Page.TARGETS)
        view = self.pages.get(Page.TARGETS)
        if progress is not None and view is not None:
            view.set_year(progress.week.year)  # type: ignore[attr-defined]

    def _on_targets_changed(self, _year: int) -> None:
        if Page.PROGRESS in self.pages:
            self._stale.add(Page.PROGRESS)

    def _on_sample_outcomes_changed(self) -> None:
        """A telephone outcome changes the self-check's warnings."""
        if Page.SELFCHECK in self.pages:
            self._stale.add(Page.SELFCHECK)

    def _on_imported(self) -> None:
        self.ledger.reload_choices()
        self._on_ledger_changed()

    def _on_entry_record_saved(self, record_id: int) -> None:
        self._on_ledger_changed()
        if self._return_to is not None:
            page, self._return_to = self._return_to, None
            self.go_to(page)
            if page == Page.LEDGER:
                self.ledger.select_record(record_id)

    def _on_entry_cancelled(self) -> None:
        if self._return_to is not None:
            page, self._return_to = self._return_to, None
            self.go_to(page)

    def _on_new_record(self) -> None:
        if self.entry.editing is not None and not self.entry.dirty:
            self.entry.clear()
        self._return_to = None
        self.go_to(Page.ENTRY)

    def _on_first_step_chosen(self, step: int) -> None:
        """导入现有台账 / 录入第一条 / 设置地区."""
        if step == 0:
            self.go_to(Page.IMPORT)
        elif step == 1:
            self._on_new_record()
        else:
            self._on_settings()

    def _on_find(self) -> None:
        self.go_to(Page.LEDGER)
        self.ledger.focus_search()

    def _selected_record(self) -> int | None:
        if self.current_page() == Page.ENTRY:
            return self.entry.editing
        return self.ledger.current_record_id()

    def _on_open_selected(self) -> None:
        record_id = self.ledger.current_record_id()
        if record_id is not None:
            self.open_record(record_id)

    def _on_history(self) -> None:
        record_id = self._selected_record()
        if record_id is None:
            self.status.show_message("请先在台账中选中一条记录")
            return
        self.show_history(record_id)

    def _on_refresh(self) -> None:
        widget = self.page(self.current_page())
        refresh = getattr(widget, "refresh", None)
        if refresh is not None:
            refresh()
        self.update_status()

    def _on_settings(self) -> None:
        dialog = SetupDialog.for_session(self.state.session, self)
        if dialog.exec() == SetupDialog.DialogCode.Accepted:
            self.ledger.reload_choices()
            self.entry.reload_choices()
            self._on_ledger_changed()
            self.status.show_message("单位设置已保存")

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            f"关于{APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br>城镇新增就业人员实名登记台账与周调度表（离线桌面版）<br>"
            f"数据库：{self.state.db_path}",
        )

    # --- Window state (QSettings) ---------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = app_settings()
        window_fit.place(self, settings)
        self.ledger.restore_state(settings)
        page = settings.value("window/page", 0)
        try:
            start = Page(int(page))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            start = Page.LEDGER
        if start not in (Page.LEDGER, Page.ENTRY):
            start = Page.LEDGER  # the other screens compute on opening: start quick
        self.nav.setCurrentRow(start)

    def save_settings(self) -> None:
        settings = app_settings()
        window_fit.remember(self, settings)
        settings.setValue("window/page", int(self.current_page()))
        self.ledger.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.entry.dirty:
            answer = QMessageBox.question(
                self,
                "退出",
                "录入页还有未保存的内容，仍要退出吗？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        self.save_settings()
        event.accept()

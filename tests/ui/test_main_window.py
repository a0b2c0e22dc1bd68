"""The main window, the application set-up and opening the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from jiuye_desktop.resources import FONT_FAMILY
from jiuye_desktop.weeks import week_of
from ui import app as app_module
from ui.actions import ActionId
from ui.import_view import ImportView
from ui.main_window import MainWindow, Page
from ui.merge_view import MergeView
from ui.selfcheck_view import SelfCheckView
from ui.weekly_view import WeeklyView

from .helpers import focused, make_id, type_and_enter

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def window(qtbot, sample_state):
    w = MainWindow(sample_state)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


def test_pages_navigation_and_status_bar(qtbot, window):
    assert window.current_page() == Page.LEDGER
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "台账",
        "录入",
        "周报表",
        "自查",
        "导入",
        "汇总",
        "进度",
        "目标任务",
        "电话抽查",
    ]
    assert not window.nav.item(Page.MERGE).isHidden()  # 许昌市 is a city
    assert window.ledger.model.rowCount() == 630
    week = week_of(dt.date.today())
    assert week.label in window.status.week_label.text()
    assert "报送" in window.status.week_label.text()
    assert window.status.unit_label.text() == "许昌市（411000，市级）"
    assert "记录 630 条" in window.status.counts_label.text()
    qtbot.keyClick(focused(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == Page.ENTRY
    assert focused() is window.entry.inputs["公民身份号码"]
    window.action_map[ActionId.PAGE_WEEKLY].trigger()
    assert isinstance(window.stack.currentWidget(), WeeklyView)
    window.nav.setCurrentRow(Page.SELFCHECK)
    assert isinstance(window.stack.currentWidget(), SelfCheckView)
    window.go_to(Page.IMPORT)
    assert isinstance(window.stack.currentWidget(), ImportView)
    qtbot.keyClick(focused(), Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.stack.currentWidget(), MergeView)
    window.action_map[ActionId.FIND].trigger()
    assert window.current_page() == Page.LEDGER
    assert focused() is window.ledger.search_edit


def test_a_county_has_no_merge_page(qtbot, tmp_path):
    from jiuye_desktop.domain import Level
    from jiuye_desktop.service import init_database
    from ui.state import AppState

    path = tmp_path / "county.sqlite"
    session = init_database(path, unit_code="411024", unit_name="鄢陵县", level=Level.COUNTY)
    try:
        w = MainWindow(AppState(path, session))
        qtbot.addWidget(w)
        assert w.nav.item(Page.MERGE).isHidden()
        assert not w.action_map[ActionId.PAGE_MERGE].isEnabled()
        assert w.status.unit_label.text() == "鄢陵县（411024，县级）"
        w.close()
    finally:
        session.close()


def test_a_saved_record_shows_in_the_ledger_and_the_counts(qtbot, window, dialogs):
    window.action_map[ActionId.NEW_RECORD].trigger()
    person = make_id(seq="613")
    for text in (person, "郑新"):
        type_and_enter(qtbot, text)
    dialogs.expect(QMessageBox.StandardButton.Save)  # incomplete: saved after the question
    with qtbot.waitSignal(window.entry.record_saved) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [631]
    assert "[不完整] 登记类型" in dialogs.shown[0]
    assert "记录 631 条" in window.status.counts_label.text()
    assert "已保存记录 #631" in window.status.currentMessage()
    window.go_to(Page.LEDGER)
    assert window.ledger.model.rowCount() == 631
    assert window.ledger.model.record_id(630) == 631


def test_double_click_in_the_ledger_edits_and_returns(qtbot, window, dialogs):
    window.ledger.record_activated.emit(7)
    assert window.current_page() == Page.ENTRY
    assert window.entry.editing == 7
    name = window.entry.inputs["姓名"]
    name.selectAll()  # type: ignore[union-attr]
    type_and_enter(qtbot, "改名")
    dialogs.expect(QMessageBox.StandardButton.Save)  # the sample's record 7 is flagged
    with qtbot.waitSignal(window.entry.record_saved):
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == Page.LEDGER
    assert window.ledger.current_record_id() == 7
    row = window.ledger.model.row_of(7)
    assert window.ledger.model.data(window.ledger.model.index(row, 1)) == "改名"


def test_self_check_opens_a_record_in_the_form(qtbot, window):
    view = window.page(Page.SELFCHECK)
    view.record_activated.emit(5)  # type: ignore[attr-defined]
    assert window.current_page() == Page.ENTRY and window.entry.editing == 5


def test_window_geometry_and_column_widths_are_remembered(qtbot, sample_state):
    first = MainWindow(sample_state)
    qtbot.addWidget(first)
    first.resize(760, 540)  # within the offscreen screen (800×600): no clamping
    first.ledger.table.setColumnWidth(1, 211)
    first.go_to(Page.ENTRY)
    first.close()
    second = MainWindow(sample_state)
    qtbot.addWidget(second)
    assert second.ledger.table.columnWidth(1) == 211
    assert (second.size().width(), second.size().height()) == (760, 540)
    assert second.current_page() == Page.ENTRY


def test_closing_with_unsaved_input_asks(qtbot, window, dialogs):
    dialogs.expect(QMessageBox.StandardButton.Cancel)
    window.go_to(Page.ENTRY)
    type_and_enter(qtbot, make_id(seq="700"))
    assert not window.close()
    assert dialogs.shown == ["录入页还有未保存的内容，仍要退出吗？"]
    assert window.isVisible()
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()


def test_application_font_translations_and_look(qapp):
    assert qapp.font().family() == FONT_FAMILY
    assert FONT_FAMILY in __import__("PySide6.QtGui").QtGui.QFontDatabase.families()
    assert qapp.style().name().lower() == "fusion"
    assert app_module.install_translations(qapp)
    # Qt's own buttons speak Chinese.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert isinstance(QFont(FONT_FAMILY), QFont)


def test_needs_setup_and_open_ledger(tmp_path: Path, db_path: Path):
    assert app_module.needs_setup(tmp_path / "missing.sqlite")
    assert not app_module.needs_setup(db_path)
    session = app_module.open_ledger(db_path)
    assert session is not None and session.unit.name == "许昌市"
    session.close()


def test_run_explains_a_broken_database_in_chinese(qapp, tmp_path: Path, monkeypatch, dialogs):
    dialogs.expect(QMessageBox.StandardButton.Ok)
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is no database at all, just text" * 10)
    monkeypatch.setenv("JIUYE_DB", str(bad))
    assert app_module.database_path() == bad
    assert app_module.run() == 1
    assert len(dialogs.shown) == 1 and "不是本程序的数据库" in dialogs.shown[0]
    assert isinstance(QApplication.instance(), QApplication)


def test_first_run_shows_the_setup_dialog_and_creates_the_ledger(tmp_path: Path, monkeypatch):
    from ui.setup_dialog import SetupDialog

    seen = []

    def fill_and_accept(dialog: SetupDialog) -> int:
        seen.append(dialog.windowTitle())
        dialog.choose_unit("411000")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(SetupDialog, "exec", fill_and_accept)
    path = tmp_path / "first" / "ledger.sqlite"
    session = app_module.open_ledger(path)
    assert seen == ["建立本单位的台账"]
    assert session is not None
    try:
        assert session.unit.name == "许昌市" and len(session.areas()) == 7
    finally:
        session.close()
    assert not app_module.needs_setup(path)


def test_first_run_cancelled_opens_nothing(tmp_path: Path, monkeypatch):
    from ui.setup_dialog import SetupDialog

    monkeypatch.setattr(SetupDialog, "exec", lambda self: SetupDialog.DialogCode.Rejected)
    path = tmp_path / "never.sqlite"
    assert app_module.open_ledger(path) is None
    assert not path.exists()

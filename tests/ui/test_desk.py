"""A day at the desk (#16): copying grids, the window on any screen, help, first steps, Chinese."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTextBrowser

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.weeks import week_of
from ui import window_fit
from ui.actions import ActionId
from ui.help_dialog import HelpDialog
from ui.main_window import MainWindow, Page
from ui.setup_dialog import SetupDialog
from ui.weekly_view import WeeklyView
from ui.widgets import ChoiceBox

from .helpers import make_id

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def demo_state(state):
    load_demo(state.session, 300, year=2017, seed=3)
    return state


def _window(qtbot, state) -> MainWindow:
    w = MainWindow(state)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


def _clipboard_rows() -> list[list[str]]:
    text = QGuiApplication.clipboard().text()
    assert text.endswith("\r\n")
    return [line.split("\t") for line in text[:-2].split("\r\n")]


# --- Ctrl+C -------------------------------------------------------------------------------------


def test_ctrl_c_on_the_ledger_copies_the_rows_with_headers(qtbot, demo_state):
    w = _window(qtbot, demo_state)
    table = w.ledger.table
    model = w.ledger.model
    table.setFocus()
    table.selectRow(2)
    table.selectionModel().select(
        model.index(4, 0),
        table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
    )
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    rows = _clipboard_rows()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert rows[0] == headers
    # The range from the first to the last selected row, every column, as shown.
    assert len(rows) == 1 + 3
    for offset, row in enumerate(rows[1:]):
        shown = [str(model.index(2 + offset, c).data() or "") for c in range(model.columnCount())]
        assert row == [" ".join(v.split()) for v in shown]
    # The HTML flavour marks the cells as text: an 18-digit ID stays as written in Excel/WPS.
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasHtml() and "mso-number-format" in mime.html()
    id_col = headers.index("公民身份号码")
    assert rows[1][id_col] in mime.html()
    assert "已复制 3 行" in w.statusBar().currentMessage()


def test_a_process_that_copied_a_range_exits_cleanly(tmp_path):
    """Qt deletes the clipboard's data only at exit, after Python: the data made in
    Python is handed over first, so the process ends with status 0 (it used to end
    with a segmentation fault after a copy) and the text stays on the clipboard."""
    script = textwrap.dedent(
        """
        from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QApplication, QTableView
        from ui import grid_copy

        app = QApplication([])
        model = QStandardItemModel(2, 2)
        model.setHorizontalHeaderLabels(["姓名", "公民身份号码"])
        for r in range(2):
            for c in range(2):
                model.setItem(r, c, QStandardItem(f"{r}-{c}"))
        view = QTableView()
        view.setModel(model)
        view.selectAll()
        assert grid_copy.copy_selection(view) == 2
        print(QGuiApplication.clipboard().text().splitlines()[0])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "姓名\t公民身份号码"


def test_ctrl_c_on_the_weekly_grid_copies_its_three_header_rows(qtbot, demo_state):
    w = _window(qtbot, demo_state)
    w.go_to(Page.WEEKLY)
    view = w.page(Page.WEEKLY)
    assert isinstance(view, WeeklyView)
    view.set_week(week_of(dt.date(2017, 11, 10)))
    qtbot.waitUntil(lambda: view.model.rowCount() > 4)
    grid = view.grid
    grid.setFocus()
    # 合计 and the first area row, columns 0–4.
    grid.setCurrentIndex(view.model.index(3, 0))
    grid.selectionModel().select(
        view.model.index(3, 0), grid.selectionModel().SelectionFlag.ClearAndSelect
    )
    grid.selectionModel().select(view.model.index(4, 4), grid.selectionModel().SelectionFlag.Select)
    # ContiguousSelection: select the block explicitly.
    from PySide6.QtCore import QItemSelection

    grid.selectionModel().select(
        QItemSelection(view.model.index(3, 0), view.model.index(4, 4)),
        grid.selectionModel().SelectionFlag.ClearAndSelect,
    )
    qtbot.keyClick(grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    rows = _clipboard_rows()
    assert len(rows) == 3 + 2
    assert rows[0][0] == "项目/地区" and rows[0][1] == "城镇新增就业人员"
    assert rows[1][1:] == ["本周实际", "本年累计", "本周实际", "本年累计"]
    assert rows[2] == ["甲", "1", "2", "3", "4"]
    table = view.model.table
    assert table is not None
    assert rows[3] == ["合计"] + [str(v) for v in table.total[:4]]
    assert rows[4] == [table.rows[0].name] + [str(v) for v in table.rows[0].cells[:4]]


# --- The window on any screen -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "maximised"),
    [((1280, 680), True), ((1366, 728), True), ((1440, 860), True), ((1920, 1040), False)],
)
def test_first_start_fits_the_available_screen(screen, maximised):
    available = QRect(0, 40, *screen)  # a taskbar above
    rect, maximise = window_fit.first_geometry(available)
    assert maximise is maximised
    assert available.contains(rect)
    if not maximised:
        assert rect.width() >= 1440 and rect.center() == available.center()


def test_remembered_geometry_only_when_it_fits(qtbot, state):
    available = QApplication.primaryScreen().availableGeometry()
    first = MainWindow(state)
    qtbot.addWidget(first)
    first.setGeometry(QRect(available.x() + 10, available.y() + 10, 600, 400))
    first.save_settings()
    second = MainWindow(state)
    qtbot.addWidget(second)
    assert second.geometry().size().toTuple() == (600, 400)
    # A geometry from a larger screen (2560×1440) is not restored onto this one.
    first.setGeometry(QRect(0, 0, 2400, 1300))
    first.save_settings()
    third = MainWindow(state)
    qtbot.addWidget(third)
    assert window_fit.fits(third.geometry(), available) or third.windowState() & (
        Qt.WindowState.WindowMaximized
    )
    assert third.geometry().width() < 2400


# --- Help and the first steps -----------------------------------------------------------------------


def test_empty_ledger_shows_three_first_steps_with_buttons(qtbot, state, monkeypatch):
    w = _window(qtbot, state)
    assert w.ledger_page.currentWidget() is w.first_steps
    texts = [b.text() for b in w.first_steps.buttons]
    assert texts == ["导入现有台账", "录入第一条", "设置地区"]
    w.first_steps.buttons[0].click()
    assert w.current_page() == Page.IMPORT
    w.go_to(Page.LEDGER)
    w.first_steps.buttons[1].click()
    assert w.current_page() == Page.ENTRY
    opened = []
    monkeypatch.setattr(SetupDialog, "exec", lambda self: opened.append(self) or 0)
    w.first_steps.buttons[2].click()
    assert len(opened) == 1
    # The first record saved: the grid takes the place of the steps.
    w.state.session.add_values({"公民身份号码": make_id(seq="315"), "姓名": "李四"})
    w._on_ledger_changed()
    w.go_to(Page.LEDGER)
    assert w.ledger_page.currentWidget() is w.ledger


def test_help_menu_guide_and_shortcuts(qtbot, demo_state):
    w = _window(qtbot, demo_state)
    titles = [a.text() for a in w.menuBar().actions()]
    assert "帮助(&H)" in titles
    w.action_map[ActionId.GUIDE].trigger()
    guide = [d for d in w.findChildren(HelpDialog) if d.windowTitle() == "使用指南"]
    assert guide and guide[0].isVisible()
    text = guide[0].findChild(QTextBrowser).toPlainText()
    for part in ("每周五", "11月", "合并", "导入现有台账", "录入第一条", "设置地区"):
        assert part in text
    # No English beyond the names of programs, formats and keys.
    assert set(re.findall("[A-Za-z]+", text)) <= {"Excel", "WPS", "PDF", "Ctrl", "N", "C", "F"}
    w.action_map[ActionId.SHORTCUTS].trigger()
    keys = [d for d in w.findChildren(HelpDialog) if d.windowTitle() == "快捷键"]
    listed = keys[0].findChild(QTextBrowser).toPlainText()
    for key in ("Ctrl+N", "Ctrl+S", "Ctrl+C", "F5", "F1", "Esc"):
        assert key in listed
    assert "新增记录" in listed and "复制" in listed


# --- Chinese everywhere -------------------------------------------------------------------------


def test_qt_file_dialog_speaks_chinese(qtbot, tmp_path):
    dialog = QFileDialog(None, "导出", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("查找范围" in t for t in labels), labels
    assert not any("Look in" in t for t in labels)


def test_choices_show_their_number_keys_in_the_list(qtbot):
    box = ChoiceBox(["单位就业", "灵活就业", "自主创业"])
    qtbot.addWidget(box)
    view = box.view()
    delegate = view.itemDelegate()
    from PySide6.QtWidgets import QStyleOptionViewItem

    shown = []
    for row in range(box.count()):
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, box.model().index(row, 0))
        shown.append(option.text)
    assert shown == ["1  单位就业", "2  灵活就业", "3  自主创业"]
    box.set_value("灵活就业")
    assert box.value() == "灵活就业"  # the number is only shown, never part of the value


def test_operator_defaults_to_the_name_set_in_settings(qtbot, tmp_path):
    dialog = SetupDialog.for_new_database(tmp_path / "new.sqlite")
    qtbot.addWidget(dialog)
    assert dialog.people["operator"].text() == ""  # not the computer's login
    dialog.choose_unit("411000")
    dialog.people["contact"].setText("赵磊")
    assert dialog.profile()["operator"] == "赵磊"
    dialog.accept()
    assert dialog.session is not None
    try:
        assert dialog.session.operator == "赵磊"
    finally:
        dialog.session.close()


# --- Exports of the grids -----------------------------------------------------------------------


def test_ledger_and_findings_export_buttons(qtbot, demo_state, tmp_path, monkeypatch):
    import openpyxl
    from PySide6.QtWidgets import QPushButton

    from jiuye_desktop.browse import record_ids
    from ui import ops
    from ui.selfcheck_view import SelfCheckView

    w = _window(qtbot, demo_state)
    w.ledger.type_combo.setCurrentIndex(w.ledger.type_combo.findData("新就业"))
    w.ledger._on_search_now()
    shown = list(record_ids(demo_state.session, w.ledger.model.query))
    target = tmp_path / "台账.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    (button,) = [b for b in w.ledger.findChildren(QPushButton) if b.text() == "导出Excel…"]
    button.click()
    qtbot.waitUntil(lambda: target.exists() and ops.active_count() == 0, timeout=30000)
    wb = openpyxl.load_workbook(target, read_only=True)
    ids = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert ids == shown

    w.go_to(Page.SELFCHECK)
    check = w.page(Page.SELFCHECK)
    assert isinstance(check, SelfCheckView)
    if check.result is None:
        check.run_check()
    qtbot.waitUntil(lambda: check.result is not None and not check.busy, timeout=30000)
    findings = tmp_path / "自查.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(findings), ""))
    (button,) = [b for b in check.findChildren(QPushButton) if b.text() == "导出Excel…"]
    button.click()
    qtbot.waitUntil(lambda: findings.exists() and ops.active_count() == 0, timeout=30000)
    wb = openpyxl.load_workbook(findings, read_only=True)
    assert len(list(wb.active.iter_rows(values_only=True))) == 1 + len(check.result.findings)
    wb.close()

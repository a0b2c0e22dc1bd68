"""The 目标任务 and 进度 screens: they show what the core computes and save through it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from jiuye_desktop import progress, targets
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import INDICATOR_NAMES
from jiuye_desktop.weeks import week_from_key
from ui.main_window import MainWindow, Page
from ui.progress_view import STATUS_BACKGROUND, ProgressView
from ui.state import AppState
from ui.targets_view import TargetsView
from ui.weekly_view import WeeklyView

WEEK = week_from_key("2017-11-2")


@pytest.fixture
def demo_state(state: AppState) -> AppState:
    load_demo(state.session, 800, seed=7, parallel=False)
    return state


def _opened_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))
    return shown


def test_progress_view_shows_the_core_sorted_by_gap(qtbot: QtBot, demo_state: AppState) -> None:
    session = demo_state.session
    targets.set_target(session, 2017, "城镇新增就业人员", 60, "411002")
    targets.set_target(session, 2017, "城镇新增就业人员", 1, "411025")
    targets.set_target(session, 2017, "失业人员再就业人数", 500)
    view = ProgressView(demo_state)
    qtbot.addWidget(view)
    view.set_week(WEEK)
    p = progress.progress(session, WEEK)
    lines = progress.sorted_lines(p)
    model = view.model
    assert model.rowCount() == len(lines) == 4  # 魏都区, 襄城县, 合计 × 2
    gaps = [model.line(r)[1].gap for r in range(model.rowCount())]
    assert gaps == sorted(gaps, reverse=True)
    for r, (row, ind) in enumerate(lines):
        assert model.data(model.index(r, 0)) == row.name
        assert model.data(model.index(r, 3)) == f"{ind.cumulative:,}"
        brush = model.data(model.index(r, 7), Qt.ItemDataRole.BackgroundRole)
        assert brush.color() == STATUS_BACKGROUND[ind.status]
    assert view.summary.text() == progress.summary_line(p)
    assert ("襄城县" in view.summary.text()) == ("411025" in p.blocking)
    # Charts: 合计 first (two indicators with a target), then the chosen area.
    assert [w.chart.indicator for w in view.chart_widgets] == [  # type: ignore[union-attr]
        "城镇新增就业人员",
        "失业人员再就业人数",
    ]
    view.row_combo.setCurrentIndex(view.row_combo.findData("411002"))
    assert [w.chart.indicator for w in view.chart_widgets] == ["城镇新增就业人员"]  # type: ignore[union-attr]
    chart = view.chart_widgets[0].chart
    assert chart is not None and chart.points[-1][1] == p.row("411002").indicators[0].cumulative
    view.no_target_box.setChecked(True)
    assert model.rowCount() == len(p.rows) * len(INDICATOR_NAMES)
    view.resize(1200, 700)
    assert not view.chart_widgets[0].grab().isNull()


def test_targets_view_edits_through_the_core(
    qtbot: QtBot, demo_state: AppState, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = _opened_boxes(monkeypatch)
    view = TargetsView(demo_state)
    qtbot.addWidget(view)
    view.set_year(2017)
    model = view.model
    assert model.rowCount() == 8  # 合计, 本级 and six areas
    assert model.headerData(2, Qt.Orientation.Vertical) == "魏都区"
    with qtbot.waitSignal(view.targets_changed):
        model.setData(model.index(2, 0), "1,200")
    assert (
        targets.load(demo_state.session, 2017).get(
            targets.resolve_row(demo_state.session, "411002").area_id, INDICATOR_NAMES[0]
        )
        == 1200
    )
    assert model.data(model.index(0, 0)) == "1,200（各行之和）"
    assert model.data(model.index(2, 0)) == "1,200"
    # A refused value: a message naming it, nothing changed.
    model.setData(model.index(2, 0), "-4")
    assert shown and "负数" in shown[-1]
    assert model.data(model.index(2, 0)) == "1,200"
    # 附件2: 许昌's 去产能 task.
    assert view.province_button.isEnabled()
    view.province_button.click()
    assert model.data(model.index(0, 5)) == "4,145"
    # Export, change in Excel, import back.
    out = tmp_path / "t.xlsx"
    targets.write_template(demo_state.session, 2017, out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    assert ws.cell(6, 1).value == "建安区"
    ws.cell(6, 2).value = 333
    wb.save(out)
    view.import_file(out)
    assert model.data(model.index(3, 0)) == "333"


def test_main_window_pages_follow_one_week(qtbot: QtBot, demo_state: AppState) -> None:
    window = MainWindow(demo_state)
    qtbot.addWidget(window)
    window.go_to(Page.WEEKLY)
    weekly = window.page(Page.WEEKLY)
    assert isinstance(weekly, WeeklyView)
    weekly.set_week(WEEK)
    window.go_to(Page.PROGRESS)
    view = window.page(Page.PROGRESS)
    assert isinstance(view, ProgressView) and view.week == WEEK
    other = week_from_key("2017-6-1")
    view.picker.set_week(other)
    view.picker.week_changed.emit(other)
    assert weekly.week == other
    with qtbot.waitSignal(view.targets_requested):
        view.targets_button.click()
    assert window.current_page() == Page.TARGETS
    targets_view = window.page(Page.TARGETS)
    assert isinstance(targets_view, TargetsView) and targets_view.year == 2017
    view.picker.set_week(week_from_key("2018-3-1"))
    view.picker.week_changed.emit(week_from_key("2018-3-1"))
    view.targets_button.click()
    assert targets_view.year == 2018
    view.picker.set_week(other)
    view.picker.week_changed.emit(other)
    targets_view.set_year(2017)
    targets_view.model.setData(targets_view.model.index(0, 3), "10")
    window.go_to(Page.PROGRESS)  # stale after the targets changed: recomputed when shown
    assert view.progress is not None and view.progress.total.indicators[3].target == 10

"""The weekly table screen: the grid is the core's table, the header is Annex 1's, diffs show."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from jiuye_desktop import selfcheck, snapshots, weekly
from jiuye_desktop.domain import INDICATOR_NAMES, WeeklyTable
from jiuye_desktop.weeks import week_from_key, week_of, weeks_of_year
from tests.ui.fixtures_3b import (  # noqa: F401
    SAMPLE_EXPECTED,
    fixture_sample_db_template,
    fixture_sample_state,
    sample_path,
)
from ui.state import AppState
from ui.weekly_model import (
    CHANGED_BACKGROUND,
    HEADER_ROWS,
    NEGATIVE_COLOR,
    OLD_VALUE_ROLE,
    VALUE_ROLE,
    WeeklyModel,
)
from ui.weekly_view import WeeklyView

WEEKS = ["2017-01-1", "2017-06-1", "2017-11-2", "2017-11-4", "2017-12-5"]


@pytest.fixture
def view(qtbot: QtBot, sample_state: AppState) -> WeeklyView:
    widget = WeeklyView(sample_state)
    qtbot.addWidget(widget)
    return widget


def grid_rows(view: WeeklyView) -> list[tuple[str, list[int]]]:
    """(name, 12 numbers) of every body row of the grid, as the model shows them."""
    model = view.model
    out = []
    for row in range(HEADER_ROWS, model.rowCount()):
        name = model.data(model.index(row, 0))
        cells = [model.data(model.index(row, c), VALUE_ROLE) for c in range(1, 13)]
        texts = [model.data(model.index(row, c)) for c in range(1, 13)]
        assert texts == [str(v) for v in cells]
        out.append((name, cells))
    return out


def core_rows(table: WeeklyTable) -> list[tuple[str, list[int]]]:
    return [("合计", list(table.total))] + [(r.name, list(r.cells)) for r in table.rows]


@pytest.mark.parametrize("key", WEEKS)
def test_grid_cells_equal_the_core_table(
    view: WeeklyView, sample_state: AppState, key: str
) -> None:
    week = week_from_key(key)
    view.set_week(week)
    expected = core_rows(weekly.compute(sample_state.session, week))
    got = grid_rows(view)
    assert [name for name, _ in got] == [
        "合计",
        "许昌市本级",
        "魏都区",
        "建安区",
        "鄢陵县",
        "襄城县",
        "禹州市",
        "长葛市",
    ]
    assert got == expected
    assert any(v for _, cells in got for v in cells) or key == "2017-01-1"


def test_grid_matches_the_sample_expectation(view: WeeklyView) -> None:
    exp = json.loads((sample_path(SAMPLE_EXPECTED)).read_text(encoding="utf-8"))
    day = "2017-11-10"  # ends before the sample's removal date: defective records still count
    week = exp["weeks"][day]
    view.set_week(week_of(dt.date.fromisoformat(day)))
    rows = dict(grid_rows(view))
    assert rows["合计"] == week["total"]
    for name, cells in week["rows"].items():
        assert rows[name] == cells, name


def test_header_is_annex1_with_merged_cells(view: WeeklyView, qtmodeltester: object) -> None:
    model, grid = view.model, view.grid
    assert grid.rowSpan(0, 0) == 2 and grid.columnSpan(0, 0) == 1
    assert "项目" in model.data(model.index(0, 0)) and "地区" in model.data(model.index(0, 0))
    assert model.data(model.index(2, 0)) == "甲"
    for i, name in enumerate(INDICATOR_NAMES):
        col = 1 + 2 * i
        assert model.data(model.index(0, col)) == name
        assert grid.columnSpan(0, col) == 2
        assert model.data(model.index(1, col)) == "本周实际"
        assert model.data(model.index(1, col + 1)) == "本年累计"
        assert model.data(model.index(2, col)) == str(col)
        assert model.data(model.index(2, col + 1)) == str(col + 1)
    assert not grid.horizontalHeader().isVisible() and not grid.verticalHeader().isVisible()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(WeeklyModel())  # type: ignore[attr-defined]


def test_opens_on_the_data_year_and_the_picker_moves(view: WeeklyView) -> None:
    # The sample is a 2017 ledger: the screen follows its data, not today's year.
    assert view.week.year == 2017
    assert view.year_spin.value() == 2017
    labels = [view.week_combo.itemText(i) for i in range(view.week_combo.count())]
    assert labels == [w.label for w in weeks_of_year(2017)]

    seen = []
    view.week_changed.connect(seen.append)
    view.week_combo.setCurrentIndex(labels.index("2017年11月第2周"))
    assert view.week == week_from_key("2017-11-2")
    assert view.table is not None and view.table.week == view.week
    view.prev_button.click()
    assert view.week.label == "2017年11月第1周"
    view.next_button.click()
    view.next_button.click()
    assert view.week.label == "2017年11月第3周"
    assert [w.label for w in seen] == [
        "2017年11月第2周",
        "2017年11月第1周",
        "2017年11月第2周",
        "2017年11月第3周",
    ]

    view.set_week(list(weeks_of_year(2017))[-1])
    view.next_button.click()  # across the year end
    assert view.week.label == "2018年1月第1周" and view.year_spin.value() == 2018
    assert view.week_combo.currentText() == "2018年1月第1周"
    view.prev_button.click()
    assert view.week == list(weeks_of_year(2017))[-1]
    view.year_spin.setValue(2016)
    assert view.week.year == 2016 and view.week.month == 12


def test_negative_cells_are_red(view: WeeklyView, sample_state: AppState) -> None:
    selfcheck.remove_flagged(sample_state.session, "all", dt.date(2017, 11, 24), "11月集中调整")
    view.set_week(week_from_key("2017-11-4"))
    model = view.model
    total = model.body_row(0)
    exp = json.loads((sample_path(SAMPLE_EXPECTED)).read_text(encoding="utf-8"))
    assert exp["weeks"]["2017-11-24"]["total"][0] < 0 < exp["weeks"]["2017-11-24"]["total"][1]
    assert model.data(model.index(total, 1), VALUE_ROLE) == exp["weeks"]["2017-11-24"]["total"][0]
    assert (
        model.data(model.index(total, 1), Qt.ItemDataRole.ForegroundRole).color() == NEGATIVE_COLOR
    )
    assert model.data(model.index(total, 2), Qt.ItemDataRole.ForegroundRole) is None  # 本年累计 > 0
    assert "负数" in model.data(model.index(total, 1), Qt.ItemDataRole.ToolTipRole)


def test_marking_submitted_then_a_ledger_change_highlights_the_changed_cells(
    qtbot: QtBot,
    view: WeeklyView,
    sample_state: AppState,
) -> None:
    session = sample_state.session
    week = week_from_key("2017-11-4")
    view.set_week(week)
    assert "尚未" in view._status.text()
    before = weekly.compute(session, week)

    with qtbot.waitSignal(view.submitted, timeout=2_000) as blocker:
        view.submit_button.click()  # never submitted: no question asked
    assert blocker.args == [week]
    assert snapshots.last_submission(session, week) is not None
    assert "已于" in view._status.text()
    assert view.submit_button.text() == "重新标记为已上报"
    assert view.model.changed_cells() == {}

    # The ledger changes after submission: records removed within the week.
    result = selfcheck.run_check(session)
    ids = result.record_ids("duplicate")[:5]
    selfcheck.remove_selected(
        session, ids, "duplicate", dt.date(2017, 11, 20), "核实后剔除", adjustment_reason="核实"
    )
    view.refresh()
    after = weekly.compute(session, week)
    expected = {
        (r, c): old[c]
        for r, (old, new) in enumerate(zip(_all_rows(before), _all_rows(after), strict=True))
        for c in range(12)
        if old[c] != new[c]
    }
    assert expected  # the change must show somewhere
    model = view.model
    for r in range(len(_all_rows(after))):
        for c in range(12):
            index = model.index(model.body_row(r), c + 1)
            if (r, c) in expected:
                assert model.data(index, OLD_VALUE_ROLE) == expected[(r, c)]
                assert (
                    model.data(index, Qt.ItemDataRole.BackgroundRole).color() == CHANGED_BACKGROUND
                )
                tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
                assert f"为 {expected[(r, c)]}，现为 {model.data(index, VALUE_ROLE)}" in tip
            else:
                assert model.data(index, OLD_VALUE_ROLE) is None
                background = model.data(index, Qt.ItemDataRole.BackgroundRole)
                assert background is None or background.color() != CHANGED_BACKGROUND
    assert f"{len(expected)} 处" in view._status.text()

    # Submitting again asks first (the table differs from what went upward).
    view.submit_button.click()
    box = next(b for b in view.findChildren(QMessageBox) if b.isVisible())
    assert "重新标记" in box.text()
    ok = next(b for b in box.findChildren(QPushButton) if b.text() == "确定")
    with qtbot.waitSignal(view.submitted, timeout=2_000):
        ok.click()
    assert view.model.changed_cells() == {}
    assert snapshots.diff_with_last(session, after) == {}


def test_cancelled_resubmission_stores_nothing(
    qtbot: QtBot,
    view: WeeklyView,
    sample_state: AppState,
) -> None:
    session = sample_state.session
    week = week_from_key("2017-11-4")
    view.set_week(week)
    view.submit_button.click()
    first = snapshots.last_submission(session, week)
    selfcheck.remove_flagged(session, "invalid", dt.date(2017, 11, 20), reason="自查剔除")
    view.refresh()
    changed = view.model.changed_cells()
    assert changed
    view.submit_button.click()
    box = next(b for b in view.findChildren(QMessageBox) if b.isVisible())
    next(b for b in box.findChildren(QPushButton) if b.text() == "取消").click()
    qtbot.wait(20)
    assert snapshots.last_submission(session, week) == first
    assert view.model.changed_cells() == changed


def test_toolbar_has_room_for_exports(view: WeeklyView) -> None:
    button = QPushButton("导出附件1")
    view.add_toolbar_widget(button)
    assert view.toolbar.indexOf(button) == view.toolbar.indexOf(view.submit_button) - 1


def _all_rows(table: WeeklyTable) -> list[tuple[int, ...]]:
    return [table.total, *(r.cells for r in table.rows)]

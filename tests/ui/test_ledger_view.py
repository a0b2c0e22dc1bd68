"""The ledger grid: a model over the core's ids, pages of values, SQL sorts and filters."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest

from jiuye_desktop import browse
from jiuye_desktop.selfcheck import remove_selected
from jiuye_desktop.weeks import week_of
from ui.ledger_view import PAGE_SIZE, LedgerModel, LedgerView
from ui.widgets import REMOVED_COLOR

from .helpers import type_text

COL = {key: i for i, key in enumerate(browse.COLUMN_KEYS)}

pytestmark = pytest.mark.usefixtures("dialogs")


def sql_ids(state, where: str = "", order: str = "id", params: tuple = ()) -> list[int]:
    sql = f"SELECT id FROM records {'WHERE ' + where if where else ''} ORDER BY {order}"
    return [r[0] for r in state.session.db.conn.execute(sql, params)]


def shown_ids(model: LedgerModel) -> list[int]:
    return [model.record_id(row) for row in range(model.rowCount())]


@pytest.fixture
def view(qtbot, sample_state):
    widget = LedgerView(sample_state)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_model_passes_the_model_tester(qtmodeltester, sample_state):
    model = LedgerModel(sample_state.session)
    model.search(browse.BrowseQuery())
    assert model.rowCount() == 630
    qtmodeltester.check(model, force_py=True)
    model.sort(COL["name"], Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_rows_come_a_page_at_a_time_and_match_the_database(sample_state):
    model = LedgerModel(sample_state.session)
    model.search(browse.BrowseQuery())
    conn = sample_state.session.db.conn
    for row in (0, PAGE_SIZE - 1, PAGE_SIZE, 629):
        record_id = model.record_id(row)
        name, phone = conn.execute(
            "SELECT name, phone FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        assert model.data(model.index(row, COL["id"])) == str(record_id)
        assert model.data(model.index(row, COL["name"])) == name
        assert model.data(model.index(row, COL["phone"])) == phone
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(COL["area"], Qt.Orientation.Horizontal) == "所属地区"


def test_sorting_by_clicking_a_header_follows_sql(qtbot, view, sample_state):
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(COL["name"]) + 10
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert view.model.query.sort == "name"
    first = shown_ids(view.model)
    assert first in (
        sql_ids(sample_state, order="name, id"),
        sql_ids(sample_state, order="name DESC, id DESC"),
    )
    view.model.sort(COL["event_date"], Qt.SortOrder.DescendingOrder)
    assert shown_ids(view.model) == sql_ids(sample_state, order="event_date DESC, id DESC")
    view.model.sort(COL["findings"], Qt.SortOrder.AscendingOrder)  # not sortable: unchanged
    assert view.model.query.sort == "event_date"
    x = header.sectionViewportPosition(COL["findings"]) + 10
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert view.model.query.sort == "event_date"
    assert header.sortIndicatorSection() == COL["event_date"]


def test_filters_change_rows_as_sql_says(qtbot, view, sample_state):
    area_id = {name: i for i, name in browse.area_choices(sample_state.session)}["长葛市"]
    view.area_combo.setCurrentIndex(view.area_combo.findData(area_id))
    assert shown_ids(view.model) == sql_ids(sample_state, "area_id = ?", params=(area_id,))
    view.type_combo.setCurrentIndex(view.type_combo.findData("新就业"))
    expected = sql_ids(sample_state, "area_id = ? AND record_type = '新就业'", params=(area_id,))
    assert shown_ids(view.model) == expected
    assert view.count_label.text() == f"共 {len(expected):,} 条"
    view.clear_filters()
    assert view.model.rowCount() == 630
    week = week_of(dt.date(2017, 11, 8))
    view.week_combo.setCurrentIndex(view.week_combo.findText(week.label))
    assert shown_ids(view.model) == sql_ids(
        sample_state, "registered_on BETWEEN ? AND ?", params=(str(week.start), str(week.end))
    )
    view.clear_filters()
    view.kind_combo.setCurrentIndex(view.kind_combo.findData("incomplete"))
    assert shown_ids(view.model) == sql_ids(
        sample_state, "id IN (SELECT record_id FROM record_findings WHERE kind = 'incomplete')"
    )


def test_search_box_finds_an_id_and_a_name(qtbot, view, sample_state):
    conn = sample_state.session.db.conn
    rid, idn, name = conn.execute(
        "SELECT id, id_number, name FROM records WHERE id_ok = 1 LIMIT 1 OFFSET 100"
    ).fetchone()
    view.focus_search()
    type_text(qtbot, idn)
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    assert shown_ids(view.model) == [rid]
    view.search_edit.clear()
    type_text(qtbot, name[0])
    qtbot.waitUntil(lambda: view.model.query.text == name[0], timeout=2000)  # after the pause
    assert shown_ids(view.model) == sql_ids(
        sample_state, "name >= ? AND name < ?", params=(name[0], name[0] + "\U0010ffff")
    )


def test_removed_records_are_grey_with_their_reason(qtbot, view, sample_state):
    remove_selected(sample_state.session, [4], "duplicate", dt.date(2017, 11, 20), note="同一人")
    view.refresh()
    row = view.model.row_of(4)
    assert row is not None
    index = view.model.index(row, COL["name"])
    assert view.model.data(index, Qt.ItemDataRole.ForegroundRole) == REMOVED_COLOR
    assert "已剔除（重复，2017-11-20）：同一人" in view.model.data(
        index, Qt.ItemDataRole.ToolTipRole
    )
    assert view.model.data(view.model.index(row, COL["status"])) == "已剔除（重复）"
    view.status_combo.setCurrentIndex(view.status_combo.findData(browse.Status.REMOVED))
    assert shown_ids(view.model) == [4]


def test_double_click_and_enter_open_the_record(qtbot, view):
    view.select_record(12)
    row = view.model.row_of(12)
    assert row is not None
    rect = view.table.visualRect(view.model.index(row, COL["name"]))
    # A real double-click is press, release, double-click: the view wants the press first.
    QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.record_activated) as opened:
        QTest.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [12]
    view.table.setFocus()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    with qtbot.waitSignal(view.record_activated) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [12]


def test_each_finding_kind_has_one_colour_of_its_own() -> None:
    from jiuye_desktop.domain import FindingKind
    from ui.widgets import KIND_COLORS

    assert list(KIND_COLORS) == [k.value for k in FindingKind]
    assert len({c.name() for c in KIND_COLORS.values()}) == len(KIND_COLORS)

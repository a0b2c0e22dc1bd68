"""The self-check screen: counts by kind, jump to a record, remove with reason/date/note, restore."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from jiuye_desktop import selfcheck
from jiuye_desktop.storage import ledger
from tests import ledger_queries
from tests.ui.fixtures_3b import fixture_sample_db_template, fixture_sample_state  # noqa: F401
from ui.selfcheck_dialog import RemovalDialog
from ui.selfcheck_model import RECORD_ID_ROLE
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState


@pytest.fixture
def view(qtbot: QtBot, sample_state: AppState) -> SelfCheckView:
    widget = SelfCheckView(sample_state)
    qtbot.addWidget(widget)
    return widget


def checked(qtbot: QtBot, view: SelfCheckView) -> SelfCheckView:
    with qtbot.waitSignal(view.check_finished, timeout=20_000):
        view.run_check()
    return view


def shown_ids(view: SelfCheckView) -> list[int]:
    model = view.findings_model
    return [model.data(model.index(r, 0), RECORD_ID_ROLE) for r in range(model.rowCount())]


def kind_texts(view: SelfCheckView) -> list[str]:
    return [view.kind_list.item(i).text() for i in range(view.kind_list.count())]


def test_counts_by_kind(qtbot: QtBot, view: SelfCheckView, sample_state: AppState) -> None:
    assert view.result is None and "尚未" in view.summary_label.text()
    checked(qtbot, view)
    counts = view.counts()
    assert (counts["duplicate"], counts["invalid"], counts["incomplete"]) == (30, 30, 30)
    assert counts == selfcheck.run_check(sample_state.session).summary
    texts = kind_texts(view)
    assert texts[:3] == ["重复  30 条", "无效  30 条", "不完整  30 条"]
    assert texts[3] == f"提示  {counts['warning']} 条"
    assert "重复 30 条，无效 30 条，不完整 30 条" in view.summary_label.text()

    for kind in ("duplicate", "invalid", "incomplete"):
        view.show_kind(kind)
        assert len(set(shown_ids(view))) == 30, kind
        assert all(
            view.findings_model.data(view.findings_model.index(r, 4))
            == {"duplicate": "重复", "invalid": "无效", "incomplete": "不完整"}[kind]
            for r in range(view.findings_model.rowCount())
        )
    view.show_kind("all")
    assert view.findings_model.rowCount() == len(view.result.findings)  # type: ignore[union-attr]
    assert not view.remove_selected_button.isEnabled()  # nothing selected yet
    view.show_kind("warning")
    assert not view.remove_kind_button.isEnabled()  # warnings are never removed wholesale


def test_double_click_asks_to_open_the_record(qtbot: QtBot, view: SelfCheckView) -> None:
    view.resize(1200, 700)
    view.show()  # the first show runs the check by itself
    qtbot.waitUntil(lambda: view.result is not None and not view.busy, timeout=20_000)
    view.show_kind("invalid")
    index = view.findings_model.index(2, 1)
    rect = view.findings_view.visualRect(index)
    viewport = view.findings_view.viewport()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.record_activated, timeout=2_000) as blocker:
        # An item view takes a double click only after a press on the same item.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [shown_ids(view)[2]]


def test_remove_selected_findings_with_reason_date_and_note(
    qtbot: QtBot,
    view: SelfCheckView,
    sample_state: AppState,
) -> None:
    checked(qtbot, view)
    view.show_kind("duplicate")
    for row in (0, 1, 2):
        view.findings_view.selectionModel().select(
            view.findings_model.index(row, 0),
            view.findings_view.selectionModel().SelectionFlag.Select
            | view.findings_view.selectionModel().SelectionFlag.Rows,
        )
    chosen = shown_ids(view)[:3]
    messages = {
        f.record: f.message
        for f in view.result.findings  # type: ignore[union-attr]
        if f.record in chosen and f.kind == "duplicate"
    }
    assert view.remove_selected_button.isEnabled()
    view.remove_selected_button.click()

    dialog = view.removal_dialog
    assert isinstance(dialog, RemovalDialog) and dialog.isVisible()
    assert "3 条" in dialog.summary_label.text()
    assert dialog.reason_combo.currentData() == "duplicate" and dialog.reason_combo.isEnabled()
    assert dialog.date_edit.date() == QDate.currentDate()  # today by default
    dialog.date_edit.setDate(QDate(2017, 11, 24))
    dialog.note_edit.insert("核实为重复登记")  # QtTest types ASCII only
    with qtbot.waitSignal(view.records_removed, timeout=20_000) as removed:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert removed.args == [3]

    conn = sample_state.session.db.conn
    for record_id in chosen:
        assert ledger_queries.record_status(conn, record_id) == ("2017-11-24", "duplicate")
    stored = {m["record_id"]: m for m in ledger.removals(conn)}
    assert set(stored) == set(chosen)
    for record_id in chosen:
        assert stored[record_id]["note"] == "核实为重复登记"
        assert stored[record_id]["message"] == messages[record_id]

    # The check ran again and the removed records are listed for restoring.
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert view.counts()["duplicate"] == 27
    assert view.removals_model.rowCount() == 3
    assert view.tabs.tabText(1) == "已剔除记录（3）"


def test_remove_all_of_a_kind_and_restore(
    qtbot: QtBot,
    view: SelfCheckView,
    sample_state: AppState,
) -> None:
    checked(qtbot, view)
    view.show_kind("invalid")
    invalid = set(view.result.record_ids("invalid"))  # type: ignore[union-attr]
    view.remove_kind_button.click()
    dialog = view.removal_dialog
    assert dialog is not None
    assert dialog.reason_combo.currentData() == "invalid" and not dialog.reason_combo.isEnabled()
    assert "30 条" in dialog.summary_label.text()
    dialog.date_edit.setDate(QDate(2017, 11, 24))
    with qtbot.waitSignal(view.records_removed, timeout=20_000) as removed:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert removed.args == [30]
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)

    conn = sample_state.session.db.conn
    assert {m["record_id"] for m in ledger.removals(conn)} == invalid
    assert all(ledger_queries.record_status(conn, i) == ("2017-11-24", "invalid") for i in invalid)
    assert view.counts()["invalid"] == 0
    assert view.counts()["duplicate"] == 30

    # Restore two of them from the 已剔除记录 list.
    view.tabs.setCurrentIndex(1)
    model = view.removals_model
    assert model.rowCount() == 30
    picked = [model.data(model.index(r, 0), RECORD_ID_ROLE) for r in (0, 5)]
    selection = view.removals_view.selectionModel()
    for r in (0, 5):
        selection.select(
            model.index(r, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        )
    assert view.restore_button.isEnabled()
    with qtbot.waitSignal(view.records_restored, timeout=20_000) as restored:
        view.restore_button.click()
    assert restored.args == [2]
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    for record_id in picked:
        assert ledger_queries.record_status(conn, record_id) == (None, None)
    assert len(ledger.removals(conn)) == 28
    assert view.removals_model.rowCount() == 28
    assert view.counts()["invalid"] == 2


def test_cancelled_dialog_removes_nothing(
    qtbot: QtBot,
    view: SelfCheckView,
    sample_state: AppState,
) -> None:
    checked(qtbot, view)
    view.show_kind("incomplete")
    view.remove_kind_button.click()
    dialog = view.removal_dialog
    assert dialog is not None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.wait(50)
    assert ledger.removals(sample_state.session.db.conn) == []
    assert view.counts()["incomplete"] == 30
    assert not view.busy


def test_a_warning_can_be_removed_as_a_duplicate_once_confirmed(
    qtbot: QtBot,
    view: SelfCheckView,
    sample_state: AppState,
) -> None:
    checked(qtbot, view)
    view.show_kind("warning")
    if view.findings_model.rowCount() == 0:
        pytest.fail("the sample ledger has warnings")
    view.findings_view.selectRow(0)
    record_id = shown_ids(view)[0]
    view.remove_selected_button.click()
    dialog = view.removal_dialog
    assert dialog is not None and "提示" in dialog.summary_label.text()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("incomplete"))
    with qtbot.waitSignal(view.records_removed, timeout=20_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    today = dt.date.today().isoformat()
    assert ledger_queries.record_status(sample_state.session.db.conn, record_id) == (
        today,
        "incomplete",
    )


def test_findings_model(qtbot: QtBot, view: SelfCheckView, qtmodeltester: object) -> None:
    checked(qtbot, view)
    view.show_kind("all")
    qtmodeltester.check(view.findings_model)  # type: ignore[attr-defined]
    qtmodeltester.check(view.removals_model)  # type: ignore[attr-defined]

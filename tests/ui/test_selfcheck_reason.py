"""The self-check screen asks a reason before removing or restoring records of a submitted
week (domain.md §9), then removes them all (or nothing when the clerk cancels)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.storage import ledger
from jiuye_desktop.submitted import listed, submit
from jiuye_desktop.weeks import week_from_key
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState

pytestmark = pytest.mark.usefixtures("dialogs")


def test_removal_and_restore_of_a_submitted_week_ask_a_reason(
    qtbot: QtBot, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = state.session
    load_demo(session, 800, year=2017, seed=6)
    submit(session, week_from_key("2017-12-5"))  # the whole year is submitted
    answers: list[str | None] = [None, "复核后剔除", "误剔除"]
    asked: list[str] = []

    def fake_ask(_parent: object, message: str) -> str | None:
        asked.append(message)
        return answers.pop(0)

    monkeypatch.setattr("ui.selfcheck_view.ask_reason", fake_ask)
    view = SelfCheckView(state)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.check_finished, timeout=20_000):
        view.run_check()
    view.show_kind("invalid")
    invalid = set(view.result.record_ids("invalid"))  # type: ignore[union-attr]
    assert invalid

    def remove_all() -> None:
        view.remove_kind_button.click()
        dialog = view.removal_dialog
        assert dialog is not None
        dialog.date_edit.setDate(QDate(2017, 12, 30))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    conn = session.db.conn
    remove_all()  # the reason is asked, and the clerk cancels: nothing removed
    qtbot.waitUntil(lambda: len(asked) == 1 and not view.busy, timeout=20_000)
    assert "要剔除的记录中有登记在已上报的周内的" in asked[0]
    assert ledger.removals(conn) == []
    with qtbot.waitSignal(view.records_removed, timeout=20_000):
        remove_all()  # asked again; this time a reason is given
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert {m["record_id"] for m in ledger.removals(conn)} == invalid
    # The next table (2018's first week) lists them; 2017's records do not count in 2018.
    items = listed(session, week_from_key("2018-01-1")).items
    assert len(items) == len(invalid) and all(a.effect == (0,) * 12 for a in items)

    view.tabs.setCurrentIndex(1)
    model = view.removals_model
    selection = view.removals_view.selectionModel()
    selection.select(
        model.index(0, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
    )
    with qtbot.waitSignal(view.records_restored, timeout=20_000) as restored:
        view.restore_button.click()
    assert restored.args == [1] and len(asked) == 3 and "要恢复" in asked[2]
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert len(ledger.removals(conn)) == len(invalid) - 1
    reasons = [r[0] for r in conn.execute("SELECT reason FROM adjustments ORDER BY id")]
    assert reasons == ["复核后剔除"] * len(invalid) + ["误剔除"]

"""Importing rows registered in a submitted week asks a reason (domain.md §9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from jiuye_desktop import demo, demo_workbook
from jiuye_desktop.submitted import listed, submit
from jiuye_desktop.weeks import week_from_key
from tests import ledger_queries
from ui.import_view import ImportView
from ui.state import AppState

pytestmark = pytest.mark.usefixtures("dialogs")


def test_an_import_into_a_submitted_week_asks_a_reason(
    qtbot: QtBot, state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = state.session
    path = tmp_path / "补录.xlsx"
    areas = [("411000", "许昌市本级"), ("411002", "魏都区")]
    demo_workbook.write_workbook(demo.generate_rows(60, areas=areas, seed=8, defect_rate=0), path)
    submit(session, week_from_key("2017-06-2"))
    answers: list[str | None] = [None, "补录上半年漏登记录"]
    asked: list[str] = []

    def fake_ask(_parent: object, message: str) -> str | None:
        asked.append(message)
        return answers.pop(0)

    monkeypatch.setattr("ui.import_view.ask_reason", fake_ask)
    view = ImportView(state)
    qtbot.addWidget(view)
    view.load_file(path)
    qtbot.waitUntil(lambda: view.preview is not None, timeout=20_000)
    view.start_import()  # refused: the reason is asked, the clerk cancels
    qtbot.waitUntil(lambda: len(asked) == 1 and not view.busy, timeout=30_000)
    assert "导入文件中有登记日期在已上报的周内的行" in asked[0] and "第 " in asked[0]
    assert ledger_queries.count_records(session.db.conn)["total"] == 0
    with qtbot.waitSignal(view.imported, timeout=30_000):
        view.start_import()  # asked again: a reason this time
    early = session.db.conn.execute(
        "SELECT count(*) FROM records WHERE registered_on <= '2017-06-09'"
    ).fetchone()[0]
    items = listed(session, week_from_key("2017-06-3")).items
    assert early and len(items) == early
    assert {a.reason for a in items} == {"补录上半年漏登记录"}

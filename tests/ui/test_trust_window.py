"""Issue 11 in the window: a restore refused while another process holds the ledger leaves
the window working on its ledger; a successful one reopens it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from ui import backup_actions
from ui.state import AppState


def test_restore_while_another_process_holds_the_ledger(
    qtbot: QtBot, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    state.session.back_up_now("manual")
    state.session.set_profile({"contact": "张丽"})
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text, *a, **k: warned.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda _p, _t, _l, items, *a, **k: (items[0], True)
    )
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, time\n"
            f"c = sqlite3.connect({str(state.db_path)!r}, isolation_level=None)\n"
            "c.execute('SELECT 1 FROM unit').fetchone()\nprint('held', flush=True)\n"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        window = QWidget()
        qtbot.addWidget(window)
        assert not backup_actions.restore(window, state)
        assert warned and "正被另一个程序" in warned[0]
        assert state.session.profile()["contact"] == "张丽"  # reopened, nothing lost
    finally:
        holder.kill()
        holder.communicate()
    assert backup_actions.restore(window, state)
    assert state.session.profile()["contact"] == ""  # the backup's, in the reopened session
    assert Path(state.db_path).exists()


def test_the_merge_view_shows_the_fingerprint_and_asks_before_a_new_key(
    qtbot: QtBot, state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt

    from jiuye_desktop import signing
    from jiuye_desktop.completeness import forget_failures
    from jiuye_desktop.domain import Level
    from jiuye_desktop.package import export_package
    from jiuye_desktop.service import init_database
    from jiuye_desktop.weeks import week_from_key
    from tests.ui.helpers import make_id
    from ui.merge_view import MergeView

    state.session.auto_backup = False
    week = week_from_key("2017-11-2")
    county = init_database(
        tmp_path / "c.sqlite", unit_code="411082", unit_name="长葛市", level=Level.COUNTY
    )
    county.add_values(
        {
            "姓名": "王伟",
            "公民身份号码": make_id("411082", "19850312", "101"),
            "所属地区": "长葛市本级",
            "登记类型": "新就业",
            "就业（减员）日期": "2017-05-02",
            "就业形式": "自主创业",
            "登记日期": "2017-05-10",
        }
    )
    first, later = tmp_path / "first.xlsx", tmp_path / "later.xlsx"
    export_package(county, week, first)
    old = signing.own_key(county).fingerprint
    county.db.conn.execute("DELETE FROM signing_key")  # a new computer: a new key
    export_package(county, week_from_key("2017-11-3"), later)
    new = signing.own_key(county).fingerprint
    county.close()

    view = MergeView(state)
    qtbot.addWidget(view)
    view.add_files([first])
    qtbot.mouseClick(view.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert old in view.plan_table.item(0, view.plan_table.columnCount() - 1).text()
    assert old in view.result_label.text() and "首次" in view.result_label.text()
    with qtbot.waitSignal(view.merged, timeout=20_000):
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)

    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _w, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    view.clear_files()
    view.add_files([later])
    qtbot.mouseClick(view.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
    assert old in asked[0] and new in asked[0]
    qtbot.waitUntil(lambda: not view.busy and view.last_result is not None, timeout=20_000)
    qtbot.waitUntil(lambda: view.merge_button.isEnabled(), timeout=20_000)
    assert [h["action"] for h in signing.history(state.session)][-1] == "accept"
    forget_failures(state.session)


def test_a_read_only_ledger_opens_with_a_banner_and_refuses_changes(
    qtbot: QtBot, tmp_path: Path, dialogs: object
) -> None:
    from jiuye_desktop.domain import Level
    from jiuye_desktop.service import init_database, open_session
    from jiuye_desktop.storage.db import StorageError
    from tests.core.trust_helpers import immutable, sha
    from ui.main_window import MainWindow
    from ui.state import AppState

    path = tmp_path / "只读.sqlite"
    init_database(path, unit_code="411024", unit_name="鄢陵县", level=Level.COUNTY).close()
    before = sha(path)
    with immutable(path):
        session = open_session(path)
        try:
            assert session.readonly
            w = MainWindow(AppState(path, session))
            qtbot.addWidget(w)
            w.show()
            assert w.readonly_banner.isVisible() and "只读" in w.readonly_banner.text()
            with pytest.raises(StorageError, match="只读"):
                session.set_profile({"contact": "张丽"})
            w.close()
        finally:
            session.close()
    assert sha(path) == before


def test_unit_settings_show_the_fingerprint(qtbot: QtBot, state: AppState) -> None:
    from jiuye_desktop import signing
    from ui.setup_dialog import SetupDialog

    dialog = SetupDialog.for_session(state.session)
    qtbot.addWidget(dialog)
    assert dialog.fingerprint_label.text() == signing.own_key(state.session).fingerprint

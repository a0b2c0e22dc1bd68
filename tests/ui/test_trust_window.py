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

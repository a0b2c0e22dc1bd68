"""文件 ▸ 备份数据库 and 从备份恢复 in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from jiuye_desktop.service import open_session
from jiuye_desktop.storage import backup
from ui import backup_actions, ops
from ui.state import AppState


def test_back_up_then_restore_from_the_window(
    qtbot: QtBot, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QApplication, "quit", lambda *a: None)
    window = QWidget()
    qtbot.addWidget(window)
    backup_actions.back_up(window, state)
    qtbot.waitUntil(
        lambda: ops.active_count() == 0 and bool(backup.list_backups(state.db_path)), timeout=10000
    )
    made = backup.list_backups(state.db_path)
    assert [b.reason for b in made] == ["manual"]
    # A change made after the backup is gone once the backup is restored.
    state.session.set_profile({"contact": "张丽"})
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda _p, _t, _l, items, *a, **k: (items[0], True)
    )
    assert backup_actions.restore(window, state)
    reopened = open_session(Path(state.db_path))
    try:
        assert reopened.profile()["contact"] == ""
    finally:
        reopened.close()
    state.session = open_session(Path(state.db_path))  # for the fixture's teardown

"""At start the window checks the ledger in the background, backs it up, and offers
the newest good backup when the ledger is damaged."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from jiuye_desktop.domain import Level
from jiuye_desktop.service import init_database
from jiuye_desktop.storage import backup
from ui import startup_checks


def _ledger(path: Path) -> Path:
    init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY).close()
    return path


def test_sound_ledger_is_backed_up_in_the_background(qtbot: QtBot, tmp_path: Path) -> None:
    db = _ledger(tmp_path / "l.sqlite")
    window = QWidget()
    qtbot.addWidget(window)
    said: list[str] = []
    worker = startup_checks.start(window, db, on_status=said.append)
    qtbot.waitUntil(lambda: bool(said), timeout=10000)
    assert worker is not None
    assert "已自动备份" in said[0]
    assert [b.reason for b in backup.list_backups(db)] == ["start"]


def test_damaged_ledger_offers_the_last_good_backup(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _ledger(tmp_path / "l.sqlite")
    assert backup.check_and_back_up(db).ok
    data = bytearray(db.read_bytes())
    for i in range(4096, len(data)):
        data[i] = 0x5A
    db.write_bytes(bytes(data))
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _w, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    informed: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda _w, _t, text, *a, **k: informed.append(text)
    )
    monkeypatch.setattr(QApplication, "quit", lambda *a: None)
    window = QWidget()
    qtbot.addWidget(window)
    startup_checks.start(window, db)
    qtbot.waitUntil(lambda: bool(informed), timeout=10000)
    assert "损坏" in asked[0] and "完好的备份" in asked[0]
    assert backup.check_and_back_up(db).ok  # the ledger is sound again
    assert any(p.name.endswith(".damaged.sqlite") for p in backup.backup_dir(db).iterdir())

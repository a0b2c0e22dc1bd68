"""导出上报文件: the password typed twice, and 标记为已上报 in the same step (issue 12, item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from jiuye_desktop import snapshots
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.package import is_encrypted, open_package, verify_package
from jiuye_desktop.weeks import week_from_key
from ui import export_actions, ops
from ui.package_dialog import PackageDialog
from ui.state import AppState
from ui.weekly_view import WeeklyView

pytestmark = pytest.mark.usefixtures("dialogs")


def test_the_password_must_be_typed_twice_alike(qtbot: QtBot) -> None:
    dialog = PackageDialog("2017年11月第2周", "/tmp/x.xlsx", submitted_before=False)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled() and dialog.chosen_password() is None  # no password: not encrypted
    assert dialog.mark_submitted()  # offered checked for a week not submitted yet
    dialog.password.setText("xc2017")
    assert not ok.isEnabled() and "再输入一次" in dialog.problem.text()
    dialog.again.setText("xc2016")
    assert not ok.isEnabled() and "不一致" in dialog.problem.text()
    dialog.again.setText("xc2017")
    assert ok.isEnabled() and dialog.problem.text() == ""
    assert dialog.chosen_password() == "xc2017"
    again = PackageDialog("2017年11月第2周", "/tmp/x.xlsx", submitted_before=True)
    qtbot.addWidget(again)
    assert not again.mark_submitted() and "重新" in again.mark.text()


@pytest.mark.parametrize("mark", [True, False])
def test_export_encrypts_and_marks_the_week(
    qtbot: QtBot,
    state: AppState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mark: bool,
) -> None:
    load_demo(state.session, 300, year=2017, seed=9)
    view = WeeklyView(state)
    qtbot.addWidget(view)
    export_actions.attach(view, state)
    week = week_from_key("2017-11-2")
    view.set_week(week)
    target = tmp_path / "上报.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def answer(dialog: PackageDialog) -> QDialog.DialogCode:
        dialog.password.setText("许昌2017")
        dialog.again.setText("许昌2017")
        dialog.mark.setChecked(mark)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PackageDialog, "exec", answer)
    button = next(b for b in view.findChildren(QPushButton) if b.text() == "导出上报文件…")
    with qtbot.waitSignal(view.submitted, timeout=30_000, raising=False) as blocker:
        button.click()
        qtbot.waitUntil(lambda: target.exists() and ops.active_count() == 0, timeout=30_000)
    assert is_encrypted(target)
    verify_package(open_package(target, "许昌2017"))
    assert (snapshots.last_submission(state.session, week) is not None) is mark
    assert blocker.signal_triggered is mark
    if mark:
        assert "已于" in view._status.text()

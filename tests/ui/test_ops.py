"""The one helper for long work: off the GUI thread, its own session, progress, errors."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from jiuye_desktop.importer import ImportRefused
from jiuye_desktop.service import Session
from jiuye_desktop.storage.db import StorageError
from tests.ui.fixtures_3b import fixture_empty_state  # noqa: F401
from ui import ops
from ui.state import AppState


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


class Outcome:
    """What the callbacks received."""

    def __init__(self) -> None:
        self.done: list[Any] = []
        self.errors: list[BaseException] = []

    def on_done(self, value: Any) -> None:
        self.done.append(value)

    def on_error(self, exc: BaseException) -> None:
        self.errors.append(exc)


def _boxes(parent: QWidget) -> list[QMessageBox]:
    return [b for b in parent.findChildren(QMessageBox) if b.isVisible()]


def test_work_runs_in_another_thread_on_its_own_session(
    qtbot: QtBot,
    parent: QWidget,
    empty_state: AppState,
) -> None:
    seen: dict[str, Any] = {}

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> str:
        seen["thread"] = threading.get_ident()
        seen["qthread"] = QThread.currentThread()
        seen["session"] = session
        seen["cancelled"] = cancelled()
        return session.unit.name

    out = Outcome()
    ops.run_op(parent, "正在测试…", work, state=empty_state, on_done=out.on_done)
    qtbot.waitUntil(lambda: bool(out.done), timeout=10_000)

    assert out.done == ["许昌市"]
    assert seen["thread"] != threading.get_ident()
    assert seen["qthread"] is not QApplication.instance().thread()  # type: ignore[union-attr]
    assert seen["session"] is not empty_state.session
    assert seen["cancelled"] is False
    with pytest.raises(sqlite3.ProgrammingError):  # the worker closed its session
        seen["session"].db.conn.execute("SELECT 1")
    qtbot.waitUntil(lambda: ops.active_count() == 0)
    assert not [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]


def test_window_stays_responsive_and_progress_reaches_the_dialog(
    qtbot: QtBot, parent: QWidget
) -> None:
    gate = threading.Event()
    ticks: list[int] = []

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> int:
        progress(3, 8)
        gate.wait(10)
        return 8

    out = Outcome()
    ops.run_op(parent, "正在统计…", work, state=_fake_session, on_done=out.on_done)
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None
    assert dialog.labelText() == "正在统计…"
    assert dialog.isModal()
    # The GUI thread keeps handling events (timers fire) while the work waits.
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: dialog.value() == 3 and dialog.maximum() == 8, timeout=5_000)
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)  # shown once the work lasts
    assert dialog.findChild(QPushButton) is None  # not cancellable: no 取消 button
    dialog.reject()  # Esc does not close it while the work runs
    assert dialog.isVisible()
    assert len(ticks) > 3
    timer.stop()
    gate.set()
    qtbot.waitUntil(lambda: out.done == [8], timeout=5_000)
    qtbot.waitUntil(lambda: not dialog.isVisible() if _alive(dialog) else True)


def test_known_error_is_shown_as_it_is(qtbot: QtBot, parent: QWidget) -> None:
    message = "文件“台账.txt”不是Excel工作簿（.xlsx/.xls），请选择台账的Excel文件"

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> None:
        raise ImportRefused(message)

    out = Outcome()
    ops.run_op(parent, "正在导入…", work, state=_fake_session, on_done=out.on_done)
    qtbot.waitUntil(lambda: bool(_boxes(parent)), timeout=5_000)
    box = _boxes(parent)[0]
    assert box.text() == message
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.detailedText() == ""
    assert out.done == []


def test_storage_error_of_the_worker_session_is_shown(qtbot: QtBot, parent: QWidget) -> None:
    def locked() -> Session:
        raise StorageError("数据库文件 x.sqlite 正被另一个程序使用，请关闭后重试")

    out = Outcome()
    ops.run_op(parent, "正在自查…", lambda s, p, c: 1, state=locked, on_done=out.on_done)
    qtbot.waitUntil(lambda: bool(_boxes(parent)), timeout=5_000)
    assert "正被另一个程序使用" in _boxes(parent)[0].text()
    assert out.done == []


def test_unexpected_error_is_an_internal_error_with_details(
    qtbot: QtBot, parent: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> float:
        return 1 / 0

    ops.run_op(parent, "正在计算…", work, state=_fake_session, on_done=lambda v: None)
    qtbot.waitUntil(lambda: bool(_boxes(parent)), timeout=5_000)
    box = _boxes(parent)[0]
    assert "程序内部错误" in box.text()
    assert box.icon() == QMessageBox.Icon.Critical
    assert "ZeroDivisionError" in box.informativeText()
    assert "Traceback" in box.detailedText() and "1 / 0" in box.detailedText()
    assert "ZeroDivisionError" in caplog.text


def test_on_error_replaces_the_message_box(qtbot: QtBot, parent: QWidget) -> None:
    out = Outcome()

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> None:
        raise ImportRefused("拒绝")

    ops.run_op(
        parent, "正在导入…", work, state=_fake_session, on_done=out.on_done, on_error=out.on_error
    )
    qtbot.waitUntil(lambda: bool(out.errors), timeout=5_000)
    assert isinstance(out.errors[0], ImportRefused)
    assert _boxes(parent) == []
    assert out.done == []


def test_cancel_asks_the_work_to_stop_and_the_dialog_waits_for_it(
    qtbot: QtBot, parent: QWidget
) -> None:
    stopped = threading.Event()

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> None:
        while not cancelled():
            progress(0, 0)
            threading.Event().wait(0.01)
        stopped.wait(10)  # the work takes a moment to stop
        raise ImportRefused("导入已取消，数据库未做任何改动")

    out = Outcome()
    ops.run_op(
        parent,
        "正在导入…",
        work,
        state=_fake_session,
        on_done=out.on_done,
        on_error=out.on_error,
        cancellable=True,
    )
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "取消"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # stays until the work has stopped
    assert "正在取消" in dialog.labelText()
    assert not button.isEnabled()
    stopped.set()
    qtbot.waitUntil(lambda: bool(out.errors), timeout=5_000)
    assert str(out.errors[0]) == "导入已取消，数据库未做任何改动"
    assert out.done == []


def test_callbacks_are_skipped_when_the_parent_is_gone(qtbot: QtBot) -> None:
    gate = threading.Event()
    out = Outcome()
    widget = QWidget()

    def work(session: Session, progress: ops.Progress, cancelled: ops.Cancelled) -> int:
        gate.wait(10)
        return 1

    ops.run_op(widget, "正在测试…", work, state=_fake_session, on_done=out.on_done)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    gate.set()
    qtbot.waitUntil(lambda: ops.active_count() == 0, timeout=5_000)
    qtbot.wait(50)
    assert out.done == []


# --- helpers ------------------------------------------------------------------------------------


class _FakeSession:
    def close(self) -> None:
        pass


def _fake_session() -> Session:
    return _FakeSession()  # type: ignore[return-value]


def _alive(obj: object) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)

"""At start: the integrity check and the start-of-day backup, without freezing the window.

A damaged ledger gets a clear message and the offer to put back the newest
good backup (the core verifies it first; the damaged file is kept aside).
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from jiuye_desktop.storage.backup import StartupCheck, check_and_back_up, restore_backup
from jiuye_desktop.storage.db import StorageError


class _Worker(QThread):
    done = Signal(object)  # StartupCheck or an exception

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path

    def run(self) -> None:
        try:
            self.done.emit(check_and_back_up(self.db_path))
        except Exception as exc:  # noqa: BLE001 - shown to the clerk below
            self.done.emit(exc)


#: Workers still running: kept here (not owned by the window), so that closing the window
#: never destroys a thread that is still running (Qt aborts the program then).
_RUNNING: set[_Worker] = set()


def start(window: QWidget, db_path: Path, on_status: object = None) -> _Worker:
    """Run the checks in the background; report in the status bar, ask when damaged."""
    worker = _Worker(db_path)
    _RUNNING.add(worker)

    def finished(result: object) -> None:
        if not shiboken6.isValid(window):
            return  # the window was closed meanwhile
        if isinstance(result, StartupCheck):
            if result.ok:
                if callable(on_status):
                    on_status(
                        f"数据库检查正常，已自动备份：{result.backup.name if result.backup else ''}"
                    )
                return
            _offer_restore(window, db_path, result)
        elif isinstance(result, StorageError):
            QMessageBox.warning(window, "自动备份未完成", str(result))
        elif isinstance(result, Exception):
            QMessageBox.warning(window, "自动备份未完成", f"启动时的检查或备份没有完成：{result}")

    def ended() -> None:
        worker.wait()  # the thread has really ended before it is let go
        _RUNNING.discard(worker)

    worker.done.connect(finished)
    worker.finished.connect(ended)
    worker.start()
    return worker


def _offer_restore(window: QWidget, db_path: Path, check: StartupCheck) -> None:
    good = check.latest_good
    text = f"数据库 {db_path} 检查发现损坏（{check.detail}）。"
    if good is None:
        QMessageBox.critical(
            window, "数据库已损坏", text + "\n没有找到完好的备份，请联系维护人员。"
        )
        return
    answer = QMessageBox.question(
        window,
        "数据库已损坏",
        text
        + f"\n\n是否用最近一份完好的备份（{good.taken_at:%Y-%m-%d %H:%M}，{good.reason_text}）恢复？"
        "\n恢复前，损坏的数据库会另存一份。恢复后程序将关闭，请重新打开。",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    state = getattr(window, "state", None)
    if state is not None:
        state.session.close()
    try:
        restore_backup(db_path, good.path)
    except StorageError as exc:
        QMessageBox.critical(window, "恢复失败", str(exc))
        return
    QMessageBox.information(window, "已恢复", f"已从备份 {good.path.name} 恢复。请重新打开程序。")
    app = QApplication.instance()
    if app is not None:
        app.quit()

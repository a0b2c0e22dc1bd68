"""Run long core work off the GUI thread with a progress dialog (like Anki's ``CollectionOp``).

Every long operation of the window (import, whole-ledger check, removal,
export, merge) goes through :func:`run_op`. The work runs in a ``QThread`` on
a session of its own: a sqlite connection belongs to the thread that opened
it, so the worker opens one with ``AppState.open_worker_session()`` and closes
it when done. Progress reaches the GUI thread through queued signals; the
result or the error is handed to the callbacks on the GUI thread once the
thread has finished. The window keeps repainting meanwhile.

Errors: a ``StorageError`` (file locked, disk full …), an ``ImportRefused``, a
``SetupError`` or an ``ExportError`` (the file cannot be written) carries a Chinese message meant for the clerk and is shown as
it is; anything else is a bug, shown as “程序内部错误” with the traceback under
“详细信息”. Message boxes are opened with ``open()`` (window-modal, not
blocking), so nothing here runs a nested event loop.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from jiuye_desktop.exports.atomic import ExportError
from jiuye_desktop.importer import ImportRefused
from jiuye_desktop.service import Session, SetupError
from jiuye_desktop.storage.db import StorageError
from ui.state import AppState

T = TypeVar("T")

#: ``progress(done, total)``; ``total == 0`` means "busy, no measure".
Progress = Callable[[int, int], None]
#: ``cancelled()`` is True once the clerk pressed 取消.
Cancelled = Callable[[], bool]
Work = Callable[[Session, Progress, Cancelled], T]
#: Where the worker gets its own session: the AppState (``open_worker_session``)
#: or any zero-argument callable returning a new ``Session``.
SessionSource = AppState | Callable[[], Session]

#: Errors whose message is written for the clerk (an export that cannot write its file
#: included: the clerk chooses another folder or closes the file in Excel).
KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    StorageError,
    ImportRefused,
    SetupError,
    ExportError,
)

#: The dialog appears only for work that lasts longer than this (no flicker).
SHOW_AFTER_MS = 400
#: At most one progress signal per this many seconds (plus the last one).
PROGRESS_INTERVAL_S = 0.05

log = logging.getLogger(__name__)

_running: set[_Op] = set()


def run_op(
    parent: QWidget | None,
    title: str,
    fn: Work[T],
    *,
    state: SessionSource,
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None] | None = None,
    cancellable: bool = False,
) -> None:
    """Run ``fn(session, progress, cancelled)`` in a worker thread behind a modal progress dialog.

    Args:
        parent: the widget the progress dialog and any error message belong to.
        title: what is happening, in Chinese (e.g. ``"正在导入台账…"``).
        fn: the work; it gets a session opened in the worker thread (closed
            afterwards), a ``progress(done, total)`` callback and a
            ``cancelled()`` predicate. It must not touch widgets.
        state: the ``AppState`` (its ``open_worker_session()`` is used) or a
            zero-argument callable that opens a new ``Session``.
        on_done: called on the GUI thread with ``fn``'s return value.
        on_error: called on the GUI thread with the exception instead of the
            default message box (see ``show_error``, which it may call itself).
        cancellable: show a 取消 button; ``cancelled()`` then turns True when
            it is pressed (the work decides how to stop, e.g. ``ImportRefused``).

    ``on_done``/``on_error`` are skipped when ``parent`` was destroyed meanwhile.
    """
    opener = state.open_worker_session if isinstance(state, AppState) else state
    op = _Op(parent, title, _Worker(opener, fn), on_done, on_error, cancellable)
    _running.add(op)
    op.start()


def active_count() -> int:
    """How many operations are still running (for tests and for closing the window)."""
    return len(_running)


def wait_all(timeout_ms: int = 30_000) -> bool:
    """Block until every worker thread has stopped (closing the window); True if all did.

    Their callbacks are not delivered: call this when the window goes away.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    for op in list(_running):
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if not op.worker.wait(left):
            return False
    return True


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """The default report of a failed operation: a non-blocking Chinese message box."""
    if isinstance(exc, KNOWN_ERRORS):
        box = QMessageBox(
            QMessageBox.Icon.Warning, "无法完成", str(exc), QMessageBox.StandardButton.Ok, parent
        )
    else:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "程序内部错误",
            "程序内部错误，本次操作没有完成。\n请把“详细信息”中的内容发给技术支持人员。",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setInformativeText(f"{type(exc).__name__}: {exc}")
        box.setDetailedText("".join(traceback.format_exception(exc)))
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# --- The worker thread ------------------------------------------------------------------------


class _Worker(QThread):
    """Opens its own session, runs the work, reports through signals (queued to the GUI)."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, open_session: Callable[[], Session], fn: Work[Any]) -> None:
        super().__init__()
        self._open_session = open_session
        self._fn = fn
        self._cancel = threading.Event()
        self._last_progress = 0.0

    def request_cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:  # the worker thread
        try:
            session = self._open_session()
            try:
                result = self._fn(session, self._progress, self._cancel.is_set)
            finally:
                session.close()
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the GUI
            self.failed.emit(exc)
            return
        self.succeeded.emit(result)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self.progressed.emit(int(done), int(total))


# --- The operation on the GUI thread ----------------------------------------------------------


class _ProgressDialog(QProgressDialog):
    """Stays open until the work has stopped: 取消/Esc/close only ask the work to stop."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, title: str, cancellable: bool) -> None:
        super().__init__(parent)
        self._cancellable = cancellable
        self._finished = False
        self.setWindowTitle("请稍候")
        self.setLabelText(title)
        self.setWindowModality(
            Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal
        )
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(360)
        self.setRange(0, 0)
        if cancellable:
            self.setCancelButton(QPushButton("取消"))
        else:
            self.setCancelButton(None)
        # By default 取消 hides the dialog at once; we keep it until the work stops.
        self.canceled.disconnect(self.cancel)
        self.canceled.connect(self._on_self_canceled)
        self.setMinimumDuration(SHOW_AFTER_MS)

    def finish(self) -> None:
        self._finished = True
        self.close()
        self.deleteLater()

    def reject(self) -> None:  # Esc
        self._on_self_canceled()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            event.accept()
            return
        event.ignore()
        self._on_self_canceled()

    def _on_self_canceled(self) -> None:
        if not self._cancellable or self._finished:
            return
        self.setLabelText("正在取消，请稍候…")
        button = self.findChild(QPushButton)
        if button is not None:
            button.setEnabled(False)
        self.cancel_requested.emit()


class _Op(QObject):
    """One running operation: the worker, its dialog, and the callbacks."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        worker: _Worker,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        cancellable: bool,
    ) -> None:
        super().__init__()
        self.worker = worker
        self._parent = parent
        self._title = title
        self._on_done = on_done
        self._on_error = on_error
        self._outcome: tuple[bool, Any] | None = None
        self._updating = False
        self._dialog = _ProgressDialog(parent, title, cancellable)
        self._dialog.cancel_requested.connect(self._on_dialog_cancel_requested)
        worker.progressed.connect(self._on_worker_progressed)
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.finished.connect(self._on_worker_finished)

    def start(self) -> None:
        self.worker.start()

    @Slot()
    def _on_dialog_cancel_requested(self) -> None:
        self.worker.request_cancel()

    @Slot(int, int)
    def _on_worker_progressed(self, done: int, total: int) -> None:
        if self._outcome is not None or not shiboken6.isValid(self._dialog):
            return
        # A modal QProgressDialog.setValue() processes events: guard re-entry.
        self._updating = True
        try:
            if self._dialog.maximum() != total:
                self._dialog.setRange(0, max(total, 0))
            self._dialog.setValue(min(done, total) if total > 0 else 0)
        finally:
            self._updating = False

    @Slot(object)
    def _on_worker_succeeded(self, result: object) -> None:
        self._outcome = (True, result)

    @Slot(object)
    def _on_worker_failed(self, exc: object) -> None:
        self._outcome = (False, exc)

    @Slot()
    def _on_worker_finished(self) -> None:
        if self._updating:
            QTimer.singleShot(0, self._on_worker_finished)
            return
        if shiboken6.isValid(self._dialog):
            self._dialog.finish()
        self.worker.deleteLater()
        _running.discard(self)
        ok, value = self._outcome or (False, RuntimeError("工作线程没有返回结果"))
        if self._parent is not None and not shiboken6.isValid(self._parent):
            return  # the screen that asked is gone
        if ok:
            self._on_done(value)
            return
        if not isinstance(value, KNOWN_ERRORS):
            log.error("%s failed:\n%s", self._title, "".join(traceback.format_exception(value)))
        if self._on_error is not None:
            self._on_error(value)
        else:
            show_error(self._parent, value)

"""Small helpers for the window tests: valid IDs and USCCs, typing at the focused widget."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from jiuye_desktop.validation import USCC_ALPHABET, id_check_digit, uscc_check_char


def make_id(prefix: str = "411002", birth: str = "19850312", seq: str = "123") -> str:
    body = prefix + birth + seq
    return body + id_check_digit(body)


def make_uscc(body17: str = "91411002MA44BC1D7") -> str:
    assert all(c in USCC_ALPHABET for c in body17)
    return body17 + uscc_check_char(body17)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_text(qtbot, text: str) -> None:
    """Type at whatever has the focus, as a clerk does.

    ASCII goes key by key. Chinese arrives the way an input method delivers it
    on the clerk's PC: a ``QInputMethodEvent`` committing the chosen characters
    (QTest cannot press keys for characters outside ASCII).
    """
    run = ""
    for ch in text + "\0":
        if ch != "\0" and (ord(ch) > 127) == (bool(run) and ord(run[0]) > 127):
            run += ch
            continue
        if run:
            if ord(run[0]) > 127:
                event = QInputMethodEvent("", [])
                event.setCommitString(run)
                QApplication.sendEvent(focused(), event)
            else:
                qtbot.keyClicks(focused(), run)
        run = ch if ch != "\0" else ""


def type_and_enter(qtbot, text: str) -> None:
    """Type at whatever has the focus, then press Enter: keyboard only."""
    type_text(qtbot, text)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

"""Ctrl+C on any grid: the selected range as tab-separated text with its headers.

One event filter on the application serves every table of every screen
(``install``): when a table view has the focus and Ctrl+C is pressed, the
bounding range of its selection is put on the clipboard twice, as plain
tab-separated text and as an HTML table whose cells are marked as text, so
that Excel and WPS keep an 18-digit ID number as written instead of turning
it into 4.11002E+17.

The header line is the view's column headers; a grid that keeps its header
in the model (the weekly table, ``HEADER_ROWS_PROPERTY``) gets those rows
first instead when they are not part of the selection.
"""

from __future__ import annotations

import atexit
import html

import shiboken6
from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

#: Dynamic property of a view whose first N model rows are its header (int).
HEADER_ROWS_PROPERTY = "copy_header_rows"
#: Above this many rows a copy is refused (the ledger export is the tool for that).
MAX_ROWS = 100_000

#: The data this process last put on the clipboard (see ``_hand_over_clipboard``).
_last_copy: QMimeData | None = None


def _clean(value: object) -> str:
    """A cell as one line of text (tabs and line breaks would break the columns)."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\t", " ").split())


def selection_block(view: QTableView) -> list[list[str]] | None:
    """The headers and the selected range (bounding rows × columns) as rows of text.

    Hidden columns are left out; None when nothing is selected.
    """
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return None
    indexes = selection.selectedIndexes()
    if not indexes:
        current = view.currentIndex()
        if not current.isValid():
            return None
        indexes = [current]
    rows = sorted({i.row() for i in indexes})
    cols = sorted({i.column() for i in indexes if not view.isColumnHidden(i.column())})
    if not cols:
        return None
    if len(rows) > MAX_ROWS:
        raise ValueError(f"选中了 {len(rows):,} 行，超过一次复制的上限 {MAX_ROWS:,} 行")
    header_rows = int(view.property(HEADER_ROWS_PROPERTY) or 0)
    out: list[list[str]] = []
    if header_rows:
        for r in range(header_rows):
            if r not in rows:
                out.append([_cell(model.index(r, c)) for c in cols])
    else:
        out.append([_clean(model.headerData(c, Qt.Orientation.Horizontal)) for c in cols])
    # Rows in between selected ones are copied as well: the range, as Excel copies it.
    for r in range(rows[0], rows[-1] + 1):
        out.append([_cell(model.index(r, c)) for c in cols])
    return out


def _cell(index: QModelIndex) -> str:
    return _clean(index.data(Qt.ItemDataRole.DisplayRole))


def to_tsv(block: list[list[str]]) -> str:
    return "".join("\t".join(row) + "\r\n" for row in block)


def to_html(block: list[list[str]]) -> str:
    """An HTML table with every cell as text (``mso-number-format:\\@``, read by Excel and WPS)."""
    cell = "<td style=\"mso-number-format:'\\@'\">{}</td>"
    body = "".join(
        "<tr>" + "".join(cell.format(html.escape(v)) for v in row) + "</tr>" for row in block
    )
    return f'<html><head><meta charset="utf-8"></head><body><table>{body}</table></body></html>'


def copy_selection(view: QTableView) -> int:
    """Put the view's selection on the clipboard; the number of data rows copied.

    Raises:
        ValueError: too many rows selected (Chinese message).
    """
    block = selection_block(view)
    if block is None:
        return 0
    global _last_copy
    mime = QMimeData()
    mime.setText(to_tsv(block))
    mime.setHtml(to_html(block))
    QGuiApplication.clipboard().setMimeData(mime)
    if _last_copy is None:
        atexit.register(_hand_over_clipboard)
    _last_copy = mime
    header_rows = int(view.property(HEADER_ROWS_PROPERTY) or 0)
    return len(block) - (header_rows if header_rows else 1)


def _hand_over_clipboard() -> None:
    """Before Python ends, the clipboard's data made here is replaced by a copy Qt owns.

    A QMimeData made in Python is deleted by Qt's clipboard only when the
    process exits, after Python is gone, and its wrapper's destructor then
    crashes the process (a segmentation fault after the window has closed).
    Qt's own ``setText`` makes the replacement in C++, so the copied range
    stays on the clipboard as tab-separated text.
    """
    global _last_copy
    mime, _last_copy = _last_copy, None
    if mime is None or QGuiApplication.instance() is None or not shiboken6.isValid(mime):
        return  # nothing of ours left: another copy replaced it and Qt deleted it
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(mime.text())


def _table_of(obj: QObject) -> QTableView | None:
    if isinstance(obj, QTableView):
        return obj
    parent = obj.parent() if isinstance(obj, QWidget) else None
    if isinstance(parent, QTableView) and obj is parent.viewport():
        return parent
    return None


class _CopyFilter(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.ShortcutOverride and event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(event, QKeyEvent) or not event.matches(QKeySequence.StandardKey.Copy):
            return False
        view = _table_of(watched)
        if view is None or view.state() == QAbstractItemView.State.EditingState:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a window shortcut's
            return True
        try:
            n = copy_selection(view)
        except ValueError as exc:
            _status(view, str(exc))
            return True
        if n:
            _status(view, f"已复制 {n} 行（含表头），可直接粘贴到 Excel 或 WPS")
        return True


def _status(view: QWidget, text: str) -> None:
    window = view.window()
    bar = getattr(window, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 5000)


_installed: list[_CopyFilter] = []


def install(app: QApplication) -> None:
    """Ctrl+C copies the selection of whichever table view has the focus (once per app)."""
    if _installed:
        return
    flt = _CopyFilter(app)
    app.installEventFilter(flt)
    _installed.append(flt)

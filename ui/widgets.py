"""Small widgets and looks shared by the screens: the type-ahead choice box, colours, settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from jiuye_desktop.domain import FindingKind
from jiuye_desktop.storage.db import StorageError

ORGANIZATION = "jiuye-desktop"
APPLICATION = "jiuye-desktop"

#: The one colour of each finding kind, wherever the window shows one (the kinds, their
#: order and their words are the core's: ``domain.FindingKind``, ``domain.kind_name``).
KIND_COLORS: dict[str, QColor] = {
    FindingKind.DUPLICATE.value: QColor("#b35900"),
    FindingKind.INVALID.value: QColor("#b3261e"),
    FindingKind.INCOMPLETE.value: QColor("#1f5fa8"),
    FindingKind.WARNING.value: QColor("#6b5d00"),
}
REMOVED_COLOR = QColor("#9aa0a6")
MUTED_COLOR = QColor("#5f6368")


def app_settings() -> QSettings:
    """Window state (geometry, column widths, last page): per user, never in the database."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def show_storage_error(
    parent: QWidget | None, exc: StorageError, title: str = "数据库错误"
) -> None:
    """A file problem the clerk can act on, in Chinese, with nothing else."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, str(exc), QMessageBox.StandardButton.Ok, parent
    )
    box.exec()


class NumberedDelegate(QStyledItemDelegate):
    """Shows each item of a list with the number that picks it: ``1 单位就业``."""

    def initStyleOption(  # noqa: N802 - Qt override
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = f"{index.row() + 1}  {option.text}"  # type: ignore[attr-defined]


class ChoiceBox(QComboBox):
    """An editable combo box for keyboard entry.

    Typing completes inline from the items (``新`` → ``新就业``); a digit
    1–9 typed alone picks that item; text outside the items is kept when
    ``free_text`` (else it stays as typed and the core's check names it).
    ``normalize`` maps what was typed (e.g. ``y`` → ``是``) before matching.
    ``value_changed`` is emitted whenever the text changes.
    """

    value_changed = Signal(str)

    def __init__(
        self,
        items: Sequence[str] = (),
        *,
        free_text: bool = False,
        normalize: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.free_text = free_text
        self._normalize = normalize
        self.set_items(items)
        completer = QCompleter(self.model(), self)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.view().setItemDelegate(NumberedDelegate(self.view()))
        self.setCurrentIndex(-1)
        self.lineEdit().setPlaceholderText("输入文字或序号")
        self.currentTextChanged.connect(self.value_changed)

    def set_items(self, items: Sequence[str]) -> None:
        text = self.currentText()
        self.blockSignals(True)
        self.clear()
        self.addItems(list(items))
        self.setCurrentIndex(-1)
        self.setEditText(text)
        self.blockSignals(False)
        self.setToolTip("；".join(f"{i + 1} {t}" for i, t in enumerate(items)))

    def items(self) -> list[str]:
        return [self.itemText(i) for i in range(self.count())]

    def value(self) -> str:
        return self.currentText().strip()

    def set_value(self, text: str) -> None:
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setCurrentIndex(-1)
            self.setEditText(text)

    def commit(self) -> None:
        """Settle what was typed: an item, a numbered item, or the text as written."""
        text = self.currentText().strip()
        if not text:
            return
        items = self.items()
        if self._normalize is not None:
            text = self._normalize(text)
        if text in items:
            self.set_value(text)
            return
        if text.isdigit() and 1 <= int(text) <= len(items):
            self.set_value(items[int(text) - 1])
            return
        starts = [i for i in items if i.startswith(text)]
        if len(starts) == 1:
            self.set_value(starts[0])
            return
        self.set_value(text)

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        self.commit()
        super().focusOutEvent(event)  # type: ignore[arg-type]


class EnterMovesOn(QObject):
    """Event filter: Enter/Return settles the field and moves to the next one, like Tab."""

    def __init__(self, owner: QWidget, on_enter: Callable[[QWidget], bool]) -> None:
        super().__init__(owner)
        self._on_enter = on_enter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        is_enter = (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        )
        if is_enter and isinstance(watched, QWidget):
            return self._on_enter(watched)
        return False

"""The entry form's fields: two columns (人员信息, 登记信息) of labelled inputs with their messages.

    grid = FieldGrid()
    grid.inputs / labels / messages        # per template header (browse.FORM_FIELDS)
    grid.raw(header)                       # the value as typed or chosen, stripped
    grid.set_values(values); grid.clear_values()
    grid.tidy(header)                      # a field left: a choice taken, a date as ISO
    grid.show_fields(shown, required)      # hide what does not apply, star what is required
    grid.focus_first(headers)              # the cursor to the first of them shown
    grid.set_message(header, [(kind, message)])
    grid.show_id_info(text); grid.show_person(html)   # under the ID: 性别/出生, the person found
    grid.offer_employers(names, typed)     # the popup of known employers under 就业单位名称

It lays the fields out and shows what it is told; ``ui.entry_form`` decides
(it asks the core which fields apply and what it thinks of the values).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from jiuye_desktop.browse import (
    DATE_FIELDS,
    FORM_CHOICES,
    FORM_FIELDS,
    FREE_TEXT_FIELDS,
    FormId,
    PersonRecord,
)
from jiuye_desktop.domain import kind_rank
from jiuye_desktop.validation import normalize_yes_no, parse_date
from ui.entry_messages import color_html
from ui.widgets import MUTED_COLOR, ChoiceBox

#: The first field of the second column: the registration and what its type asks for.
SECOND_COLUMN_FROM = "登记类型"
PLACEHOLDERS = {
    "公民身份号码": "18位，15位旧号码自动升级",
    "就业（减员）日期": "如 2017-11-03",
    "登记日期": "默认今天",
    "联系电话": "手机或固定电话",
    "统一社会信用代码": "18位，可不填",
    "就业单位名称": "输入开头几个字可选已有单位",
}


def make_input(header: str) -> QLineEdit | ChoiceBox:
    """A choice box for a field with choices (and 所属地区), a line edit otherwise."""
    if header in FORM_CHOICES or header == "所属地区":
        normalize: Callable[[str], str] | None = (
            normalize_yes_no if FORM_CHOICES.get(header) == ("是", "否") else None
        )
        box = ChoiceBox(
            FORM_CHOICES.get(header, ()),
            free_text=header in FREE_TEXT_FIELDS,
            normalize=normalize,
        )
        box.setMinimumContentsLength(12)
        return box
    edit = QLineEdit()
    edit.setPlaceholderText(PLACEHOLDERS.get(header, ""))
    return edit


class FieldGrid(QWidget):
    """Every field of the form, in the form's order, with its label and message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inputs: dict[str, QLineEdit | ChoiceBox] = {}
        self.labels: dict[str, QLabel] = {}
        self.messages: dict[str, QLabel] = {}
        self._shown: set[str] = set()
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(12)
        groups = (QGroupBox("人员信息"), QGroupBox("登记信息"))
        grids = []
        for group in groups:
            grid = QGridLayout(group)
            grid.setHorizontalSpacing(8)
            grid.setVerticalSpacing(5)
            grid.setColumnStretch(2, 1)
            grid.setColumnMinimumWidth(1, 230)
            grids.append(grid)
            columns.addWidget(group, 1, Qt.AlignmentFlag.AlignTop)
        second = FORM_FIELDS.index(SECOND_COLUMN_FROM)
        rows = [0, 0]
        for i, header in enumerate(FORM_FIELDS):
            col = 0 if i < second else 1
            grid = grids[col]
            label = QLabel(header)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget = make_input(header)
            widget.setMinimumWidth(230)
            label.setBuddy(widget)
            message = QLabel()
            message.setWordWrap(True)
            message.setMinimumWidth(170)
            message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            grid.addWidget(label, rows[col], 0)
            grid.addWidget(widget, rows[col], 1)
            grid.addWidget(message, rows[col], 2)
            rows[col] += 1
            self.inputs[header], self.labels[header], self.messages[header] = widget, label, message
            if header == "公民身份号码":
                self.id_info = QLabel()
                self.id_info.setStyleSheet(f"color: {MUTED_COLOR.name()};")
                grid.addWidget(self.id_info, rows[col], 1, 1, 2)
                rows[col] += 1
                self.person_label = QLabel()
                self.person_label.setWordWrap(True)
                self.person_label.setTextFormat(Qt.TextFormat.RichText)
                self.person_label.setTextInteractionFlags(
                    Qt.TextInteractionFlag.LinksAccessibleByMouse
                )
                self.person_label.setFrameShape(QFrame.Shape.StyledPanel)
                self.person_label.setStyleSheet(
                    "QLabel { background: #fff4e5; border: 1px solid #f0c27a; padding: 4px; }"
                )
                grid.addWidget(self.person_label, rows[col], 0, 1, 3)
                rows[col] += 1
        for grid, row in zip(grids, rows, strict=True):
            grid.setRowStretch(row, 1)
        self.inputs["性别"].setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.inputs["性别"].setToolTip("由身份证号自动填写")
        self.employer_model = QStringListModel(self)
        self.employer_completer = QCompleter(self.employer_model, self)
        self.employer_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.employer_completer.setMaxVisibleItems(12)
        self.line("就业单位名称").setCompleter(self.employer_completer)

    def line(self, header: str) -> QLineEdit:
        widget = self.inputs[header]
        assert isinstance(widget, QLineEdit)
        return widget

    def choice(self, header: str) -> ChoiceBox:
        widget = self.inputs[header]
        assert isinstance(widget, ChoiceBox)
        return widget

    def raw(self, header: str) -> str:
        widget = self.inputs[header]
        return widget.value() if isinstance(widget, ChoiceBox) else widget.text().strip()

    def all_raw(self) -> dict[str, str]:
        return {h: self.raw(h) for h in FORM_FIELDS}

    def clear_values(self) -> None:
        """Every field empty, nothing said under the ID."""
        for widget in self.inputs.values():
            if isinstance(widget, ChoiceBox):
                widget.set_value("")
            else:
                widget.clear()
        self.show_id_info("")
        self.show_person("")

    def set_values(self, values: Mapping[str, str]) -> None:
        """Every field from ``values`` (a field not in it is emptied)."""
        for header, widget in self.inputs.items():
            text = values.get(header, "")
            if isinstance(widget, ChoiceBox):
                widget.set_value(text)
            else:
                widget.setText(text)

    def tidy(self, header: str) -> None:
        """A field left: a choice box takes what was typed, a date reads as 2017-11-03."""
        widget = self.inputs[header]
        if isinstance(widget, ChoiceBox):
            widget.commit()
        elif header in DATE_FIELDS:
            day = parse_date(widget.text())
            if day is not None and widget.text() != day.isoformat():
                widget.setText(day.isoformat())

    def show_fields(self, shown: Collection[str], required: Collection[str]) -> None:
        """Only the fields that apply are visible; a required one has a red star."""
        self._shown = set(shown)
        for header in FORM_FIELDS:
            for widget in (self.labels[header], self.inputs[header], self.messages[header]):
                widget.setVisible(header in self._shown)
            mark = "<span style='color:#b3261e'>*</span>" if header in required else ""
            self.labels[header].setText(f"{mark}{header}")

    def focus_first(self, headers: Iterable[str]) -> None:
        """Put the cursor in the first of these fields that is shown."""
        for header in headers:
            if header in self._shown:
                self.inputs[header].setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def set_message(self, header: str, items: list[tuple[str, str]]) -> None:
        """The findings of a field beside it, the most serious first, in their colours."""
        label = self.messages[header]
        if not items:
            label.clear()
            label.setToolTip("")
            return
        items = sorted(items, key=lambda item: kind_rank(item[0]))
        label.setText(
            "<br>".join(f"<span style='color:{color_html(k)}'>{m}</span>" for k, m in items)
        )
        label.setToolTip("\n".join(m for _, m in items))

    def offer_employers(self, names: list[str], typed: str) -> None:
        """The employers that start like ``typed``, as a popup under 就业单位名称."""
        self.employer_model.setStringList(names)
        if names and typed.strip():
            self.employer_completer.setCompletionPrefix(typed)
            self.employer_completer.complete()

    def show_id_info(self, text: str) -> None:
        self.id_info.setText(text)
        self.id_info.setVisible(bool(text))

    def show_person(self, html: str) -> None:
        self.person_label.setText(html)
        self.person_label.setVisible(bool(html))


def id_info_text(form_id: FormId, note: str) -> str:
    """What the ID says, under it: ``男，1985年3月12日出生`` (and the 15-digit upgrade's note)."""
    info = []
    if form_id.sex:
        info.append(form_id.sex)
    if form_id.birth:
        info.append(f"{form_id.birth.year}年{form_id.birth.month}月{form_id.birth.day}日出生")
    if note:
        info.append(note)
    return "，".join(info)


def person_html(text: str, others: Sequence[PersonRecord], editing: int | None) -> str:
    """The notice of the person's other records this year, each a link ``record:<id>``."""
    links = "；".join(
        f"<a href='record:{o.id}'>#{o.id} {o.name} {o.record_type} {o.event_date} {o.area}"
        f"{'（已剔除）' if o.removed else ''}</a>"
        for o in others
        if o.id != editing
    )
    return f"<b>{text}</b>：{links}"

"""The keyboard-first record form: Enter or Tab moves on, Ctrl+S saves, Esc cancels.

The ID comes first: it is normalised (a 15-digit ID upgraded), 性别 is filled
from it, and if the person already has a record this year the form says so at
once with a link to it. The fields shown follow 登记类型 and the flags
(``browse.form_fields``); the core's findings (``Session.judge``) appear
beside the fields as the clerk types. Saving is refused with an unreadable
ID; a record the self-check will flag is saved after one confirmation that
lists the findings (Enter goes back, Ctrl+S saves anyway); a record in a
submitted week needs a reason (domain.md §9).

Its parts: ``entry_fields`` (the fields' look), ``entry_id`` (the ID as typed),
``entry_messages`` (what the form says and asks).
"""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import browse
from jiuye_desktop.adjustments import ReasonRequired
from jiuye_desktop.browse import FORM_FIELDS
from jiuye_desktop.domain import Finding
from jiuye_desktop.form_check import form_findings
from jiuye_desktop.storage.db import StorageError
from jiuye_desktop.submitted import in_submitted_week
from jiuye_desktop.validation import parse_date
from ui.entry_fields import FieldGrid, person_html
from ui.entry_id import TypedId
from ui.entry_messages import (
    ask_discard,
    ask_open,
    findings_box,
    kind_counts,
    place_findings,
    summary_html,
)
from ui.reason_dialog import ask_reason
from ui.state import AppState
from ui.widgets import KIND_COLORS, MUTED_COLOR, ChoiceBox, EnterMovesOn, show_storage_error

#: Choices that stay selected after saving a new record (the clerk types a batch).
STICKY_FIELDS = ("所属地区", "登记类型")


class EntryForm(QWidget):
    """Type a new record or edit one; ``record_saved(id)`` after each save."""

    record_saved = Signal(int)
    record_opened = Signal(int)
    cancelled = Signal()
    status_message = Signal(str)

    JUDGE_DELAY_MS = 150

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._editing: int | None = None
        self.confirm_box: QMessageBox | None = None  # the last 保存前确认 asked
        self._touched: set[str] = set()
        self._save_tried = False
        self._loading = False
        self._dirty = False
        self._shown: tuple[str, ...] = ()
        self._employer_uscc: dict[str, str] = {}
        self._judge_timer = QTimer(self)
        self._judge_timer.setSingleShot(True)
        self._judge_timer.setInterval(self.JUDGE_DELAY_MS)
        self._build()
        self._connect_signals()
        self.reload_choices()
        self.clear()

    # --- Building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.removed_label = QLabel()
        self.removed_label.setStyleSheet(f"color: {KIND_COLORS['invalid'].name()};")

        self.fields = FieldGrid()
        # The parts of the fields, as the window and the tests reach them.
        self.inputs, self.labels = self.fields.inputs, self.fields.labels
        self.messages = self.fields.messages
        self.id_info, self.person_label = self.fields.id_info, self.fields.person_label
        self.typed_id = TypedId(self.fields)

        self.employer_completer = self.fields.employer_completer

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("取消 (Esc)")
        self.history_button = QPushButton("修改历史…")
        hint = QLabel(
            "回车或 Tab 到下一项 · 选择项可输入文字或序号（是/否可输 1/0）· Ctrl+S 保存 · Esc 取消"
        )
        hint.setStyleSheet(f"color: {MUTED_COLOR.name()};")
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.fields)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.last_saved = QLabel()
        self.last_saved.setStyleSheet("color: #1e6b32;")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.removed_label)
        head.addStretch(1)
        head.addWidget(self.last_saved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

        chain: list[QWidget] = [self.inputs[h] for h in FORM_FIELDS if h != "性别"]
        chain += [self.save_button, self.cancel_button]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._enter_filter = EnterMovesOn(self, self._on_enter)
        for widget in chain + [self.inputs["性别"]]:
            widget.installEventFilter(self._enter_filter)
        self._save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        self._save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._cancel_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._cancel_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _connect_signals(self) -> None:
        for header, widget in self.inputs.items():
            if isinstance(widget, ChoiceBox):
                widget.value_changed.connect(lambda _t, h=header: self._on_field_changed(h))
            else:
                widget.textEdited.connect(lambda _t, h=header: self._on_field_changed(h))
                widget.editingFinished.connect(lambda h=header: self._on_field_finished(h))
        id_edit = self.fields.line("公民身份号码")
        id_edit.textEdited.connect(self._on_id_edited)
        self.fields.line("就业单位名称").textEdited.connect(self._on_employer_edited)
        self.employer_completer.activated[str].connect(self._on_employer_chosen)
        self.person_label.linkActivated.connect(self._on_person_link)
        self._judge_timer.timeout.connect(self._judge_now)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        self.history_button.clicked.connect(self._on_history_clicked)
        self._save_shortcut.activated.connect(self.save)
        self._cancel_shortcut.activated.connect(self.cancel)

    # --- What the window calls -------------------------------------------------------------

    @property
    def editing(self) -> int | None:
        """The id of the record being edited, or None for a new record."""
        return self._editing

    @property
    def dirty(self) -> bool:
        return self._dirty

    def reload_choices(self) -> None:
        """Refill the area list (the unit's areas may have changed)."""
        self.fields.choice("所属地区").set_items(
            [name for _, name in browse.area_choices(self.state.session)]
        )

    def clear(self, keep: dict[str, str] | None = None) -> None:
        """An empty form for a new record, focused on the ID; ``keep`` values stay filled."""
        self._loading = True
        try:
            self.fields.clear_values()
            self.fields.line("登记日期").setText(dt.date.today().isoformat())
            areas = self.fields.choice("所属地区")
            if areas.count() == 1:  # a county with no subordinate areas: always 本级
                areas.set_value(areas.itemText(0))
            for header, text in (keep or {}).items():
                widget = self.inputs[header]
                if isinstance(widget, ChoiceBox) and text:
                    widget.set_value(text)
        finally:
            self._loading = False
        self._editing = None
        self._touched.clear()
        self._save_tried = False
        self._dirty = False
        self.typed_id.reset()
        self.title.setText("新增记录")
        self.removed_label.clear()
        self.history_button.setVisible(False)
        self._update_fields()
        self._judge_now()
        self.focus_id()

    def focus_id(self) -> None:
        id_edit = self.fields.line("公民身份号码")
        id_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        id_edit.selectAll()

    def load_record(self, record_id: int) -> bool:
        """Open a stored record for editing; False when it does not exist."""
        session = self.state.session
        values = browse.record_form_values(session, record_id)
        if values is None:
            return False
        self._loading = True
        try:
            self.fields.set_values(values)
        finally:
            self._loading = False
        self._editing = record_id
        self._touched = set(FORM_FIELDS)
        self._save_tried = False
        self._dirty = False
        self.typed_id.reset()
        self.title.setText(f"修改记录 #{record_id}（{values.get('姓名', '')}）")
        row = browse.fetch_rows(session, [record_id]).get(record_id)
        self.removed_label.setText(row.removal if row and row.removed else "")
        self.history_button.setVisible(True)
        self.last_saved.clear()
        self._update_fields()
        self._check_id(commit=False)
        self._judge_now()
        self.fields.line("姓名").setFocus(Qt.FocusReason.OtherFocusReason)
        self.record_opened.emit(record_id)
        return True

    def values(self) -> dict[str, str]:
        """The values of the fields shown, keyed by template header (empty ones left out)."""
        out = {}
        for header in self._shown:
            text = self.fields.raw(header)
            if text:
                out[header] = text
        return self.typed_id.as_typed(out)

    def save(self) -> int | None:
        """Save the record; None when it was not saved.

        An unreadable ID is refused. When the self-check will flag the record
        (its own findings, or a duplicate of a record in the ledger), one
        confirmation lists the findings: Enter goes back to fix them, Ctrl+S
        saves anyway. A record in a submitted week needs a reason (asked).
        """
        self._commit_all()
        values = self.values()
        form_id = browse.read_form_id(values.get("公民身份号码", ""))
        if not form_id.readable:
            self._save_tried = True
            self._judge_now()
            self.fields.set_message("公民身份号码", [("invalid", form_id.problem)])
            self.summary.setText(f"未保存：{form_id.problem}")
            self.focus_id()
            return None
        session = self.state.session
        flagged = form_findings(session, values, self._editing)
        if flagged and not self._confirm_findings(flagged):
            self._save_tried = True
            self._judge_now()
            self.summary.setText("未保存：请改正上面列出的问题，或再按 Ctrl+S 确认仍然保存。")
            self.fields.focus_first(f.field for f in flagged)
            return None
        reason: str | None = None
        while True:
            try:
                if self._editing is None:
                    record_id, findings = session.add_values(dict(values), reason)
                else:
                    record, _ = session.judge(dict(values))
                    findings = session.edit_record(self._editing, record, reason)
                    record_id = self._editing
                break
            except ReasonRequired as exc:
                reason = ask_reason(self, str(exc))
                if reason is None:
                    self.summary.setText("未保存：已上报周内的记录须填写调整原因。")
                    return None
            except StorageError as exc:
                show_storage_error(self, exc, "保存失败")
                return None
        message = f"已保存记录 #{record_id} {values.get('姓名', '')}"
        problems = kind_counts(findings)
        if problems:
            message += f"（{problems}，留待自查）"
        # Typing a batch: the next record is most likely of the same area and type.
        batch = self._editing is None
        self.clear({h: self.fields.raw(h) for h in STICKY_FIELDS} if batch else None)
        self.last_saved.setText(message)
        self.status_message.emit(message)
        self.record_saved.emit(record_id)
        return record_id

    def _confirm_findings(self, findings: list[Finding]) -> bool:
        """One question listing what the self-check will flag; True to save anyway."""
        box = findings_box(self, findings)
        self.confirm_box = box  # for tests and screenshots
        return box.exec() == QMessageBox.StandardButton.Save

    def cancel(self) -> None:
        """Esc: drop what was typed (asking first when something was) and start afresh."""
        if self._dirty and not ask_discard(self):
            return
        self.clear()
        self.cancelled.emit()

    # --- Field logic (asks the core) ---------------------------------------------------------

    def _update_fields(self) -> None:
        raw = self.fields.all_raw()
        self._shown = browse.form_fields(raw)
        self.fields.show_fields(self._shown, browse.form_required(raw))

    def _commit(self, header: str) -> None:
        if header == "公民身份号码":
            self._check_id(commit=True)
        elif header == "就业单位名称":
            self._fill_uscc(self.fields.raw(header))
        else:
            self.fields.tidy(header)

    def _commit_all(self) -> None:
        for header in self._shown:
            self._commit(header)

    def _check_id(self, *, commit: bool) -> None:
        """Read the ID (``TypedId``); once readable, look the person up."""
        number = self.typed_id.check(commit=commit)
        if number is None:
            self.fields.show_person("")
        else:
            self._look_up_person(number)

    def _registered_on(self) -> dt.date:
        return parse_date(self.fields.raw("登记日期")) or dt.date.today()

    def _look_up_person(self, number: str) -> None:
        registered = self._registered_on()
        others = browse.person_records(self.state.session, number, registered.year)
        text = browse.person_message(
            others, self.fields.raw("登记类型"), registered.isoformat(), self._editing
        )
        if not text:
            self.fields.show_person("")
            return
        self.fields.show_person(person_html(text, others, self._editing))

    def _fill_uscc(self, employer: str) -> None:
        uscc = self._employer_uscc.get(employer, "")
        if uscc and not self.fields.raw("统一社会信用代码"):
            self.fields.line("统一社会信用代码").setText(uscc)
            self._on_field_changed("统一社会信用代码")

    def _judge_now(self) -> None:
        """Ask the core what it thinks of the values so far and show it beside the fields."""
        self._judge_timer.stop()
        values = self.values()
        if not values:
            findings: list[Finding] = []
        else:
            _, findings = self.state.session.judge(dict(values))
        placed = place_findings(
            findings, FORM_FIELDS, set(self._shown), self._touched, self._save_tried
        )
        for header, items in placed.by_field.items():
            self.fields.set_message(header, items)
        form_id = browse.read_form_id(values.get("公民身份号码", ""))
        unreadable = form_id.problem if values and not form_id.readable else None
        in_submitted = False
        if values and self._editing is None:
            day = parse_date(values.get("登记日期", ""))
            in_submitted = day is not None and in_submitted_week(
                self.state.session, day.isoformat()
            )
        id_passed = self._save_tried or "公民身份号码" in self._touched
        self.summary.setText(summary_html(placed, unreadable, id_passed, in_submitted))

    # --- Slots ---------------------------------------------------------------------------

    def _schedule_judge(self) -> None:
        """Judge shortly after the typing stops; never for a hidden form (it judges on show)."""
        if self.isVisible():
            self._judge_timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._judge_now()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self._judge_timer.stop()
        super().hideEvent(event)

    def _tearing_down(self) -> bool:
        """True while Qt deletes the form's children (a focused field then emits signals).

        The judge timer is the form's first child, so it is deleted first.
        """
        return not shiboken6.isValid(self._judge_timer)

    def _on_field_changed(self, header: str) -> None:
        if self._loading or self._tearing_down():
            return
        self._dirty = True
        self.last_saved.clear()
        if header in ("登记类型", "就业困难人员", "去产能职工", "就业形式"):
            self._update_fields()
        if header in ("登记类型", "登记日期"):
            form_id = browse.read_form_id(self.fields.raw("公民身份号码"))
            if form_id.readable:
                self._look_up_person(form_id.number)
        self._schedule_judge()

    def _on_field_finished(self, header: str) -> None:
        if self._tearing_down():
            return
        self._touched.add(header)
        self._commit(header)
        self._schedule_judge()

    def _on_enter(self, widget: QWidget) -> bool:
        if widget is self.save_button:
            self.save()
            return True
        if widget is self.cancel_button:
            self.cancel()
            return True
        popup = self.employer_completer.popup()
        if popup is not None and popup.isVisible():
            return False
        for header, field in self.inputs.items():
            if field is widget:
                self._touched.add(header)
                self._commit(header)
                break
        self.focusNextChild()
        return True

    def _on_id_edited(self, _text: str) -> None:
        if not self._tearing_down():
            self._check_id(commit=False)

    def _on_employer_edited(self, text: str) -> None:
        if self._tearing_down():
            return
        suggestions = browse.employer_suggestions(self.state.session, text, 15)
        self._employer_uscc.update(suggestions)
        self.fields.offer_employers([name for name, _ in suggestions], text)

    def _on_employer_chosen(self, name: str) -> None:
        self._fill_uscc(name)

    def _on_person_link(self, link: str) -> None:
        record_id = int(link.partition(":")[2])
        filled = {h for h, v in self.fields.all_raw().items() if v} - {
            "公民身份号码",
            "性别",
            "登记日期",
        }
        if filled and self._dirty and not ask_open(self, record_id):
            return
        self.load_record(record_id)

    def _on_history_clicked(self) -> None:
        if self._editing is not None:
            from ui.history_dialog import HistoryDialog

            HistoryDialog(self.state, self._editing, self).exec()

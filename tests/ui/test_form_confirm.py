"""The form asks before saving a record the self-check will flag, and asks a reason for a
record in a submitted week (issue 12: items 3 and 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from jiuye_desktop.submitted import listed, submit
from jiuye_desktop.weeks import next_week, week_of
from tests import ledger_queries
from ui.entry_form import EntryForm
from ui.widgets import ChoiceBox

from .helpers import make_id

TODAY = dt.date.today()
EVENT = TODAY.replace(day=1) if TODAY.day > 1 else TODAY

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def form(qtbot, state):
    widget = EntryForm(state)
    qtbot.addWidget(widget)
    widget.resize(1240, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill(form: EntryForm, **values: str) -> None:
    """Put values in the fields (the type first: it decides which fields are shown)."""
    order = sorted(values, key=lambda h: h != "登记类型")
    for header in order:
        widget = form.inputs[header]
        if isinstance(widget, ChoiceBox):
            widget.set_value(values[header])
        else:
            assert isinstance(widget, QLineEdit)
            widget.setText(values[header])
            widget.textEdited.emit(values[header])


def sound(**kw: str) -> dict[str, str]:
    values = {
        "登记类型": "新就业",
        "公民身份号码": make_id(seq="551"),
        "姓名": "赵六",
        "所属地区": "魏都区",
        "就业（减员）日期": EVENT.isoformat(),
        "就业形式": "自主创业",
        "联系电话": "13912345678",
        "失业人员再就业": "否",
        "就业困难人员": "否",
        "去产能职工": "否",
    }
    values.update(kw)
    return values


def count(state) -> int:
    return ledger_queries.count_records(state.session.db.conn)["total"]


def test_a_sound_record_is_saved_without_a_question(form, state, dialogs):
    fill(form, **sound())
    assert form.save() is not None
    assert dialogs.shown == []


def test_wrong_check_digit_asks_first_and_enter_goes_back(qtbot, form, state, dialogs):
    wrong = make_id(seq="552")[:-1] + ("0" if make_id(seq="552")[-1] != "0" else "1")
    fill(form, **sound(公民身份号码=wrong))
    form._judge_now()
    assert "可以保存" not in form.summary.text() and "保存时会列出" in form.summary.text()
    before = count(state)
    dialogs.expect(QMessageBox.StandardButton.Cancel)
    assert form.save() is None  # the fake answers 返回修改 (Cancel), as Enter does
    assert count(state) == before
    (text,) = dialogs.shown
    assert "[无效] 公民身份号码" in text and "校验" in text
    assert "未保存" in form.summary.text()
    box = form.confirm_box
    assert box is not None
    # Enter is 返回修改, Ctrl+S is 仍然保存: pressed on the real dialog.
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    for key, modifier, button in (
        (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, QMessageBox.StandardButton.Cancel),
        (Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier, QMessageBox.StandardButton.Save),
    ):
        box.open()
        qtbot.waitExposed(box)
        box.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is box)
        qtbot.keyClick(box.focusWidget() or box, key, modifier)
        qtbot.waitUntil(lambda: not box.isVisible())
        assert box.clickedButton() is box.button(button)
    dialogs.expect(QMessageBox.StandardButton.Save)
    record_id = form.save()
    assert record_id is not None and count(state) == before + 1


def test_a_known_duplicate_is_listed(form, state, dialogs):
    person = make_id(seq="553")
    existing, _ = state.session.add_values(sound(公民身份号码=person, 姓名="钱七"))
    fill(form, **sound(公民身份号码=person, 姓名="钱七"))
    assert form.save() is None
    (text,) = dialogs.shown
    assert f"[重复] 公民身份号码：与记录 #{existing}" in text
    # Another type of record of the same person is no duplicate: saved without a question.
    form.clear()
    dialogs.shown.clear()
    fill(form, **sound(公民身份号码=person, 姓名="钱七", 登记类型="自然减员", 减员原因="退休"))
    assert form.save() is not None and dialogs.shown == []


def test_the_summary_never_says_it_can_be_saved_when_it_cannot(qtbot, form):
    fill(form, **sound(公民身份号码="4110021985"))
    form._touched.add("公民身份号码")
    form._judge_now()
    assert "可以保存" not in form.summary.text()
    assert "改正后才能保存" in form.summary.text()
    assert form.save() is None
    assert "可以保存" not in form.summary.text()


def test_a_record_in_a_submitted_week_asks_a_reason(form, state, monkeypatch, dialogs):
    session = state.session
    week = week_of(TODAY)
    kept, _ = session.add_values(sound(公民身份号码=make_id(seq="554")))
    submit(session, week)
    asked: list[str] = []
    answers = iter([None, "补录漏登"])

    def fake_ask(_parent: object, message: str) -> str | None:
        asked.append(message)
        return next(answers)

    monkeypatch.setattr("ui.entry_form.ask_reason", fake_ask)
    fill(form, **sound())
    form._judge_now()
    assert "保存时需填写调整原因" in form.summary.text()
    before = count(state)
    assert form.save() is None  # cancelled: nothing saved
    assert count(state) == before and "调整原因" in form.summary.text()
    new_id = form.save()
    assert new_id is not None and "已上报" in asked[0]
    # An edit of a counted field of a record in the submitted week asks too.
    monkeypatch.setattr("ui.entry_form.ask_reason", lambda _p, m: asked.append(m) or "核实更正")
    assert form.load_record(kept)
    fill(form, 失业人员再就业="是")
    assert form.save() == kept
    later = next_week(week) or week_of(dt.date(TODAY.year + 1, 1, 1))
    assert [(a.record, a.reason) for a in listed(session, later).items] == [
        (new_id, "补录漏登"),
        (kept, "核实更正"),
    ]

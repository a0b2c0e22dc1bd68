"""The entry form, driven by the keyboard as a clerk drives it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from jiuye_desktop.storage import ledger
from tests import ledger_queries
from ui.entry_form import EntryForm
from ui.widgets import ChoiceBox

from .helpers import focused, make_id, make_uscc, type_and_enter, type_text

TODAY = dt.date.today()
YEAR = TODAY.year
EVENT = dt.date(YEAR, 1, 2) if TODAY.month == 1 and TODAY.day < 3 else TODAY.replace(day=1)

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def form(qtbot, state):
    widget = EntryForm(state)
    qtbot.addWidget(widget)
    widget.resize(1240, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.isActiveWindow())
    return widget


def count(state) -> int:
    return ledger_queries.count_records(state.session.db.conn)["total"]


def assert_focus_on(form: EntryForm, header: str) -> None:
    widget = form.inputs[header]
    assert focused() is widget or focused() is getattr(widget, "lineEdit", lambda: None)(), (
        f"focus should be on {header}, is on {focused()!r}"
    )


def test_complete_new_record_typed_with_the_keyboard_only(qtbot, form, state):
    person = make_id(seq="351")  # 男 (odd 17th digit)
    uscc = make_uscc()
    assert_focus_on(form, "公民身份号码")
    steps = [
        ("公民身份号码", person.lower()),  # a lower-case x or not, it is normalised
        ("姓名", "张三丰"),
        ("所属地区", "魏都"),  # completes to 魏都区
        ("联系电话", "13912345678"),
        ("户籍性质", "城镇"),
        ("学历", "5"),  # the 5th choice: 本科
        ("登记类型", "新就业"),
        ("就业（减员）日期", EVENT.strftime("%Y%m%d")),  # read and rewritten as ISO
        ("就业形式", "单位就业"),
        ("就业单位名称", "许昌瑞贝卡发制品有限公司"),
        ("统一社会信用代码", uscc),
        ("签订劳动合同", "1"),
        ("缴纳社会保险", "y"),
        ("新就业产业", "第二产业"),
        ("失业人员再就业", "0"),
        ("就业困难人员", "是"),
        ("困难人员类别", "残疾人"),  # appears once 就业困难人员 is 是
        ("去产能职工", "否"),
        ("登记日期", ""),  # today by default
        ("备注", "窗口登记"),
    ]
    for header, text in steps:
        assert_focus_on(form, header)
        type_and_enter(qtbot, text)
    assert focused() is form.save_button
    with qtbot.waitSignal(form.record_saved, timeout=3000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    record_id = saved.args[0]
    rec = ledger.get_record(state.session.db.conn, record_id)
    assert rec is not None
    assert (rec.name, rec.id_number, rec.sex, rec.area_code) == ("张三丰", person, "男", "411002")
    assert rec.record_type == "新就业"
    assert rec.event_date == EVENT.isoformat()
    assert rec.registered_on == TODAY.isoformat()
    assert (rec.employment_form, rec.employer, rec.uscc) == (
        "单位就业",
        "许昌瑞贝卡发制品有限公司",
        uscc,
    )
    assert (rec.contract, rec.insurance, rec.reemployed, rec.hardship, rec.overcapacity) == (
        "是",
        "是",
        "否",
        "是",
        "否",
    )
    assert rec.hardship_category == "残疾人"
    assert (rec.hukou, rec.education, rec.industry) == ("城镇", "本科", "第二产业")
    assert (rec.phone, rec.remark) == ("13912345678", "窗口登记")
    assert rec.attrition_reason == "" and rec.former_enterprise == ""
    # Ready for the next person: empty but for the area and type of the batch, 登记日期 today,
    # the focus on the ID.
    assert all(
        (w.value() if isinstance(w, ChoiceBox) else w.text()) == ""
        for h, w in form.inputs.items()
        if h not in ("登记日期", "所属地区", "登记类型")
    )
    assert form.inputs["所属地区"].value() == "魏都区"  # type: ignore[union-attr]
    assert form.inputs["登记类型"].value() == "新就业"  # type: ignore[union-attr]
    assert not form.dirty
    assert form.inputs["登记日期"].text() == TODAY.isoformat()  # type: ignore[union-attr]
    assert_focus_on(form, "公民身份号码")
    assert "已保存记录" in form.last_saved.text()


def test_duplicate_warning_as_soon_as_the_id_is_typed(qtbot, form, state, dialogs):
    person = make_id(seq="777")
    existing, _ = state.session.add_values(
        {
            "姓名": "李娜",
            "公民身份号码": person,
            "所属地区": "建安区",
            "登记类型": "新就业",
            "就业（减员）日期": EVENT.isoformat(),
            "就业形式": "灵活就业",
            "联系电话": "13812345678",
        }
    )
    assert not form.person_label.isVisible()
    qtbot.keyClicks(focused(), person)  # no Enter: the ID is complete at 18 characters
    assert form.person_label.isVisible()
    text = form.person_label.text()
    assert f"此人{YEAR}年已有 1 条记录" in text
    assert f"record:{existing}" in text and "李娜" in text
    type_and_enter(qtbot, "")
    for header, value in (
        ("姓名", "李娜"),
        ("所属地区", "建安"),
        ("联系电话", ""),
        ("户籍性质", ""),
    ):
        assert_focus_on(form, header)
        type_and_enter(qtbot, value)
    type_and_enter(qtbot, "")  # 学历
    type_and_enter(qtbot, "新就业")  # 登记类型: the same class this year
    assert "将被自查判为重复" in form.person_label.text()
    # The link opens the existing record for editing, after asking: the form had more.
    dialogs.expect(QMessageBox.StandardButton.Open)
    form.person_label.linkActivated.emit(f"record:{existing}")
    assert dialogs.shown == [f"打开记录 #{existing}？当前填写的内容不会保存。"]
    assert form.editing == existing


def test_link_opens_the_record_when_only_the_id_was_typed(qtbot, form, state):
    person = make_id(seq="779")
    existing, _ = state.session.add_values(
        {"姓名": "周强", "公民身份号码": person, "所属地区": "魏都区", "登记类型": "新就业"}
    )
    qtbot.keyClicks(focused(), person)
    form.person_label.linkActivated.emit(f"record:{existing}")
    assert form.editing == existing
    assert form.inputs["姓名"].text() == "周强"  # type: ignore[union-attr]
    assert "修改记录" in form.title.text()


def test_unreadable_id_is_not_saved(qtbot, form, state):
    type_and_enter(qtbot, "4110021985")
    type_and_enter(qtbot, "王五")
    before = count(state)
    with qtbot.assertNotEmitted(form.record_saved):
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert count(state) == before
    assert "应为18位" in form.messages["公民身份号码"].text()
    assert "未保存" in form.summary.text()
    assert_focus_on(form, "公民身份号码")


def test_15_digit_id_is_upgraded_and_fills_sex_and_birth(qtbot, form, state, dialogs):
    type_and_enter(qtbot, "411002850312124")
    id_edit = form.inputs["公民身份号码"]
    assert isinstance(id_edit, QLineEdit)
    assert id_edit.text() == make_id(seq="124")
    sex = form.inputs["性别"]
    assert isinstance(sex, ChoiceBox)
    assert sex.value() == "女"
    assert "1985年3月12日出生" in form.id_info.text()
    assert "升级" in form.id_info.text()
    assert_focus_on(form, "姓名")
    type_and_enter(qtbot, "吴敏")
    dialogs.expect(QMessageBox.StandardButton.Save)  # incomplete: saved anyway after asking
    with qtbot.waitSignal(form.record_saved, timeout=3000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "自查将发现以下问题" in dialogs.shown[0]
    rec = ledger.get_record(state.session.db.conn, saved.args[0])
    assert rec is not None
    assert (rec.id_number, rec.id_raw, rec.sex) == (make_id(seq="124"), "411002850312124", "女")
    assert "升级" in rec.id_note  # the record notes the upgrade (domain.md §5.1)


def test_fields_follow_the_type_and_flags(qtbot, form):
    def shown(header: str) -> bool:
        return not form.inputs[header].isHidden()

    assert not shown("就业形式") and not shown("减员原因")
    rtype = form.inputs["登记类型"]
    assert isinstance(rtype, ChoiceBox)
    rtype.setFocus()
    type_text(qtbot, "自然")
    assert shown("减员原因") and not shown("就业形式") and not shown("困难人员类别")
    rtype.lineEdit().clear()
    type_text(qtbot, "新")
    assert rtype.value() == "新就业"
    assert shown("就业形式") and not shown("减员原因") and not shown("困难人员类别")
    hardship = form.inputs["就业困难人员"]
    assert isinstance(hardship, ChoiceBox)
    hardship.setFocus()
    type_and_enter(qtbot, "1")
    assert hardship.value() == "是"
    assert shown("困难人员类别")
    assert form.labels["困难人员类别"].text().endswith("困难人员类别")
    assert "*" in form.labels["困难人员类别"].text()  # required once shown


def test_core_findings_appear_beside_the_fields(qtbot, form):
    form.inputs["联系电话"].setFocus()
    type_and_enter(qtbot, "12345")
    qtbot.waitUntil(lambda: "格式不正确" in form.messages["联系电话"].text(), timeout=2000)
    form.inputs["就业（减员）日期"].setFocus()
    type_and_enter(qtbot, "2017-02-30")
    qtbot.waitUntil(lambda: "无法识别" in form.messages["就业（减员）日期"].text(), timeout=2000)
    # An empty required field is only named once the clerk has passed it.
    assert form.messages["姓名"].text() == ""
    form.inputs["姓名"].setFocus()
    type_and_enter(qtbot, "")
    qtbot.waitUntil(lambda: "未填写" in form.messages["姓名"].text(), timeout=2000)


def test_employer_completes_from_the_ledger_and_fills_its_uscc(qtbot, form, state):
    uscc = make_uscc("91411000MA40ABCD1")
    state.session.add_values(
        {
            "姓名": "赵六",
            "公民身份号码": make_id(seq="881"),
            "所属地区": "魏都区",
            "登记类型": "新就业",
            "就业形式": "单位就业",
            "就业单位名称": "许昌众品食业股份有限公司",
            "统一社会信用代码": uscc,
        }
    )
    rtype = form.inputs["登记类型"]
    assert isinstance(rtype, ChoiceBox)
    rtype.set_value("新就业")
    employer = form.inputs["就业单位名称"]
    employer.setFocus()
    type_text(qtbot, "许昌众")
    popup = form.employer_completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert employer.text() == "许昌众品食业股份有限公司"  # type: ignore[union-attr]
    assert form.inputs["统一社会信用代码"].text() == uscc  # type: ignore[union-attr]


def test_editing_a_record_keeps_its_history(qtbot, form, state):
    rid, _ = state.session.add_values(
        {
            "姓名": "钱七",
            "公民身份号码": make_id(seq="991"),
            "所属地区": "禹州市",
            "登记类型": "自然减员",
            "就业（减员）日期": EVENT.isoformat(),
            "减员原因": "退休",
        }
    )
    assert form.load_record(rid)
    assert form.inputs["减员原因"].isVisible()
    assert_focus_on(form, "姓名")
    name = form.inputs["姓名"]
    assert isinstance(name, QLineEdit)
    name.selectAll()
    type_text(qtbot, "钱七七")
    with qtbot.waitSignal(form.record_saved, timeout=3000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [rid]
    assert count(state) == 1
    rec = ledger.get_record(state.session.db.conn, rid)
    assert rec is not None and rec.name == "钱七七" and rec.area_code == "411081"
    history = ledger.record_history(state.session.db.conn, rid)
    assert [(h["action"], h["field"]) for h in history][-1] == ("edit", "name")
    assert form.editing is None


def test_escape_cancels_and_starts_afresh(qtbot, form, dialogs):
    dialogs.expect(QMessageBox.StandardButton.Discard)
    type_and_enter(qtbot, make_id(seq="401"))
    type_and_enter(qtbot, "孙八")
    with qtbot.waitSignal(form.cancelled, timeout=2000):
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert dialogs.shown == ["放弃尚未保存的内容？"]
    assert form.inputs["姓名"].text() == ""  # type: ignore[union-attr]
    assert_focus_on(form, "公民身份号码")


def test_escape_on_an_untouched_form_asks_nothing(qtbot, form, dialogs):
    with qtbot.waitSignal(form.cancelled, timeout=2000):
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert dialogs.shown == []

"""The setup dialog: first run creates the database; later it edits the unit's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from jiuye_desktop.domain import Level
from jiuye_desktop.service import open_session
from ui.setup_dialog import SetupDialog

from .helpers import type_text

pytestmark = pytest.mark.usefixtures("dialogs")


def png_bytes(color: str = "#c00000") -> bytes:
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_first_run_creates_xuchang_with_its_six_areas(qtbot, tmp_path: Path):
    path = tmp_path / "new" / "ledger.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.focusWidget() is dialog.unit_combo  # first run starts with the unit
    type_text(qtbot, "许昌")  # the list offers every unit whose code or name holds it
    popup = dialog.unit_combo.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.code_edit.text() == "411000"
    assert dialog.name_edit.text() == "许昌市"
    assert dialog.city_radio.isChecked()
    assert [n for _, n in dialog.area_rows()] == [
        "魏都区",
        "建安区",
        "鄢陵县",
        "襄城县",
        "禹州市",
        "长葛市",
    ]
    people = {
        "unit_head": "王局长",
        "org_head": "李主任",
        "contact": "赵科员",
        "contact_phone": "0374-2961234",
        "operator": "录入员甲",
    }
    for key, value in people.items():
        dialog.people[key].setText(value)
    seal = png_bytes()
    dialog.set_image("seal", seal)
    assert dialog.previews["seal"].pixmap() is not None
    assert not path.exists()
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.session is not None
    dialog.session.close()

    session = open_session(path)
    try:
        unit = session.unit
        assert (unit.code, unit.name, unit.level) == ("411000", "许昌市", Level.CITY)
        areas = session.areas()
        assert len(areas) == 7 and areas[0].name == "许昌市本级" and areas[0].is_self
        assert [(a.code, a.name) for a in areas[1:]] == [
            ("411002", "魏都区"),
            ("411003", "建安区"),
            ("411024", "鄢陵县"),
            ("411025", "襄城县"),
            ("411081", "禹州市"),
            ("411082", "长葛市"),
        ]
        assert session.profile() == people
        assert session.operator == "录入员甲"
        assert session.image("seal") == seal
        assert session.image("sign_unit") is None
    finally:
        session.close()


def test_the_province_level_is_offered_with_its_28_areas(qtbot, tmp_path: Path):
    dialog = SetupDialog.for_new_database(tmp_path / "henan.sqlite")
    qtbot.addWidget(dialog)
    assert dialog.unit_combo.itemData(1) == "410000"  # first in the list, before the cities
    dialog.choose_unit("410000")
    assert dialog.name_edit.text() == "河南省" and dialog.province_radio.isChecked()
    rows = dialog.area_rows()
    assert len(rows) == 28 and rows[0] == ("410100", "郑州市") and rows[17] == ("419001", "济源市")
    assert ("410181", "巩义市") in rows and ("411729", "新蔡县") in rows
    dialog.set_areas(rows[:2])
    dialog.default_areas_button.click()  # 恢复默认地区 gives the 28 back
    assert len(dialog.area_rows()) == 28
    dialog.accept()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert dialog.session is not None
    assert dialog.session.unit.level == Level.PROVINCE
    assert len(dialog.session.areas()) == 29
    dialog.session.close()


def test_a_county_types_its_townships(qtbot, tmp_path: Path):
    path = tmp_path / "yanling.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.choose_unit("411024")
    assert dialog.name_edit.text() == "鄢陵县" and dialog.county_radio.isChecked()
    assert dialog.area_rows() == []
    dialog.set_areas([("", "安陵镇"), ("411024101", "马栏镇")])
    dialog.accept()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert dialog.session is not None
    assert [(a.code, a.name) for a in dialog.session.areas()] == [
        ("411024", "鄢陵县本级"),
        ("", "安陵镇"),
        ("411024101", "马栏镇"),
    ]
    dialog.session.close()


def test_refuses_what_the_core_refuses_and_creates_nothing(qtbot, tmp_path: Path, dialogs):
    dialogs.expect(QMessageBox.StandardButton.Ok)
    path = tmp_path / "bad.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.code_edit.setText("41100")
    dialog.name_edit.setText("许昌市")
    dialog.accept()
    assert dialog.result() != SetupDialog.DialogCode.Accepted
    assert "6位数字" in dialog.error_label.text()
    assert not path.exists()
    dialog.code_edit.setText("411000")
    dialog.set_areas([("", "魏都区"), ("", "魏都区")])
    dialog.accept()
    assert "重复" in dialog.error_label.text()
    dialog.set_areas([("12", "某镇")])
    dialog.accept()
    assert "6–12位数字" in dialog.error_label.text()
    assert not path.exists()


def test_settings_later_edit_people_areas_and_images(qtbot, state):
    dialog = SetupDialog.for_session(state.session)
    qtbot.addWidget(dialog)
    assert dialog.code_edit.text() == "411000" and not dialog.code_edit.isEnabled()
    assert len(dialog.area_rows()) == 6
    dialog.people["contact"].setText("新联系人")
    rows = dialog.area_rows()
    dialog.set_areas([*rows, ("", "示范区")])
    dialog.set_image("sign_org", png_bytes("#0000aa"))
    dialog.accept()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    session = state.session
    assert session.profile()["contact"] == "新联系人"
    assert [a.name for a in session.areas()][-1] == "示范区"
    assert session.image("sign_org") is not None
    # Reopened, it shows what was saved.
    again = SetupDialog.for_session(session)
    qtbot.addWidget(again)
    assert again.people["contact"].text() == "新联系人"
    assert again.area_rows()[-1] == ("", "示范区")
    assert again.image("sign_org") == session.image("sign_org")


def test_typing_a_code_and_leaving_picks_the_unit(qtbot, tmp_path: Path):
    dialog = SetupDialog.for_new_database(tmp_path / "x.sqlite")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_text(qtbot, "411024")
    popup = dialog.unit_combo.completer().popup()
    if popup.isVisible():
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
    qtbot.keyClick(dialog.unit_combo, Qt.Key.Key_Tab)
    assert (dialog.code_edit.text(), dialog.name_edit.text()) == ("411024", "鄢陵县")
    assert dialog.county_radio.isChecked() and dialog.area_rows() == []


def test_enter_in_an_empty_dialog_creates_nothing(qtbot, tmp_path: Path):
    path = tmp_path / "empty.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.result() != SetupDialog.DialogCode.Accepted and not path.exists()
    dialog.accept()  # the 建立台账 button itself: told what is missing
    assert "代码和名称" in dialog.error_label.text() and not path.exists()


def test_an_unknown_code_asks_a_second_question(qtbot, tmp_path: Path, dialogs):
    path = tmp_path / "unknown.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.code_edit.setText("419999")
    dialog.name_edit.setText("某县")
    dialog.county_radio.setChecked(True)
    dialogs.expect(QMessageBox.StandardButton.No)
    dialog.accept()
    assert "不在本程序附带的行政区划代码表中" in dialogs.shown[-1]
    assert dialog.result() != SetupDialog.DialogCode.Accepted and not path.exists()
    dialogs.expect(QMessageBox.StandardButton.Yes)
    dialog.accept()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert dialog.session is not None and dialog.session.unit.code == "419999"
    dialog.session.close()


def test_a_formula_like_name_is_refused(qtbot, tmp_path: Path):
    path = tmp_path / "formula.sqlite"
    dialog = SetupDialog.for_new_database(path)
    qtbot.addWidget(dialog)
    dialog.code_edit.setText("411000")
    dialog.name_edit.setText("=HYPERLINK(1)")
    dialog.accept()
    assert "公式" in dialog.error_label.text() and not path.exists()


def test_changing_the_units_name_later_needs_a_reason_and_a_confirmation(
    qtbot, state, dialogs, monkeypatch
):
    from jiuye_desktop.unit_identity import history

    dialog = SetupDialog.for_session(state.session)
    qtbot.addWidget(dialog)
    assert not dialog.name_edit.isEnabled()
    dialog.identity_button.click()
    assert dialog.name_edit.isEnabled()
    dialog.name_edit.setText("许昌市人社局")
    asked: list[str] = []
    monkeypatch.setattr(
        dialog, "ask_identity_reason", lambda text: asked.append(text) or "更正名称"
    )
    dialogs.expect(QMessageBox.StandardButton.No)
    dialog.accept()  # the confirmation answered 返回: nothing changed
    assert state.session.unit.name == "许昌市" and history(state.session) == []
    assert "单位名称：许昌市 → 许昌市人社局" in asked[0]
    assert "已发出的上报文件仍带原来的" in dialogs.shown[-1]
    dialogs.expect(QMessageBox.StandardButton.Yes)
    dialog.accept()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert state.session.unit.name == "许昌市人社局"
    assert [(h["field"], h["reason"]) for h in history(state.session)] == [("name", "更正名称")]

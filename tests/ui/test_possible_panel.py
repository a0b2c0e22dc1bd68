"""The self-check screen's 疑似重复 tab: each pair once, side by side; a side opens its record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.core.helpers import make_id, new_row
from ui.possible_panel import PossiblePanel
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState


def test_pairs_side_by_side_and_double_click_opens_either_side(
    qtbot: QtBot, state: AppState
) -> None:
    add = state.session.add_values
    a = add(
        new_row(
            姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"), 联系电话="13700000001"
        )
    )[0]
    b = add(
        new_row(
            姓名="王方",
            公民身份号码=make_id("411082", "19900512", "246"),
            所属地区="长葛市",
            联系电话="13700000002",
        )
    )[0]
    c = add(new_row(姓名="周五", 公民身份号码=make_id(seq="107"), 联系电话="13888888888"))[0]
    view = SelfCheckView(state)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.check_finished, timeout=20_000):
        view.run_check()
    panel: PossiblePanel = view.possible_panel
    assert view.tabs.tabText(2) == "疑似重复（2 对）"
    rules = {p.rule: p for p in panel.pairs}
    pair = rules["homophone"]
    assert {pair.left.record, pair.right.record} == {a, b}  # type: ignore[union-attr]
    assert rules["made_up_phone"].left.record == c and rules["made_up_phone"].right is None
    row = panel.pairs.index(pair)
    model = panel.model
    assert model.index(row, 2).data() in ("王芳", "王方") and model.index(row, 7).data() in (
        "王芳",
        "王方",
    )
    opened: list[int] = []
    view.record_activated.connect(opened.append)
    view.resize(1300, 700)
    view.show()
    view.tabs.setCurrentIndex(2)
    qtbot.waitExposed(view)
    for col in (2, 7):
        rect = panel.view.visualRect(model.index(row, col))
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [pair.left.record, pair.right.record]  # type: ignore[union-attr]
    # The rule list filters.
    panel.rule_list.setCurrentRow(2)  # 姓名读音相同
    assert panel.model.rowCount() == 1


def test_dismissing_a_pair_reruns_the_check_and_it_is_gone(
    qtbot: QtBot, state: AppState, monkeypatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    add = state.session.add_values
    add(
        new_row(
            姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"), 联系电话="13700000001"
        )
    )
    add(
        new_row(
            姓名="王方", 公民身份号码=make_id("411082", "19900512", "246"), 联系电话="13700000002"
        )
    )
    view = SelfCheckView(state)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.check_finished, timeout=20_000):
        view.run_check()
    panel = view.possible_panel
    assert panel.count() == 1 and panel.dismiss_button.isEnabled()
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("电话核实，不是同一人", True))
    )
    with qtbot.waitSignal(view.check_finished, timeout=20_000):
        qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert panel.count() == 0
    assert view.tabs.tabText(2) == "疑似重复（0 对）"

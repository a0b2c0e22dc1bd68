"""The 电话抽查 screen: draw a sample, type outcomes with one key each, the summary follows."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from jiuye_desktop import phone_sample
from jiuye_desktop.demo_loader import load_demo
from ui.main_window import MainWindow, Page
from ui.sample_view import SampleView
from ui.state import AppState


def drawn(qtbot: QtBot, state: AppState) -> SampleView:
    load_demo(state.session, 2000, seed=4)
    view = SampleView(state)
    qtbot.addWidget(view)
    view.show()
    view.date_edit.setDate(QDate(2017, 11, 24))
    view.mode_combo.setCurrentIndex(1)
    view.count_spin.setValue(3)
    view.seed_spin.setValue(9)
    qtbot.mouseClick(view.draw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.sample is not None and not view._busy, timeout=20_000)
    return view


def test_keys_record_outcomes_and_the_summary_follows(qtbot: QtBot, state: AppState) -> None:
    view = drawn(qtbot, state)
    sample = view.sample
    assert sample is not None and sample.seed == 9
    assert all(n <= 3 for n in _per_area(sample).values())
    assert view.samples_list.count() == 1 and "种子 9" in view.samples_list.item(0).text()
    view.calls_view.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_4):
        qtbot.keyClick(view.calls_view, key)
    stored = phone_sample.get_sample(state.session, sample.id).items
    assert [i.outcome for i in stored[:4]] == ["已就业（属实）", "未就业", "空号或停机", ""]
    assert view.calls_view.currentIndex().row() == 3  # the cursor moved on
    total = view.summary_model.rowCount() - 1
    cells = [view.summary_model.index(total, c).data() for c in range(8)]
    assert cells == ["合计", str(len(stored)), "2", "1", "1", "1", str(len(stored) - 3), "50.0%"]
    # A note for the row of 未就业, then 0 clears the first row's outcome.
    view.calls_view.selectRow(1)
    view.note_edit.setText("已离职")
    qtbot.keyClick(view.note_edit, Qt.Key.Key_Return)
    view.calls_view.selectRow(0)
    qtbot.keyClick(view.calls_view, Qt.Key.Key_0)
    stored = phone_sample.get_sample(state.session, sample.id).items
    assert (stored[0].outcome, stored[1].outcome, stored[1].note) == ("", "未就业", "已离职")
    masked = view.calls_model.index(0, 6).data()
    assert "********" in masked and masked != stored[0].id_number


def test_the_window_has_the_page(qtbot: QtBot, state: AppState) -> None:
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.go_to(Page.SAMPLE)
    assert isinstance(window.page(Page.SAMPLE), SampleView)
    assert window.current_page() == Page.SAMPLE


def _per_area(sample: phone_sample.Sample) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in sample.items:
        out[item.area_code] = out.get(item.area_code, 0) + 1
    return out

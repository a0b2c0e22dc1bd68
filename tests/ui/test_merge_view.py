"""The city's merge screen: two county packages in, preview, 合并, and the weekly table follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from jiuye_desktop import package, weekly
from jiuye_desktop.completeness import forget_failures
from jiuye_desktop.domain import Level
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.weeks import week_from_key
from tests.ui.helpers import make_id
from ui.merge_view import MergeView
from ui.state import AppState
from ui.weekly_view import WeeklyView

W = week_from_key("2017-11-2")


def county(path: Path, code: str, name: str, n: int) -> Session:
    s = init_database(path, unit_code=code, unit_name=name, level=Level.COUNTY)
    s.auto_backup = False
    for i in range(n):
        s.add_values(
            {
                "姓名": "王伟",
                "公民身份号码": make_id(code, f"198{i % 10}0312", f"{100 + i}"),
                "所属地区": name + "本级",
                "登记类型": "新就业",
                "就业（减员）日期": "2017-05-02",
                "就业形式": "自主创业",
                "联系电话": "15100021099",
                "登记日期": "2017-11-06" if i % 2 else "2017-05-10",
            }
        )
    return s


@pytest.fixture
def packages(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for code, name, n, password in (("411082", "长葛市", 5, None), ("411002", "魏都区", 3, "pw")):
        s = county(tmp_path / f"{code}.sqlite", code, name, n)
        out[name] = tmp_path / f"{name}.xlsx"
        package.export_package(s, W, out[name], password=password)
        s.close()
    return out


@pytest.fixture
def view(qtbot: QtBot, state: AppState, monkeypatch: pytest.MonkeyPatch) -> Iterator[MergeView]:
    state.session.auto_backup = False
    asked: list[str] = []

    def get_text(parent: Any, title: str, label: str, echo: Any) -> tuple[str, bool]:
        asked.append(label)
        assert echo == package_echo()
        return ("wrong", True) if len(asked) == 1 else ("pw", True)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    widget = MergeView(state)
    widget.asked = asked  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    yield widget
    forget_failures(state.session)


def package_echo() -> Any:
    from PySide6.QtWidgets import QLineEdit

    return QLineEdit.EchoMode.Password


def idle(qtbot: QtBot, view: MergeView) -> None:
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)


def test_two_county_packages_merged_through_the_view_update_the_weekly_table(
    qtbot: QtBot, view: MergeView, state: AppState, packages: dict[str, Path]
) -> None:
    table_view = WeeklyView(state)
    qtbot.addWidget(table_view)
    table_view.set_week(W)
    view.merged.connect(table_view.refresh)
    assert not view.merge_button.isEnabled()

    view.add_files([packages["长葛市"], packages["魏都区"]])
    # The encrypted one asked for its password, again after a wrong one.
    assert len(view.asked) == 2 and "密码不正确" in view.asked[1]  # type: ignore[attr-defined]
    assert view.files_table.item(1, 1).text() == "已输入"

    qtbot.mouseClick(view.preview_button, Qt.MouseButton.LeftButton)
    idle(qtbot, view)
    assert view.plan_table.rowCount() == 2
    rows = {view.plan_table.item(r, 1).text(): r for r in range(2)}
    assert view.plan_table.item(rows["长葛市（411082）"], 4).text() == "5"
    assert view.plan_table.item(rows["魏都区（411002）"], 3).text() == "新增"
    from ui.merge_tables import PROGRESS_COLUMN

    assert view.plan_table.item(0, PROGRESS_COLUMN).text() == "（文件未附进度）"  # no targets
    assert "预览" in view.result_label.text()
    assert weekly.compute(state.session, W).total == (0,) * 12  # a preview stores nothing
    assert view.merge_button.isEnabled()

    with qtbot.waitSignal(view.merged, timeout=20_000):
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    idle(qtbot, view)
    shown = {r.name: r.cells for r in table_view.table.rows}  # type: ignore[union-attr]
    assert shown["长葛市"][:4] == (2, 5, 2, 5)  # 本周实际 2 of 5 registered in that week
    assert shown["魏都区"][:4] == (1, 3, 1, 3)
    assert table_view.table.total[1] == 8  # type: ignore[union-attr]
    status = {
        view.status_table.item(r, 0).text(): view.status_table.item(r, 2).text()
        for r in range(view.status_table.rowCount())
    }
    assert view.week == W
    assert (
        status["长葛市"] == "迟报" and status["魏都区"] == "迟报" and status["建安区"] == "未报送"
    )
    assert not view.merge_button.isEnabled()


def test_a_bad_file_refuses_all_and_is_shown_as_failed(
    qtbot: QtBot, view: MergeView, state: AppState, packages: dict[str, Path]
) -> None:
    bad = packages["长葛市"]
    wb = openpyxl.load_workbook(bad)
    wb["实名台账"]["B2"] = "改过"
    wb.save(bad)
    view.add_files([bad])
    view.preview()
    idle(qtbot, view)
    assert "导出后被修改过" in view.result_label.text()
    assert view.last_error is not None and not view.merge_button.isEnabled()
    boxes = [b for b in view.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "修改" in boxes[0].text()
    boxes[0].close()
    view.set_week(W)
    status = {
        view.status_table.item(r, 0).text(): view.status_table.item(r, 2).text()
        for r in range(view.status_table.rowCount())
    }
    assert status["长葛市"] == "未通过检查"
    assert weekly.compute(state.session, W).total == (0,) * 12


def test_files_can_be_dropped(view: MergeView, packages: dict[str, Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(packages["长葛市"])), QUrl.fromLocalFile("/tmp/x.txt")])
    enter = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    view.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(5, 5).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    view.dropEvent(drop)
    assert view.files == [packages["长葛市"]]

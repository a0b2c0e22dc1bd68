"""The import screen: preview with the header mapping, import through the worker, refusals."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from jiuye_desktop import demo, demo_workbook, importer
from tests import ledger_queries
from tests.ui.fixtures_3b import (
    fixture_empty_state,  # noqa: F401
    sample_path,
)
from ui import import_view
from ui.import_view import ImportView
from ui.state import AppState


@pytest.fixture
def view(qtbot: QtBot, empty_state: AppState) -> ImportView:
    widget = ImportView(empty_state)
    qtbot.addWidget(widget)
    return widget


def previewed(qtbot: QtBot, view: ImportView, path: Path) -> ImportView:
    view.load_file(path)
    qtbot.waitUntil(lambda: view.preview is not None, timeout=20_000)
    return view


def open_boxes(view: ImportView) -> list[QMessageBox]:
    return [b for b in view.findChildren(QMessageBox) if b.isVisible()]


def records(state: AppState) -> int:
    return ledger_queries.count_records(state.session.db.conn)["total"]


def test_sample_ledger_is_previewed_then_imported(
    qtbot: QtBot,
    view: ImportView,
    empty_state: AppState,
) -> None:
    path = sample_path()
    previewed(qtbot, view, path)
    assert records(empty_state) == 0  # a preview stores nothing

    sheet, rows = importer.preview(path, import_view.PREVIEW_ROWS)
    mapping = {
        view.mapping_table.item(r, 0).text().rstrip(" *"): view.mapping_table.item(r, 1).text()
        for r in range(view.mapping_table.rowCount())
    }
    letters = importer.mapping_letters(sheet)
    assert set(letters) >= {"姓名", "公民身份号码", "所属地区", "登记类型", "就业（减员）日期"}
    for header, text in mapping.items():
        assert text == (f"{letters[header]} 列" if header in letters else "（没有）"), header
    assert view.mapping_table.item(1, 0).text() == "姓名 *"  # required headers are marked
    assert view.preview_table.rowCount() == len(rows) == 20
    name_col = next(
        c
        for c in range(view.preview_table.columnCount())
        if view.preview_table.horizontalHeaderItem(c).text().startswith("姓名（")
    )
    assert [view.preview_table.item(r, name_col).text() for r in range(20)] == [
        str(row["姓名"]) for row in rows
    ]
    assert view.import_button.isEnabled()

    with qtbot.waitSignal(view.imported, timeout=30_000):
        view.import_button.click()
    result = view.last_result
    assert result is not None and result.imported == 630 and result.rejected == []
    assert records(empty_state) == 630
    text = view.summary_label.text()
    assert "导入 630 条记录" in text
    assert "重复 30 条，无效 30 条，不完整 30 条" in text
    summary = view.last_summary
    assert (summary["duplicate"], summary["invalid"], summary["incomplete"]) == (30, 30, 30)
    assert not view.import_button.isEnabled()  # the same preview is not imported twice


def test_a_file_that_is_not_a_workbook_is_refused(
    qtbot: QtBot,
    view: ImportView,
    empty_state: AppState,
    tmp_path: Path,
) -> None:
    path = tmp_path / "名单.txt"
    path.write_text("姓名,公民身份号码\n张三,410102199001011234\n", encoding="utf-8")
    emitted: list[bool] = []
    view.imported.connect(lambda: emitted.append(True))
    view.load_file(path)
    qtbot.waitUntil(lambda: bool(open_boxes(view)), timeout=10_000)
    message = open_boxes(view)[0].text()
    assert "名单.txt" in message and "不是Excel工作簿" in message
    assert view.preview is None and not view.import_button.isEnabled()
    assert "未导入" in view.file_label.text()
    assert records(empty_state) == 0
    assert emitted == []


def test_missing_required_columns_are_named(
    qtbot: QtBot,
    view: ImportView,
    empty_state: AppState,
    tmp_path: Path,
) -> None:
    path = tmp_path / "缺列.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "所属地区", "登记类型"])
    ws.append([1, "张三", "魏都区", "新就业"])
    wb.save(path)
    view.load_file(path)
    qtbot.waitUntil(lambda: bool(open_boxes(view)), timeout=10_000)
    message = open_boxes(view)[0].text()
    assert "缺列.xlsx" in message and "第1行" in message
    assert "公民身份号码" in message and "就业（减员）日期" in message
    assert records(empty_state) == 0


def test_importing_the_same_file_twice_is_refused(
    qtbot: QtBot,
    view: ImportView,
    empty_state: AppState,
) -> None:
    previewed(qtbot, view, sample_path())
    with qtbot.waitSignal(view.imported, timeout=30_000):
        view.start_import()
    previewed(qtbot, view, sample_path())
    view.start_import()
    qtbot.waitUntil(lambda: bool(open_boxes(view)), timeout=30_000)
    assert "导入过" in open_boxes(view)[0].text()
    assert records(empty_state) == 630


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo ledger long enough for the importer to report progress and check 取消."""
    path = tmp_path_factory.mktemp("big") / "大台账.xlsx"
    areas = [("411000", "许昌市本级"), ("411002", "魏都区"), ("411024", "鄢陵县")]
    demo_workbook.write_workbook(demo.generate_rows(5000, areas=areas, seed=3), path)
    return path


def test_cancelled_import_stores_nothing(
    qtbot: QtBot,
    view: ImportView,
    empty_state: AppState,
    big_workbook: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    real = importer.import_workbook

    def held(session: Any, path: Any, *, progress: Any, cancelled: Any, reason: Any = None) -> Any:
        def slow_progress(done: int, total: int) -> None:
            progress(done, total)
            if done:
                gate.wait(10)  # hold the import until the clerk has pressed 取消

        return real(session, path, progress=slow_progress, cancelled=cancelled, reason=reason)

    monkeypatch.setattr(import_view.importer, "import_workbook", held)
    previewed(qtbot, view, big_workbook)
    view.start_import()
    dialog = view.findChild(QProgressDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 0, timeout=20_000)
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    cancel.click()
    gate.set()
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert "已取消导入" in view.file_label.text() and "未做任何改动" in view.file_label.text()
    assert open_boxes(view) == []
    assert records(empty_state) == 0
    assert view.last_result is None
    assert view.import_button.isEnabled()  # the preview stays: the clerk may import after all


def test_dropping_a_workbook_previews_it(qtbot: QtBot, view: ImportView) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample_path()))])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(drop)
    qtbot.waitUntil(lambda: view.preview is not None, timeout=20_000)
    assert view.preview.path == sample_path()  # type: ignore[union-attr]

    two = QMimeData()
    two.setUrls([QUrl.fromLocalFile("/tmp/a.xlsx"), QUrl.fromLocalFile("/tmp/b.xlsx")])
    refused = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        two,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    refused.setAccepted(True)
    view.dragEnterEvent(refused)
    assert not refused.isAccepted()  # one file at a time

"""The weekly screen's 导出Excel/导出PDF/打印 and the self-check screen's report button."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from jiuye_desktop import weekly
from jiuye_desktop.exports.annex1_pdf import annex1_pdf_bytes
from jiuye_desktop.exports.raster import pdf_page_images
from jiuye_desktop.weeks import week_from_key
from ui import export_actions, ops
from ui.printing import make_printer, paint_pdf
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState
from ui.weekly_view import WeeklyView


def _button(widget, text: str) -> QPushButton:
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, text
    return found[0]


def _save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def test_weekly_export_buttons_write_the_shown_week(
    qtbot: QtBot, sample_state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = WeeklyView(sample_state)
    qtbot.addWidget(view)
    export_actions.attach(view, sample_state)
    view.set_week(week_from_key("2017-11-2"))
    target = tmp_path / "附件1.xlsx"
    _save_to(monkeypatch, target)
    _button(view, "导出Excel…").click()
    qtbot.waitUntil(lambda: target.exists() and ops.active_count() == 0, timeout=20000)
    ws = openpyxl.load_workbook(target)["附件1"]
    table = weekly.compute(sample_state.session, view.week)
    rows = {
        r[0]: list(r[1:13]) for r in ws.iter_rows(values_only=True) if r[0] in ("合计", "魏都区")
    }
    assert rows["合计"] == list(table.total)
    assert rows["魏都区"] == list(next(r.cells for r in table.rows if r.name == "魏都区"))

    pdf = tmp_path / "附件1.pdf"
    _save_to(monkeypatch, pdf)
    _button(view, "导出PDF…").click()
    qtbot.waitUntil(lambda: pdf.exists() and ops.active_count() == 0, timeout=20000)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_printing_gives_the_page_of_the_pdf(sample_state: AppState, tmp_path: Path) -> None:
    week = week_from_key("2017-11-2")
    data = annex1_pdf_bytes(sample_state.session, week)
    printer = make_printer(data)
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
    out = tmp_path / "printed.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    paint_pdf(printer, data)
    printed = pdf_page_images(out.read_bytes(), dpi=150)
    original = pdf_page_images(data, dpi=150)
    assert len(printed) == 1
    # The printed page is the exported one, pixel for pixel at 150 dpi (rendered at 600 dpi:
    # thin rules and small figures survive).
    a, b = printed[0].convert("L"), original[0].convert("L")
    assert abs(a.size[0] - b.size[0]) <= 2 and abs(a.size[1] - b.size[1]) <= 2
    # Compared at a quarter of 150 dpi: the page may sit half a pixel off.
    size = (b.size[0] // 4, b.size[1] // 4)
    a, b = a.resize(size), b.resize(size)
    diff = sum(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes(), strict=True)) / len(a.tobytes())
    ink = sum(abs(255 - x) for x in b.tobytes()) / len(b.tobytes())
    assert ink > 5 and diff < ink / 4, (diff, ink)  # ink ≈ 12: a blank page would differ by 12
    # The picture inside the printed PDF has the printer's resolution (600 dpi, capped).
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(out.read_bytes())
    widths = [
        obj.get_px_size()[0] for obj in doc[0].get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,))
    ]
    doc.close()
    assert widths and max(widths) >= 842 / 72 * 600 * 0.98


def test_selfcheck_report_button(
    qtbot: QtBot, sample_state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = SelfCheckView(sample_state)
    qtbot.addWidget(view)
    export_actions.attach(view, sample_state)
    target = tmp_path / "自查报告.pdf"
    _save_to(monkeypatch, target)
    from PySide6.QtWidgets import QDialog

    from ui.report_date_dialog import ReportDateDialog

    asked: list[str] = []

    def choose(dialog: ReportDateDialog) -> int:  # the report's date: today, as proposed
        asked.append(dialog.warning_label.text())
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(ReportDateDialog, "exec", choose)
    _button(view, "生成自查报告…").click()
    assert len(asked) == 1
    qtbot.waitUntil(lambda: target.exists() and ops.active_count() == 0, timeout=30000)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True
        ).stdout
        assert "自查" in text and "许昌市" in text


def test_upward_package_button(
    qtbot: QtBot, sample_state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from jiuye_desktop import snapshots
    from jiuye_desktop.package import open_package, verify_package
    from ui.package_dialog import PackageDialog

    view = WeeklyView(sample_state)
    qtbot.addWidget(view)
    export_actions.attach(view, sample_state)
    view.set_week(week_from_key("2017-11-2"))
    target = tmp_path / "上报.xlsx"
    _save_to(monkeypatch, target)
    # No password; 标记为已上报 is offered checked in the same step.
    monkeypatch.setattr(PackageDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    _button(view, "导出上报文件…").click()
    qtbot.waitUntil(lambda: target.exists() and ops.active_count() == 0, timeout=30000)
    assert snapshots.last_submission(sample_state.session, view.week) is not None
    verified = verify_package(open_package(target))
    assert verified.table.week == view.week
    assert verified.table.total == weekly.compute(sample_state.session, view.week).total
    assert 0 < len(verified.rows) < 630  # the records registered up to that Friday


def test_an_export_that_cannot_write_says_why_not_an_internal_error(
    qtbot: QtBot, sample_state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "open", lambda box: shown.append((box.windowTitle(), box.text()))
    )
    view = WeeklyView(sample_state)
    qtbot.addWidget(view)
    export_actions.attach(view, sample_state)
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("x")
    _save_to(monkeypatch, blocker / "附件1.xlsx")
    _button(view, "导出Excel…").click()
    qtbot.waitUntil(lambda: bool(shown) and ops.active_count() == 0, timeout=20000)
    title, text = shown[-1]
    assert title == "无法完成" and "a file, not a folder" in text, shown
    assert "程序内部错误" not in text

"""Save a PNG of every screen at 1366×768 with the shipped font into ``docs/screenshots/``.

Builds a demo ledger (许昌市, 20,000 records of 2017) in a temporary folder, opens
the real window on the offscreen platform and grabs each page and dialog.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--records N] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("JIUYE_OPERATOR", "张丽")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from jiuye_desktop.demo_loader import load_demo  # noqa: E402
from jiuye_desktop.domain import Level  # noqa: E402
from jiuye_desktop.selfcheck import remove_selected  # noqa: E402
from jiuye_desktop.service import Session, init_database  # noqa: E402
from jiuye_desktop.weeks import week_of  # noqa: E402
from ui.app import configure_application  # noqa: E402
from ui.state import AppState  # noqa: E402

SIZE = (1366, 768)
SAMPLE = ROOT.parent / "shared" / "samples" / "xuchang-2017-ledger.xlsx"


def settle(
    app: QApplication, seconds: float = 0.3, until: Callable[[], bool] | None = None
) -> None:
    """Let Qt paint (and background work finish, when ``until`` says so)."""
    deadline = time.monotonic() + (60 if until else seconds)
    while time.monotonic() < deadline:
        app.processEvents()
        if until is not None and until():
            break
        time.sleep(0.02)
    app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"cannot write {path}")
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def build_ledger(folder: Path, records: int) -> tuple[Path, Session]:
    path = folder / "demo.sqlite"
    session = init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY)
    session.set_profile(
        {
            "unit_head": "王建国",
            "org_head": "李红梅",
            "contact": "赵磊",
            "contact_phone": "0374-2961234",
            "operator": "张丽",
        }
    )
    session.operator = "张丽"
    load_demo(session, records, year=2017, seed=1)
    # A little history to show: edits and a removal.
    for record_id, phone in ((12, "13803741234"), (15, "13937451234")):
        record, _ = session.judge(_values_of(session, record_id))
        record.phone = phone
        session.edit_record(record_id, record)
    remove_selected(session, [15], "duplicate", dt.date(2017, 11, 20), note="与魏都区记录重复")
    session.set_image("seal", seal_png())
    demo_targets(session)
    return path, session


def demo_targets(session: Session) -> None:
    """Plausible 2017 targets: each row's year-end count scaled so that some rows lag."""
    from jiuye_desktop import progress, targets
    from jiuye_desktop.domain import INDICATOR_NAMES

    year_end = progress.progress(session, week_of(dt.date(2017, 12, 31)))
    factors = (0.8, 1.0, 1.12, 0.84, 1.3, 0.7, 0.97, 1.2)
    items = []
    for n, row in enumerate(year_end.rows[1:]):
        for k in (0, 3, 4):
            cum = row.indicators[k].cumulative
            items.append((row.area_id or 0, INDICATOR_NAMES[k], round(cum * factors[(n + k) % 8])))
    targets.set_values(session, 2017, items)
    targets.fill_from_province(session, 2017)


def shoot_progress(app: QApplication, window: QWidget, out: Path) -> None:
    """The 目标任务 and 进度 screens (the week of 2017-11-10, the charts of 魏都区)."""
    from ui.main_window import Page

    window.go_to(Page.TARGETS)  # type: ignore[attr-defined]
    settle(app, 0.3)
    save(window, out, "20-targets")
    window.go_to(Page.PROGRESS)  # type: ignore[attr-defined]
    view = window.page(Page.PROGRESS)  # type: ignore[attr-defined]
    view.set_week(week_of(dt.date(2017, 11, 10)))
    view.row_combo.setCurrentIndex(view.row_combo.findData("411002"))
    settle(app, 0.5)
    save(window, out, "21-progress")


def shoot_sample(app: QApplication, window: QWidget, out: Path) -> None:
    """The 电话抽查 screen: a sample of 2017-11-24 (seed 7), a few outcomes typed by key."""
    from PySide6.QtCore import QDate, Qt
    from PySide6.QtTest import QTest

    from ui.main_window import Page

    window.go_to(Page.SAMPLE)  # type: ignore[attr-defined]
    view = window.page(Page.SAMPLE)  # type: ignore[attr-defined]
    settle(app, 0.3)
    view.date_edit.setDate(QDate(2017, 11, 24))
    view.mode_combo.setCurrentIndex(1)
    view.count_spin.setValue(8)
    view.seed_spin.setValue(7)
    view._on_draw_button_clicked()
    settle(app, until=lambda: view.sample is not None and not view._busy)
    view.calls_view.setFocus()
    for key in "1131251412":
        QTest.keyClick(view.calls_view, getattr(Qt.Key, f"Key_{key}"))
    settle(app, 0.3)
    save(window, out, "24-sample")


def shoot_pairs(app: QApplication, window: QWidget, state: AppState, out: Path) -> None:
    """The self-check's 疑似重复 tab after typing in what auditors find: a homophone in
    another county, a near-miss ID, one phone for three people, a made-up phone."""
    from jiuye_desktop.validation import id_check_digit
    from ui.main_window import Page

    def idn(prefix: str, birth: str, seq: str) -> str:
        return prefix + birth + seq + id_check_digit(prefix + birth + seq)

    base = {
        "所属地区": "魏都区",
        "登记类型": "新就业",
        "就业（减员）日期": "2017-09-04",
        "登记日期": "2017-09-11",
        "就业形式": "单位就业",
        "就业单位名称": "许昌瑞贝卡发制品有限公司",
        "失业人员再就业": "是",
        "就业困难人员": "否",
        "去产能职工": "否",
    }
    valid = idn("411081", "19870623", "457")
    typo = valid[:14] + valid[15] + valid[14] + valid[16:]
    people = [
        ("王芳", idn("411002", "19900512", "128"), "魏都区", "13700001111"),
        ("王方", idn("411082", "19900512", "246"), "长葛市", "13700001112"),
        ("李明", valid, "禹州市", "13700001113"),
        ("李明", typo, "襄城县", "13700001114"),
        ("赵一", idn("411024", "19800101", "101"), "鄢陵县", "15937400001"),
        ("钱二", idn("411025", "19810202", "103"), "襄城县", "15937400001"),
        ("孙三", idn("411003", "19820303", "105"), "建安区", "15937400001"),
        ("周五", idn("411002", "19830404", "107"), "魏都区", "13888888888"),
    ]
    for name, id_number, area, phone in people:
        state.session.add_values(
            {**base, "姓名": name, "公民身份号码": id_number, "所属地区": area, "联系电话": phone}
        )
    window.go_to(Page.SELFCHECK)  # type: ignore[attr-defined]
    check = window.page(Page.SELFCHECK)  # type: ignore[attr-defined]
    check.run_check()
    settle(app, until=lambda: check.result is not None and not check.busy)
    check.tabs.setCurrentIndex(2)
    settle(app, 0.3)
    save(window, out, "25-selfcheck-pairs")
    check.tabs.setCurrentIndex(0)


def seal_png() -> bytes:
    """A red demo seal: ring, star and the unit's name."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF

    from jiuye_desktop.resources import FONT_FAMILY

    size = 240
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    red = QColor("#d42a2a")
    painter.setPen(QPen(red, 9))
    painter.drawEllipse(QRectF(10, 10, size - 20, size - 20))
    import math

    star = QPolygonF(
        [
            QPointF(
                size / 2 + (42 if i % 2 == 0 else 17) * math.sin(i * math.pi / 5),
                size / 2 - (42 if i % 2 == 0 else 17) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
    )
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(red)
    painter.drawPolygon(star)
    painter.setPen(red)
    painter.setFont(QFont(FONT_FAMILY, 20, QFont.Weight.Bold))
    painter.drawText(QRectF(0, 150, size, 40), Qt.AlignmentFlag.AlignHCenter, "示例公章")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _values_of(session: Session, record_id: int) -> dict[str, object]:
    from jiuye_desktop import browse

    return dict(browse.record_form_values(session, record_id) or {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="jiuye-shots-") as tmp:
        folder = Path(tmp)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        configure_application(app)
        print(f"building a demo ledger of {args.records} records …")
        path, session = build_ledger(folder, args.records)
        try:
            shoot(app, AppState(path, session), out, folder)
        finally:
            session.close()
    return 0


def shoot(app: QApplication, state: AppState, out: Path, folder: Path) -> None:
    from jiuye_desktop.browse import BrowseQuery, Status
    from ui.history_dialog import HistoryDialog
    from ui.main_window import MainWindow, Page
    from ui.setup_dialog import SetupDialog

    window = MainWindow(state)
    window.setWindowState(Qt.WindowState.WindowNoState)  # the offscreen screen is small
    window.resize(*SIZE)
    window.show()
    settle(app)
    print("screens:")
    save(window, out, "01-ledger")

    ledger = window.ledger
    ledger.search_edit.setText("王")
    ledger.type_combo.setCurrentIndex(ledger.type_combo.findData("新就业"))
    ledger.kind_combo.setCurrentIndex(ledger.kind_combo.findData("invalid"))
    ledger._on_search_now()
    settle(app)
    save(window, out, "02-ledger-search-filter")
    ledger.clear_filters()
    ledger.apply_query(BrowseQuery(status=Status.REMOVED))
    settle(app)
    ledger.clear_filters()

    window.go_to(Page.ENTRY)
    settle(app)
    save(window, out, "03-entry-empty")

    # A new record for someone already in the ledger: the duplicate warning and the
    # core's findings beside the fields.
    form = window.entry
    conn = state.session.db.conn
    existing = conn.execute(
        "SELECT id_number FROM records WHERE record_type = '新就业' AND id_ok = 1 "
        "AND removed_on IS NULL AND registered_on >= '2017-06-01' LIMIT 1"
    ).fetchone()[0]
    values = {
        "公民身份号码": existing,
        "姓名": "王小丽",
        "所属地区": "魏都区",
        "联系电话": "1380374",
        "登记类型": "新就业",
        "就业（减员）日期": "2017-11-06",
        "就业形式": "单位就业",
        "就业单位名称": "许昌瑞贝卡发制品股份有限公司",
        "就业困难人员": "是",
        "登记日期": "2017-11-08",
    }
    for header, text in values.items():
        widget = form.inputs[header]
        if hasattr(widget, "set_value"):
            widget.set_value(text)  # type: ignore[union-attr]
        else:
            widget.setText(text)  # type: ignore[union-attr]
        form._on_field_changed(header)
        form._touched.add(header)
    form._check_id(commit=True)
    form._judge_now()
    settle(app)
    save(window, out, "04-entry-duplicate-warning")
    form.clear()
    form._dirty = False

    window.open_record(12)
    settle(app)
    save(window, out, "05-entry-edit")
    form.clear()
    form._dirty = False

    window.go_to(Page.WEEKLY)
    weekly = window.page(Page.WEEKLY)
    if hasattr(weekly, "set_week"):
        weekly.set_week(week_of(dt.date(2017, 11, 10)))  # type: ignore[attr-defined]
    settle(app, 0.5)
    save(window, out, "06-weekly")

    window.go_to(Page.SELFCHECK)
    check = window.page(Page.SELFCHECK)
    settle(app, 0.3)
    if check.result is None and not check.busy:  # type: ignore[attr-defined]
        check.run_check()  # type: ignore[attr-defined]
    settle(app, until=lambda: getattr(check, "result", None) is not None and not check.busy)  # type: ignore[attr-defined]
    settle(app, 0.3)
    save(window, out, "07-selfcheck")

    window.go_to(Page.IMPORT)
    importer = window.page(Page.IMPORT)
    if SAMPLE.exists() and hasattr(importer, "load_file"):
        importer.load_file(SAMPLE)  # type: ignore[attr-defined]
        settle(app, until=lambda: importer.preview is not None and not importer.busy)  # type: ignore[attr-defined]
    settle(app, 0.3)
    save(window, out, "08-import")

    window.go_to(Page.MERGE)
    merge = window.page(Page.MERGE)
    if hasattr(merge, "set_week"):
        merge.set_week(week_of(dt.date(2017, 11, 10)))  # type: ignore[attr-defined]
    settle(app, 0.5)
    save(window, out, "09-merge")

    shoot_progress(app, window, out)
    shoot_sample(app, window, out)
    shoot_pairs(app, window, state, out)

    history = HistoryDialog(state, 15, window)
    history.show()
    settle(app)
    save(history, out, "10-history")
    history.close()

    settings = SetupDialog.for_session(state.session, window)
    settings.show()
    settle(app)
    save(settings, out, "11-settings")
    settings.close()

    first_run = SetupDialog.for_new_database(folder / "new.sqlite")
    first_run.show()
    first_run.choose_unit("411000")
    settle(app)
    save(first_run, out, "12-first-run-setup")
    first_run.close()
    shoot_desk(app, window, out, folder)
    window.entry._dirty = False
    window.close()


def shoot_desk(app: QApplication, window: Any, out: Path, folder: Path) -> None:
    """Issue 16: first steps, help, the list's number keys, two screen sizes, a 30-area Annex 1."""
    from jiuye_desktop.exports.annex1_pdf import export_annex1_pdf
    from jiuye_desktop.exports.raster import pdf_page_images
    from jiuye_desktop.weeks import week_from_key
    from ui import help_dialog
    from ui.main_window import MainWindow, Page

    empty = init_database(
        folder / "empty.sqlite", unit_code="411024", unit_name="鄢陵县", level=Level.COUNTY
    )
    first = MainWindow(AppState(folder / "empty.sqlite", empty))
    first.setWindowState(Qt.WindowState.WindowNoState)
    first.resize(*SIZE)
    first.show()
    settle(app)
    save(first, out, "13-first-steps")
    first.close()

    guide = help_dialog.show_guide(window)
    settle(app)
    save(guide, out, "14-help-guide")
    guide.close()
    keys = help_dialog.show_shortcuts(window, list(window.action_map.values()))
    settle(app)
    save(keys, out, "15-shortcuts")
    keys.close()

    window.go_to(Page.ENTRY)
    box = window.entry.inputs["登记类型"]
    box.set_value("新就业")
    window.entry._on_field_changed("登记类型")
    box = window.entry.inputs["就业形式"]
    box.showPopup()
    settle(app)
    popup = box.view().window()
    shot = QPixmap(window.size())
    shot.fill(Qt.GlobalColor.white)
    painter = QPainter(shot)
    painter.drawPixmap(0, 0, window.grab())
    painter.drawPixmap(window.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0))), popup.grab())
    painter.end()
    path = out / "16-entry-choice-numbers.png"
    shot.save(str(path))
    print(f"  {path}")
    box.hidePopup()
    window.entry.clear()
    window.entry._dirty = False

    for size, pages in (
        ((1280, 720), (Page.LEDGER, Page.ENTRY, Page.SELFCHECK)),
        ((1920, 1080), (Page.LEDGER, Page.WEEKLY)),
    ):
        window.resize(*size)
        for page in pages:
            window.go_to(page)
            settle(app, 0.5)
            save(window, out, f"17-{page.name.lower()}-{size[0]}x{size[1]}")
    window.resize(*SIZE)

    county = init_database(
        folder / "county30.sqlite",
        unit_code="411024",
        unit_name="鄢陵县",
        level=Level.COUNTY,
        areas=[(None, f"第{i}街道办事处") for i in range(1, 31)],
    )
    county.set_image("seal", seal_png())
    pdf = export_annex1_pdf(
        county, week_from_key("2017-11-2"), folder / "a30.pdf", fill_date=dt.date(2017, 11, 10)
    )
    county.close()
    image = pdf_page_images(pdf.read_bytes(), dpi=110)[0]
    path = out / "18-annex1-30-areas-pdf.png"
    image.save(path)
    print(f"  {path}")


if __name__ == "__main__":
    raise SystemExit(main())

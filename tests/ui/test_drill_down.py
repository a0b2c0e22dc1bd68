"""The weekly screen's drill-down at province level: a city's row opens its counties' rows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from jiuye_desktop import package as pkg
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import Level
from jiuye_desktop.merge import merge_packages
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import week_from_key
from ui.drill_dialog import DrillDownDialog
from ui.state import AppState
from ui.weekly_model import HEADER_ROWS
from ui.weekly_view import WeeklyView

W = week_from_key("2017-11-2")


def unit(path: Path, code: str, name: str, level: Level, areas=None) -> Session:  # noqa: ANN001
    s = init_database(path, unit_code=code, unit_name=name, level=level, areas=areas)
    s.auto_backup = False
    return s


def test_double_click_on_a_city_shows_its_counties(qtbot: QtBot, tmp_path: Path) -> None:
    county = unit(tmp_path / "c.sqlite", "411082", "长葛市", Level.COUNTY, [])
    load_demo(county, 300, seed=5)
    city = unit(tmp_path / "x.sqlite", "411000", "许昌市", Level.CITY)
    merge_packages(city, [pkg.export_package(county, W, tmp_path / "c.xlsx").path])
    load_demo(city, 200, seed=6)
    up = pkg.export_package(city, W, tmp_path / "x.xlsx").path
    henan = unit(tmp_path / "h.sqlite", "410000", "河南省", Level.PROVINCE)
    merge_packages(henan, [up])
    view = WeeklyView(AppState(tmp_path / "h.sqlite", henan))
    qtbot.addWidget(view)
    view.set_week(W)
    view.show()
    qtbot.waitExposed(view)
    names = [r.name for r in view.table.rows] if view.table else []
    row = HEADER_ROWS + 1 + names.index("许昌市")
    view.resize(1200, 900)
    view.grid.scrollTo(view.model.index(row, 0))
    rect = view.grid.visualRect(view.model.index(row, 0))
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = view.drill_dialog
    assert isinstance(dialog, DrillDownDialog)
    qtbot.waitExposed(dialog)
    mine = compute(city, W)
    assert [(r.name, r.cells) for r in dialog.table.rows] == [(r.name, r.cells) for r in mine.rows]
    assert dialog.model.rowCount() == HEADER_ROWS + 1 + len(mine.rows)
    dialog.close()
    # 开封 sent nothing: a message in the status line, no dialog.
    view.drill_dialog = None
    view.drill_down("410200")
    assert view.drill_dialog is None
    for s in (county, city, henan):
        s.close()

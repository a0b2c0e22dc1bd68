"""The adjustments since the last submission, listed under the weekly table (domain.md §9)."""

from __future__ import annotations

import pytest

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.record_edit import edit_fields
from jiuye_desktop.submitted import listed, submit
from jiuye_desktop.weeks import week_from_key
from ui.adjustments_panel import TEXT_HEADERS
from ui.weekly_view import WeeklyView

pytestmark = pytest.mark.usefixtures("dialogs")


def test_the_weekly_screen_lists_the_adjustments(qtbot, state):
    session = state.session
    load_demo(session, 600, year=2017, seed=4)
    submitted = week_from_key("2017-11-2")
    view = WeeklyView(state)
    qtbot.addWidget(view)
    view.set_week(week_from_key("2017-11-3"))
    assert not view.adjustments.isVisibleTo(view)  # nothing submitted before this week yet
    submit(session, submitted)
    view.refresh()
    assert view.adjustments.isVisibleTo(view)
    assert "没有调整" in view.adjustments.title.text()
    rid = next(
        r[0]
        for r in session.db.conn.execute(
            "SELECT id FROM records WHERE registered_on <= '2017-11-10' AND record_type = '新就业' "
            "AND hardship = '否' AND removed_on IS NULL"
        )
    )
    edit_fields(session, rid, ["就业困难人员=是", "困难人员类别=残疾人"], "核实为残疾人")
    view.refresh()
    table = view.adjustments.table
    (item,) = listed(session, view.week).items
    assert table.rowCount() == 2  # the change and 合计
    assert table.item(0, 0).text() == f"#{rid}"
    assert table.item(0, 3).text() == "核实为残疾人"
    assert "就业困难人员：否→是" in table.item(0, 2).text()
    hardship = len(TEXT_HEADERS) + 4  # 就业困难人员就业人数 本年累计
    assert table.item(0, hardship).text() == "+1" == f"{item.effect[9]:+d}"
    assert table.item(1, 1).text() == "合计"
    # The week of the submission itself has no submission before it: nothing listed.
    view.set_week(submitted)
    assert not view.adjustments.isVisibleTo(view)

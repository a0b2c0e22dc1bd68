"""Submitted weekly tables and the adjustments shown against them (no Qt)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from jiuye_desktop import importer, selfcheck, snapshots, weekly
from jiuye_desktop.domain import Level, WeeklyRow, WeeklyTable
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.weeks import week_from_key, week_of

WEEK = week_from_key("2017-11-4")  # 2017-11-18 … 2017-11-24


@pytest.fixture
def session(tmp_path: Path, samples_dir: Path) -> Iterator[Session]:
    s = init_database(
        tmp_path / "l.sqlite", unit_code="411000", unit_name="许昌市", level=Level.CITY
    )
    importer.import_workbook(s, samples_dir / "xuchang-2017-ledger.xlsx")
    yield s
    s.close()


def _rows(table: WeeklyTable) -> list[tuple[int, ...]]:
    return [table.total, *(r.cells for r in table.rows)]


def test_a_week_never_submitted_has_no_diff(session: Session) -> None:
    table = weekly.compute(session, WEEK)
    assert snapshots.last_submission(session, WEEK) is None
    assert snapshots.diff_with_last(session, table) == {}


def test_mark_submitted_stores_the_table(session: Session) -> None:
    table = weekly.compute(session, WEEK)
    first = snapshots.mark_submitted(session, table)
    assert first > 0
    last = snapshots.last_submission(session, WEEK)
    assert last is not None
    assert last.table == weekly.table_json(table)
    assert last.operator == session.operator
    dt.datetime.fromisoformat(last.submitted_at)
    assert snapshots.diff_with_last(session, table) == {}
    # Another week is unaffected.
    assert snapshots.last_submission(session, week_from_key("2017-11-3")) is None
    assert snapshots.mark_submitted(session, table) > first


def test_diff_names_every_changed_cell_with_its_submitted_value(session: Session) -> None:
    before = weekly.compute(session, WEEK)
    snapshots.mark_submitted(session, before)
    # Seven duplicates (新就业) counted in the week: registered by its last day.
    dups = selfcheck.run_check(session).record_ids("duplicate")
    counted = {
        i
        for (i,) in session.db.conn.execute(
            "SELECT id FROM records WHERE record_type = '新就业' AND registered_on <= ?",
            (WEEK.end.isoformat(),),
        )
    }
    ids = [i for i in dups if i in counted][:7]
    assert len(ids) == 7
    # After submission a removal needs a reason (domain.md §9).
    assert (
        selfcheck.remove_selected(
            session, ids, "duplicate", dt.date(2017, 11, 20), adjustment_reason="核实后剔除"
        )
        == 7
    )
    after = weekly.compute(session, WEEK)

    diff = snapshots.diff_with_last(session, after)

    expected = {
        (r, c): old[c]
        for r, (old, new) in enumerate(zip(_rows(before), _rows(after), strict=True))
        for c in range(12)
        if old[c] != new[c]
    }
    assert diff == expected
    # 7 records fewer in 合计's 本年累计 of 城镇新就业 (col 4 → index 3) at least.
    assert diff[(snapshots.TOTAL_ROW, 3)] == before.total[3]
    assert after.total[3] == before.total[3] - 7

    # Submitting the corrected table makes it the reference.
    snapshots.mark_submitted(session, after)
    assert snapshots.diff_with_last(session, after) == {}
    # Restoring them is a change again, against the corrected table.
    for record_id in ids:
        assert selfcheck.restore(session, record_id, "误剔除")
    again = weekly.compute(session, WEEK)
    assert _rows(again) == _rows(before)
    assert snapshots.diff_with_last(session, again) == {
        (r, c): submitted[c]
        for r, (now, submitted) in enumerate(zip(_rows(again), _rows(after), strict=True))
        for c in range(12)
        if now[c] != submitted[c]
    }


def test_rows_are_matched_by_code_then_name_and_new_areas_count_from_zero(session: Session) -> None:
    table = weekly.compute(session, WEEK)
    old = weekly.table_json(table)
    # The submitted table listed the areas in another order: matching is by code, not position.
    old["rows"] = list(reversed(old["rows"]))
    assert snapshots.diff_tables(old, table) == {}

    # A township without a code (a county's areas) is matched by its name.
    town = WeeklyRow("", "城关镇", (1, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0))
    with_town = dataclasses.replace(table, rows=(*table.rows, town))
    old["rows"].append({"code": "", "name": "城关镇", "cells": list(town.cells)})
    assert snapshots.diff_tables(old, with_town) == {}

    # An area that was not in the submitted table reported nothing: its numbers are changes.
    old["rows"].pop()
    diff = snapshots.diff_tables(old, with_town)
    last = len(with_town.rows)
    assert diff == {(last, 0): 0, (last, 1): 0, (last, 2): 0, (last, 3): 0}


def test_default_week_follows_the_ledger_year(session: Session, tmp_path: Path) -> None:
    # Another year: the week of the sample's latest 登记日期.
    (latest,) = session.db.conn.execute("SELECT MAX(registered_on) FROM records").fetchone()
    assert snapshots.default_week(session, dt.date(2025, 3, 5)) == week_of(
        dt.date.fromisoformat(latest)
    )
    # In the ledger's own year the screen opens on today's week.
    assert snapshots.default_week(session, dt.date(2017, 6, 1)) == week_of(dt.date(2017, 6, 1))
    empty = init_database(
        tmp_path / "e.sqlite", unit_code="411000", unit_name="许昌市", level=Level.CITY
    )
    try:
        today = dt.date(2025, 3, 5)
        assert snapshots.default_week(empty, today) == week_of(today)
    finally:
        empty.close()

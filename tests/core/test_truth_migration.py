"""Migration 0006 brings an older ledger to the truth rules: unreadable 登记日期 and 灵活就业."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jiuye_desktop.domain import FindingKind, Record
from jiuye_desktop.storage import db as dbmod
from jiuye_desktop.storage.db import open_database
from jiuye_desktop.validation import record_findings

from .helpers import make_id


def _old_ledger(path: Path) -> None:
    """A ledger at schema version 5 holding records as the program wrote them before."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number, _name, sql in dbmod._migrations()[:5]:
        for statement in dbmod._split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO unit VALUES (1, '411000', '许昌市', 'city', '2017-01-01 08:00:00')")
    conn.execute(
        "INSERT INTO areas (code, name, position, is_self) VALUES ('411002', '魏都区', 1, 0)"
    )
    flex = "灵活就业须连续工作3个月以上且收入不低于当地最低工资标准方可认定"
    rows = [
        # (event, registered, registered as written, form)
        ("2017-01-31", "2017-04-29", "", "灵活就业"),  # too early by one day
        ("2017-01-31", "2017-04-30", "", "灵活就业"),  # exactly three months
        ("2016-11-30", "2017-02-27", "", "灵活就业"),  # (another year: invalid, and early)
        ("2017-03-01", "2017-11-20", "2017年13月5日", "单位就业"),  # unreadable, became import day
    ]
    for i, (event, reg, raw, form) in enumerate(rows, start=1):
        idn = make_id(seq=f"{100 + 2 * i}")
        conn.execute(
            "INSERT INTO records (id, name, id_number, id_raw, id_ok, record_type, event_date, "
            "employment_form, registered_on, registered_on_raw, area_id, ind, dup_key, created_at) "
            "VALUES (?, '王伟', ?, ?, 1, '新就业', ?, ?, ?, ?, 1, 1, ?, '2017-11-20 09:00:00')",
            (i, idn, idn, event, form, reg, raw, "N" + reg[:4]),
        )
        if form == "灵活就业":
            conn.execute(
                "INSERT INTO record_findings VALUES (?, 'warning', '就业形式', ?)", (i, flex)
            )
    conn.execute("INSERT INTO tally VALUES (2017, '2017-11-20', 1, 1, 1)")
    conn.close()


def test_migration_recomputes_flexible_warnings_and_unreadable_dates(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _old_ledger(path)
    db = open_database(path)
    try:
        conn = db.conn
        flex = conn.execute(
            "SELECT record_id, message, rule FROM record_findings WHERE field = '就业形式' "
            "ORDER BY record_id"
        ).fetchall()
        assert [r[0] for r in flex] == [1, 3]
        assert "应不早于2017-04-30" in flex[0][1] and flex[0][2] == "灵活就业登记过早"
        assert "应不早于2017-02-28" in flex[1][1]
        # The same message the program writes today.
        rec = Record(
            name="王伟",
            id_number=make_id(seq="102"),
            record_type="新就业",
            event_date="2017-01-31",
            employment_form="灵活就业",
            registered_on="2017-04-29",
        )
        now = [f.message for f in record_findings(rec, area_known=True) if f.field == "就业形式"]
        assert now == [flex[0][1]]
        # The unreadable 登记日期 is no longer a date, and is an invalid finding with its text.
        reg, dup = conn.execute(
            "SELECT registered_on, dup_key FROM records WHERE id = 4"
        ).fetchone()
        assert reg == "" and dup is None
        invalid = conn.execute(
            "SELECT kind, message FROM record_findings WHERE record_id = 4"
        ).fetchall()
        assert invalid == [(FindingKind.INVALID.value, "登记日期“2017年13月5日”无法识别")]
        assert conn.execute(
            "SELECT old_value, new_value FROM history WHERE record_id = 4"
        ).fetchall() == [("2017-11-20", "")]
        # The tally followed: nothing counted on the import day any more.
        assert (
            conn.execute("SELECT coalesce(sum(n), 0) FROM tally WHERE year = 2017").fetchone()[0]
            == 0
        )
    finally:
        db.close()

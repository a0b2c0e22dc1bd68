"""Issue 12: unreadable dates are findings (never another date), and checked warnings
travel in the package to the city (through the command line)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop.cli import main

from .helpers import make_id, new_row, write_book


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _init(db: Path, *args: str) -> None:
    assert main(["init", "--db", str(db), *args]) == 0


ROWS = [
    # Row 2: a sound record.
    new_row(
        姓名="张一",
        公民身份号码=make_id(seq="101"),
        联系电话="15100021100",
        **{"登记日期": "2017-05-10"},
    ),
    # Row 3: 登记日期 written but not a date.
    new_row(
        姓名="张二",
        公民身份号码=make_id(seq="103"),
        联系电话="15100021101",
        **{"登记日期": "2017年13月5日"},
    ),
    # Row 4: 就业日期 written but not a date.
    new_row(
        姓名="张三",
        公民身份号码=make_id(seq="105"),
        联系电话="15100021102",
        **{"就业（减员）日期": "去年春天"},
    ),
    # Row 5: 灵活就业 registered too early (a warning the county will dismiss).
    new_row(
        姓名="张四",
        公民身份号码=make_id(seq="107"),
        联系电话="15100021103",
        就业形式="灵活就业",
        **{"就业（减员）日期": "2017-05-01", "登记日期": "2017-05-12"},
    ),
]


def test_unreadable_dates_on_import_and_in_merge_and_a_checked_warning_travels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "county.sqlite"
    _init(county, "--unit-code", "411002", "--unit-name", "魏都区", "--level", "county")
    book = write_book(tmp_path / "in.xlsx", [{**r, "所属地区": "本级"} for r in ROWS])
    assert _cli(capsys, "import", str(book), "--db", str(county), "--json")["imported"] == 4
    check = _cli(capsys, "check", "--db", str(county), "--json")
    by_row = {}
    for f in check["findings"]:
        by_row.setdefault(f["source_row"], []).append(f)
    assert [(f["kind"], f["field"], f["message"]) for f in by_row[3]] == [
        ("invalid", "登记日期", "登记日期“2017年13月5日”无法识别")
    ]
    assert [(f["kind"], f["field"]) for f in by_row[4]] == [("invalid", "就业（减员）日期")]
    assert "“去年春天”" in by_row[4][0]["message"]
    # The unreadable 登记日期 was not replaced by the import day: it is counted in no week.
    today = dt.date.today()
    week = _cli(capsys, "weekly", "--db", str(county), "--date", "2017-12-29", "--json")
    assert week["total"][3] == 3  # 城镇新就业人员 本年累计: rows 2, 4 and 5
    if today.year != 2017:
        now = _cli(capsys, "weekly", "--db", str(county), "--date", today.isoformat(), "--json")
        assert now["total"][3] == 0
    # The county checks the 灵活就业 warning.
    flex = by_row[5][0]
    assert flex["rule"] == "灵活就业登记过早"
    _cli(
        capsys, "dismiss", "--db", str(county), "--operator", "李会计", "--record",
        str(flex["record"]), "--finding", "灵活就业登记过早", "--reason", "已电话核实（满3个月）",
        "--json",
    )  # fmt: skip
    package = tmp_path / "up.xlsx"
    got = _cli(
        capsys, "export-package", "--db", str(county), "--week", "2017-12-5", "--out",
        str(package), "--json",
    )  # fmt: skip
    assert got["rows"] == 4  # the undated record goes up too (invalid, for the city to see)
    # The city merges it: the same invalid findings, and the warning stays checked.
    city = tmp_path / "city.sqlite"
    _init(city, "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city")
    _cli(capsys, "merge", "--db", str(city), str(package), "--json")
    up = _cli(capsys, "check", "--db", str(city), "--json")
    messages = [f["message"] for f in up["findings"] if f["kind"] == "invalid"]
    assert "登记日期“2017年13月5日”无法识别" in messages
    assert any("“去年春天”" in m for m in messages)
    assert not [f for f in up["findings"] if f.get("rule") == "灵活就业登记过早"]
    assert [(d["rule"], d["reason"], d["operator"]) for d in up["dismissed"]] == [
        ("灵活就业登记过早", "已电话核实（满3个月）", "李会计")
    ]
    city_week = _cli(capsys, "weekly", "--db", str(city), "--date", "2017-12-29", "--json")
    assert city_week["total"][3] == 3


def test_an_empty_registration_date_still_defaults_to_the_import_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    _init(db, "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city")
    book = write_book(tmp_path / "in.xlsx", [new_row(**{"登记日期": ""})])
    _cli(capsys, "import", str(book), "--db", str(db), "--json")
    check = _cli(capsys, "check", "--db", str(db), "--json")
    assert not [f for f in check["findings"] if f["field"] == "登记日期"]
    today = dt.date.today()
    now = _cli(capsys, "weekly", "--db", str(db), "--date", today.isoformat(), "--json")
    assert now["total"][3] == 1  # registered today (and invalid: its event is in 2017)


def test_the_forms_path_keeps_an_unreadable_date_and_an_edit_can_fix_it(tmp_path: Path) -> None:
    from jiuye_desktop.service import open_session
    from jiuye_desktop.storage import ledger

    db = tmp_path / "l.sqlite"
    _init(db, "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city")
    session = open_session(db)
    try:
        record_id, findings = session.add_values(new_row(**{"登记日期": "2017-02-30"}))
        assert [(f.kind.value, f.field, f.message) for f in findings] == [
            ("invalid", "登记日期", "登记日期“2017-02-30”无法识别")
        ]
        stored = ledger.get_record(session.db.conn, record_id)
        assert stored is not None
        assert stored.registered_on == "" and stored.registered_on_raw == "2017-02-30"
    finally:
        session.close()

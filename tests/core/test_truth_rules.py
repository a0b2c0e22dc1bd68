"""Issue 12: the keep rule keeps a sound record, the 灵活就业 warning, the 去产能 double count."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop.cli import main
from jiuye_desktop.domain import FindingKind, Record
from jiuye_desktop.validation import add_months, record_findings

from .helpers import db_fingerprint, make_id, new_row, write_book

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2017, 1, 31), 3, D(2017, 4, 30)),  # April has 30 days: its last day
        (D(2016, 11, 30), 3, D(2017, 2, 28)),
        (D(2015, 11, 29), 3, D(2016, 2, 29)),  # a leap year keeps the 29th
        (D(2017, 1, 15), 3, D(2017, 4, 15)),
        (D(2017, 10, 1), 3, D(2018, 1, 1)),
        (D(2017, 12, 31), 2, D(2018, 2, 28)),
        (D(2017, 5, 31), 0, D(2017, 5, 31)),
    ],
)
def test_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def _flex(event: str, registered: str, **kw: Any) -> Record:
    base = dict(
        name="王伟",
        id_number=make_id(),
        id_raw=make_id(),
        area_code="411002",
        area_raw="魏都区",
        record_type="新就业",
        event_date=event,
        employment_form="灵活就业",
        phone="15100021099",
        registered_on=registered,
        reemployed="否",
        hardship="否",
        overcapacity="否",
    )
    base.update(kw)
    return Record(**base)


def _warnings(record: Record) -> list[str]:
    return [
        f.message
        for f in record_findings(record, area_known=True)
        if f.kind == FindingKind.WARNING and f.field == "就业形式"
    ]


@pytest.mark.parametrize(
    ("event", "registered", "warned"),
    [
        ("2017-01-31", "2017-04-29", True),
        ("2017-01-31", "2017-04-30", False),  # exactly three calendar months later
        ("2017-03-15", "2017-06-14", True),
        ("2017-03-15", "2017-06-15", False),
        ("2017-03-15", "2017-03-15", True),
        ("2017-03-15", "2017-12-01", False),
    ],
)
def test_flexible_employment_warned_only_when_registered_too_early(
    event: str, registered: str, warned: bool
) -> None:
    found = _warnings(_flex(event, registered))
    assert bool(found) == warned
    if warned:
        assert registered in found[0] and event in found[0] and "不足3个月" in found[0]


def test_other_forms_never_get_the_flexible_warning() -> None:
    assert _warnings(_flex("2017-03-15", "2017-03-16", employment_form="单位就业")) == []


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else out


def _ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict[str, Any]]) -> str:
    db = str(tmp_path / "l.sqlite")
    assert (
        main(
            [
                "init",
                "--db",
                db,
                "--unit-code",
                "411000",
                "--unit-name",
                "许昌市",
                "--level",
                "city",
            ]
        )
        == 0
    )
    book = write_book(tmp_path / "in.xlsx", rows)
    code, out = _cli(capsys, "import", str(book), "--db", db, "--json")
    assert code == 0 and out["imported"] == len(rows)
    return db


def test_keep_rule_keeps_the_sound_record_and_removal_keeps_the_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = make_id("411002", "19850312", "123")
    rows = [
        # Earliest, but invalid (a malformed phone).
        new_row(
            姓名="王伟",
            公民身份号码=person,
            联系电话="12345",
            **{"就业（减员）日期": "2017-03-01", "登记日期": "2017-03-05"},
        ),
        # Later and sound.
        new_row(
            姓名="王伟",
            公民身份号码=person,
            **{"就业（减员）日期": "2017-04-01", "登记日期": "2017-04-05"},
        ),
        # Latest, incomplete (no 就业形式).
        new_row(
            姓名="王伟",
            公民身份号码=person,
            就业形式="",
            **{"就业（减员）日期": "2017-02-01", "登记日期": "2017-05-05"},
        ),
    ]
    db = _ledger(tmp_path, capsys, rows)
    code, check = _cli(capsys, "check", "--db", db, "--json")
    assert code == 0
    dups = [f for f in check["findings"] if f["kind"] == "duplicate"]
    assert sorted(f["source_row"] for f in dups) == [2, 4]
    first = min(f["record"] for f in dups)  # records are numbered in row order
    assert {f["keeps"] for f in dups} == {first + 1}  # row 3, the sound one
    code, out = _cli(
        capsys, "remove", "--db", db, "--kind", "all", "--date", "2017-11-20", "--json"
    )
    assert code == 0 and out["total"] == 2
    code, week = _cli(capsys, "weekly", "--db", db, "--date", "2017-11-24", "--json")
    assert week["total"][3] == 1  # 城镇新就业人员 本年累计: the person is still counted


def test_keep_rule_among_sound_records_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = make_id("411002", "19850312", "123")
    rows = [
        new_row(
            公民身份号码=person, **{"就业（减员）日期": "2017-04-01", "登记日期": "2017-04-05"}
        ),
        new_row(
            公民身份号码=person, **{"就业（减员）日期": "2017-03-01", "登记日期": "2017-04-05"}
        ),
    ]
    db = _ledger(tmp_path, capsys, rows)
    _, check = _cli(capsys, "check", "--db", db, "--json")
    dups = [f for f in check["findings"] if f["kind"] == "duplicate"]
    assert [f["source_row"] for f in dups] == [2]  # the earliest 就业日期 (row 3) is kept


def test_placement_of_a_person_also_counted_as_overcapacity_new_employment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = make_id("411002", "19800101", "456")
    other = make_id("411002", "19800101", "458")
    placement = {
        "登记类型": "去产能安置",
        "就业形式": "",
        "去产能职工": "是",
        "原企业名称": "平顶山煤业",
        "安置方式": "内部转岗",
        "联系电话": "",
    }
    rows = [
        new_row(
            姓名="李强",
            公民身份号码=person,
            去产能职工="是",
            原企业名称="平顶山煤业",
            安置方式="转岗就业创业",
        ),
        new_row(姓名="李强", 公民身份号码=person, **placement),
        # Same person, other year's 新就业 does not count; another person does not either.
        new_row(姓名="赵六", 公民身份号码=other, **placement),
        new_row(姓名="赵六", 公民身份号码=other, 去产能职工="否"),
    ]
    db = _ledger(tmp_path, capsys, rows)
    _, check = _cli(capsys, "check", "--db", db, "--json")
    double = [f for f in check["findings"] if "重复计算" in f["message"]]
    assert [(f["source_row"], f["kind"]) for f in double] == [(3, "warning")]
    assert "第 2 行" in double[0]["message"]


def test_dismiss_a_warning_and_refuse_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = make_id("411002", "19850312", "123")
    rows = [
        new_row(
            公民身份号码=person,
            就业形式="灵活就业",
            **{"就业（减员）日期": "2017-03-15", "登记日期": "2017-04-01"},
        ),
        new_row(
            公民身份号码=person, **{"就业（减员）日期": "2017-05-01", "登记日期": "2017-05-05"}
        ),
    ]
    db = _ledger(tmp_path, capsys, rows)
    _, check = _cli(capsys, "check", "--db", db, "--json")
    warning = next(f for f in check["findings"] if f["kind"] == "warning")
    dup = next(f for f in check["findings"] if f["kind"] == "duplicate")
    assert warning["rule"] == "灵活就业登记过早"
    fingerprint = db_fingerprint(Path(db))
    # A duplicate cannot be dismissed: exit 1, the reason, nothing changed.
    code = main(
        [
            "dismiss",
            "--db",
            db,
            "--record",
            str(dup["record"]),
            "--finding",
            "duplicate",
            "--reason",
            "核实过",
        ]
    )
    assert code == 1
    assert "不能标记为已核实" in capsys.readouterr().err
    code, out = _cli(
        capsys,
        "dismiss",
        "--db",
        db,
        "--record",
        str(dup["record"]),
        "--finding",
        "warning",
        "--reason",
        "x",
        "--json",
    )
    assert code == 1 and out["exit"] == 1 and "没有未核实的警告" in out["error"]
    code = main(
        [
            "dismiss",
            "--db",
            db,
            "--record",
            str(warning["record"]),
            "--finding",
            "灵活就业登记过早",
            "--reason",
            " ",
        ]
    )
    assert code == 1 and "核实理由" in capsys.readouterr().err
    assert db_fingerprint(Path(db)) == fingerprint
    # The warning is dismissed: out of the open list, kept as dismissed and in the history.
    code, out = _cli(
        capsys,
        "dismiss",
        "--db",
        db,
        "--operator",
        "张三",
        "--record",
        str(warning["record"]),
        "--finding",
        "灵活就业登记过早",
        "--reason",
        "电话核实：已连续工作满3个月",
        "--json",
    )
    assert code == 0 and [d["finding"] for d in out["dismissed"]] == ["灵活就业登记过早"]
    _, again = _cli(capsys, "check", "--db", db, "--json")
    assert again["summary"]["warning"] == check["summary"]["warning"] - 1
    assert [d["rule"] for d in again["dismissed"]] == ["灵活就业登记过早"]
    assert again["dismissed"][0]["operator"] == "张三"
    _, history = _cli(capsys, "history", "--db", db, "--record", str(warning["record"]), "--json")
    checked = [h for h in history["history"] if h["action"] == "dismiss"]
    assert [(h["field"], h["new_value"], h["operator"]) for h in checked] == [
        ("灵活就业登记过早", "电话核实：已连续工作满3个月", "张三")
    ]
    assert main(["history", "--db", db, "--record", str(warning["record"])]) == 0
    assert "已核实 灵活就业登记过早" in capsys.readouterr().out
    # Twice is refused.
    code = main(
        [
            "dismiss",
            "--db",
            db,
            "--record",
            str(warning["record"]),
            "--finding",
            "灵活就业登记过早",
            "--reason",
            "再次",
        ]
    )
    assert code == 1 and "已经标记为已核实" in capsys.readouterr().err


def test_dismiss_by_the_fields_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        new_row(就业形式="灵活就业", **{"就业（减员）日期": "2017-03-15", "登记日期": "2017-04-01"})
    ]
    db = _ledger(tmp_path, capsys, rows)
    _, check = _cli(capsys, "check", "--db", db, "--json")
    record = check["findings"][0]["record"]
    code, out = _cli(
        capsys, "dismiss", "--db", db, "--record", str(record), "--finding", "就业形式",
        "--reason", "核实", "--json",
    )  # fmt: skip
    assert code == 0 and [d["finding"] for d in out["dismissed"]] == ["灵活就业登记过早"]

"""The command line contract of cli.md: JSON on stdout only, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jiuye_desktop import __version__
from jiuye_desktop.cli import main

from .helpers import db_fingerprint, new_row, write_book

PROJECT = Path(__file__).resolve().parents[2]


def test_usage_errors_exit_2_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for argv in (
        ["weekly"],
        ["remove", "--kind", "foo", "--date", "2017-11-24"],
        ["nosuch"],
        ["remove", "--kind", "all", "--date", "24/11/2017"],
        [],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "用法" in err and "参数错误" in err, argv


def test_missing_database_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", "--db", str(tmp_path / "none.sqlite"), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": captured.err.strip(), "exit": 1}
    assert "不存在" in captured.err
    assert not (tmp_path / "none.sqlite").exists()


def test_a_file_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "x.sqlite"
    bogus.write_bytes(b"hello, this is not sqlite at all" * 10)
    assert main(["weekly", "--db", str(bogus), "--week", "2017-11-2"]) == 1
    assert "不是本程序的数据库" in capsys.readouterr().err
    assert bogus.read_bytes().startswith(b"hello")


def test_database_newer_than_the_program(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "l.sqlite"
    assert (
        main(
            [
                "init",
                "--db",
                str(db),
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
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db_fingerprint(db)
    assert main(["check", "--db", str(db)]) == 1
    assert "更新版本" in capsys.readouterr().err
    assert db_fingerprint(db) == before


def test_init_twice_and_bad_unit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    args = ["init", "--db", db, "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city"]
    assert main(args) == 0
    assert main(args) == 1
    assert "已经建立" in capsys.readouterr().err
    assert (
        main(
            [
                "init",
                "--db",
                str(tmp_path / "b.sqlite"),
                "--unit-code",
                "41100",
                "--unit-name",
                "x",
                "--level",
                "city",
            ]
        )
        == 1
    )


def test_county_with_townships(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    assert (
        main(
            [
                "init",
                "--db",
                db,
                "--unit-code",
                "411082",
                "--unit-name",
                "长葛市",
                "--level",
                "county",
                "--area",
                "411082001:建设路街道",
                "--area",
                "石固镇",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in out["areas"]] == ["长葛市本级", "建设路街道", "石固镇"]
    book = write_book(
        tmp_path / "c.xlsx",
        [
            new_row(**{"所属地区": "石固镇"}),
            new_row(**{"所属地区": "长葛市本级", "公民身份号码": "410102198402212884"}),
        ],
    )
    assert main(["import", str(book), "--db", db, "--json"]) == 0
    capsys.readouterr()
    assert main(["weekly", "--db", db, "--date", "2017-05-12", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert [r["cells"][3] for r in table["rows"]] == [1, 0, 1]
    assert table["total"][3] == 2


def test_city_default_areas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(
            [
                "init",
                "--db",
                str(tmp_path / "z.sqlite"),
                "--unit-code",
                "410100",
                "--unit-name",
                "郑州市",
                "--level",
                "city",
                "--json",
            ]
        )
        == 0
    )
    names = [a["name"] for a in json.loads(capsys.readouterr().out)["areas"]]
    assert names[0] == "郑州市本级" and "金水区" in names and "新郑市" in names
    assert "巩义市" in names  # a county-level unit of 郑州 (domain.md §2), if directly administered


def test_province_default_areas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "henan.sqlite")
    args = ["init", "--db", db, "--unit-code", "410000", "--unit-name", "河南省"]
    assert main([*args, "--level", "province", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unit"]["level"] == "province"
    codes = [a["code"] for a in doc["areas"]]
    assert codes[0] == "410000" and len(codes) == 29  # 本级 and the 28 areas
    assert codes[1] == "410100" and codes[17] == "411700" and codes[18] == "419001"
    assert codes[19:] == sorted(codes[19:]) and "410181" in codes and "411729" in codes
    assert main(["weekly", "--db", db, "--week", "2017-11-2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["name"] for r in rows][:3] == ["河南省本级", "郑州市", "开封市"]
    assert "巩义市" in [r["name"] for r in rows]


def test_weekly_text_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    main(["init", "--db", db, "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city"])
    main(["import", str(write_book(tmp_path / "a.xlsx", [new_row()])), "--db", db])
    capsys.readouterr()
    assert main(["weekly", "--db", db, "--week", "2017-05-2"]) == 0
    text = capsys.readouterr().out
    assert "2017年5月第2周" in text and "合计" in text and "魏都区" in text
    assert main(["weekly", "--db", db, "--week", "2017-05-2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["week"] == {"label": "2017年5月第2周", "start": "2017-05-06", "end": "2017-05-12"}
    assert doc["total"][:4] == [1, 1, 1, 1] and len(doc["columns"]) == 12
    assert main(["weekly", "--db", db, "--week", "2017-11-9"]) == 2  # no such week: usage


def test_main_py_runs_the_command_line() -> None:
    proc = subprocess.run(
        [sys.executable, "main.py", "--version"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and __version__ in proc.stdout

"""Issue 12 item 1: the self-check report tells the truth about open findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop.cli import main

from .helpers import make_id, new_row, write_book

NOTHING = "经自查，未发现需要剔除的重复、无效或不完整数据"


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("需要 poppler-utils（pdftotext）：apt-get install -y poppler-utils")
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_open_findings_are_stated_and_listed_and_nothing_is_claimed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "l.sqlite")
    assert main(["init", "--db", db, "--unit-code", "411000", "--unit-name", "许昌市"]) == 0
    person = make_id("411002", "19850312", "123")
    rows = [
        new_row(公民身份号码=person, 联系电话="15100021001"),
        new_row(  # a duplicate of row 2, in another area
            公民身份号码=person,
            所属地区="长葛市",
            联系电话="15100021002",
            **{"登记日期": "2017-06-01"},
        ),
        new_row(  # invalid: wrong check digit
            姓名="李四", 公民身份号码=make_id(seq="201")[:17] + "0", 联系电话="15100021003"
        ),
        new_row(姓名="赵五", 公民身份号码=make_id(seq="203"), 就业形式="", 联系电话="15100021004"),
        new_row(姓名="钱六", 公民身份号码=make_id(seq="205"), 联系电话="15100021005"),
    ]
    if rows[2]["公民身份号码"] == make_id(seq="201"):
        rows[2]["公民身份号码"] = make_id(seq="201")[:17] + "1"
    book = write_book(tmp_path / "in.xlsx", rows)
    _cli(capsys, "import", str(book), "--db", db)
    pdf = tmp_path / "report.pdf"
    got = _cli(capsys, "report-selfcheck", "--db", db, "--out", str(pdf), "--date", "2017-11-24")
    assert got["open"] == {"duplicate": 1, "invalid": 1, "incomplete": 1}
    assert got["open_by_area"] == {
        "长葛市": {"duplicate": 1, "invalid": 0, "incomplete": 0},
        "魏都区": {"duplicate": 0, "invalid": 1, "incomplete": 1},
    }
    text = _text(pdf)
    assert NOTHING not in text
    assert "仍有3条尚未剔除（重复1条，无效1条，不完整1条）" in text
    assert "长葛市：重复1条" in text and "魏都区：无效1条、不完整1条" in text
    assert "尚未剔除的重复、无效、不完整记录（共3条）" in text
    assert person not in text
    masked = person[:6] + "********" + person[-4:]
    assert masked in text
    assert "灵活就业人员须连续工作3个月以上" in text  # the rule is in the report's text
    # Once everything is removed, the report says so (and no longer lists open records).
    _cli(capsys, "remove", "--db", db, "--kind", "all", "--date", "2017-11-20")
    got = _cli(capsys, "report-selfcheck", "--db", db, "--out", str(pdf), "--date", "2017-11-24")
    assert got["open"] == {"duplicate": 0, "invalid": 0, "incomplete": 0}
    text = _text(pdf)
    assert "共剔除3条" in text and "尚未剔除" not in text


def test_a_clean_ledger_says_nothing_needed_removal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "l.sqlite")
    assert main(["init", "--db", db, "--unit-code", "411000", "--unit-name", "许昌市"]) == 0
    book = write_book(tmp_path / "in.xlsx", [new_row()])
    _cli(capsys, "import", str(book), "--db", db)
    pdf = tmp_path / "report.pdf"
    got = _cli(capsys, "report-selfcheck", "--db", db, "--out", str(pdf), "--date", "2017-11-24")
    assert sum(got["open"].values()) == 0
    assert NOTHING in _text(pdf)

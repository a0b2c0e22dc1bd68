"""Hostile input: each gives a clear Chinese message or findings, never a traceback,
never a partial import (issue 6)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye_desktop.cli import main
from jiuye_desktop.domain import Area, Level, Unit
from jiuye_desktop.importer import ImportRefused, import_workbook
from jiuye_desktop.records import UnitContext, cell_text, normalize, prepared_row, row_findings
from jiuye_desktop.selfcheck import run_check
from jiuye_desktop.storage import ledger
from jiuye_desktop.validation import parse_date, read_id

from .helpers import TEMPLATE, db_fingerprint, make_id, new_row, write_book, xuchang


@pytest.fixture
def session(tmp_path: Path):
    s = xuchang(tmp_path / "l.sqlite")
    s.auto_backup = False
    yield s
    s.close()


def refused(session, path: Path, *words: str) -> str:
    before = db_fingerprint(session.db.path)
    with pytest.raises(ImportRefused) as info:
        import_workbook(session, path)
    assert db_fingerprint(session.db.path) == before
    message = str(info.value)
    assert path.name in message
    for w in words:
        assert w in message, message
    return message


def test_zip_bomb_is_refused_before_parsing(session, tmp_path: Path) -> None:
    good = write_book(tmp_path / "g.xlsx", [new_row()])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/worksheets/padding.xml", "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(120):  # 120 MB of spaces, a few hundred KB compressed
                fh.write(chunk)
    assert bomb.stat().st_size < 2_000_000
    refused(session, bomb, "压缩炸弹")


def test_encrypted_or_legacy_garbage(session, tmp_path: Path) -> None:
    ole = tmp_path / "old.xls"
    ole.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600)
    refused(session, ole)


def test_formulas_without_cached_values_become_findings(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "f.xlsx", [new_row(**{"就业（减员）日期": "=DATE(2017,5,2)"})])
    assert import_workbook(session, path).imported == 1
    kinds = {(f.kind, f.field) for f in run_check(session).findings}
    assert ("incomplete", "就业（减员）日期") in kinds


def test_hidden_sheet_with_headers_comes_after_the_visible_one(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "h.xlsx", [new_row()])
    wb = openpyxl.load_workbook(path)
    hidden = wb.create_sheet("旧表", 0)
    hidden.append(TEMPLATE)
    hidden.append([new_row(**{"姓名": "隐藏"}).get(h) for h in TEMPLATE])
    hidden.sheet_state = "hidden"
    wb.active = 1
    wb.save(path)
    result = import_workbook(session, path)
    assert result.sheet == "实名台账"
    assert [r.name for _, r, _, _ in ledger.iter_records(session.db.conn)] == ["王伟"]


def _with_control_characters(path: Path) -> Path:
    """openpyxl refuses control characters; Excel stores them escaped as _xHHHH_."""
    out = path.with_name("ctl-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename).replace(b"CTRL", b"_x0007__x0000__x001B_"))
    return out


def test_very_long_text_and_control_characters(session, tmp_path: Path) -> None:
    rows = [
        new_row(**{"姓名": "王" * 5000, "备注": "长" * 100_000}),
        new_row(
            **{
                "公民身份号码": make_id(seq="321"),
                "姓名": "李CTRL娜",
                "就业单位名称": "许昌CTRL公司",
            }
        ),
    ]
    path = _with_control_characters(write_book(tmp_path / "long.xlsx", rows))
    assert import_workbook(session, path).imported == 2
    recs = [r for _, r, _, _ in ledger.iter_records(session.db.conn)]
    assert len(recs[0].remark) >= 32_767  # Excel's own cell limit; kept as read
    assert recs[1].name == "李娜" and recs[1].employer == "许昌公司"
    msgs = [f.message for f in run_check(session).findings if f.kind == "invalid"]
    assert any("超过20个字" in m for m in msgs)


def test_ids_stored_as_floats(session, tmp_path: Path) -> None:
    rows = [
        new_row(**{"公民身份号码": 4.11002198503121e17}),
        new_row(**{"公民身份号码": 410102840221288.0, "姓名": "老号"}),
    ]
    assert import_workbook(session, write_book(tmp_path / "fl.xlsx", rows)).imported == 2
    found = {f.name: f.message for f in run_check(session).findings if f.kind == "invalid"}
    assert "Excel" in found["王伟"]
    assert "老号" not in found  # a 15-digit ID survives as a number and is upgraded


def test_dates_before_1900(session, tmp_path: Path) -> None:
    rows = [
        new_row(**{"就业（减员）日期": "1899-12-31"}),
        new_row(**{"公民身份号码": make_id(seq="654"), "就业（减员）日期": -5}),
    ]
    assert import_workbook(session, write_book(tmp_path / "old.xlsx", rows)).imported == 2
    found = [f for f in run_check(session).findings if f.kind == "invalid"]
    dated = [f for f in found if f.field == "就业（减员）日期"]
    assert len(dated) == 2
    assert any("1899-12-31" in f.message for f in dated)
    assert any("无法识别" in f.message for f in dated)


@pytest.mark.slow
def test_a_sheet_with_1048576_rows(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "tall.xlsx", [new_row()])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws.cell(1_048_576, TEMPLATE.index("备注") + 1, "最后一行")
    wb.save(path)
    result = import_workbook(session, path)
    # The stray note at the very bottom is a row with content: it is imported and judged.
    assert result.imported == 2
    incomplete = {f.source_row for f in run_check(session).findings if f.kind == "incomplete"}
    assert incomplete == {1_048_576}


def test_cli_refusals_exit_1_and_say_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    xuchang(db).close()
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    before = db_fingerprint(db)
    assert main(["import", str(bad), "--db", str(db), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": captured.err.strip(), "exit": 1}
    assert "坏文件.xlsx" in captured.err and "Traceback" not in captured.err
    headers = [h for h in TEMPLATE if h != "登记类型"]
    missing = write_book(tmp_path / "缺列.xlsx", [new_row()], headers)
    assert main(["import", str(missing), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "缺少必需的列：登记类型" in err and "第1行" in err
    assert db_fingerprint(db) == before


# --- property tests on the parsers ---------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@given(cells)
def test_parsers_never_raise(value: object) -> None:
    text = cell_text(value)
    assert isinstance(text, str)
    day = parse_date(value)
    assert day is None or isinstance(day, dt.date)
    res = read_id(text)
    assert res.ok == (not res.error and bool(res.number))
    if res.ok:
        assert len(res.number) == 18


_CTX = UnitContext(
    unit=Unit("411000", "许昌市", Level.CITY),
    areas=[Area("411000", "许昌市本级", 0, True), Area("411002", "魏都区", 1)],
    area_ids={"411000": 1, "411002": 2},
)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(TEMPLATE), cells, max_size=len(TEMPLATE)))
def test_any_row_normalises_and_is_judged_without_raising(values: dict) -> None:
    record = normalize(values, _CTX, source_row=7)
    findings = row_findings(prepared_row(record, _CTX))
    assert record.registered_on is not None
    for f in findings:
        assert f.message and f.field

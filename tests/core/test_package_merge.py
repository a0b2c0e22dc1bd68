"""The file that goes upward: county → package → city, the checks a package must pass, replacement."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jiuye_desktop import package as pkg
from jiuye_desktop import signing
from jiuye_desktop.cli import Refused
from jiuye_desktop.cli.merge_commands import register
from jiuye_desktop.completeness import completeness, forget_failures
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import Level, Week
from jiuye_desktop.merge import (
    MergeRefused,
    cross_area_duplicates,
    merge_packages,
)
from jiuye_desktop.package import format as fmt
from jiuye_desktop.selfcheck import remove_selected, run_check
from jiuye_desktop.service import Session, init_database, open_session
from jiuye_desktop.storage import ledger
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import next_week, week_from_key, week_of, weeks_of_year

from .helpers import db_fingerprint, make_id, new_row, xuchang
from .trust_helpers import resign

W = week_from_key("2017-11-2")  # 2017-11-04 … 2017-11-10
REMOVED_ON = dt.date(2017, 6, 14)  # a Wednesday: week 2017-06-10 … 2017-06-16
LATE_REMOVAL = dt.date(2017, 12, 5)  # after W: not in W's package


def county(path: Path, code: str = "411082", name: str = "长葛市", areas: Any = None) -> Session:
    s = init_database(
        path,
        unit_code=code,
        unit_name=name,
        level=Level.COUNTY,
        areas=areas if areas is not None else [(None, "石固镇"), (None, "建设路街道")],
    )
    s.auto_backup = False
    return s


def city(path: Path) -> Session:
    s = xuchang(path)
    s.auto_backup = False
    return s


def add(session: Session, area: str, **kw: Any) -> int:
    record_id, _ = session.add_values(new_row(所属地区=area, **kw))
    return record_id


def cells(table: Any, name: str) -> tuple[int, ...]:
    return next(r.cells for r in table.rows if r.name == name)


def tally_matches_scan(session: Session, week: Week) -> bool:
    conn = session.db.conn
    prev = (week.start - dt.timedelta(days=1)).isoformat()
    args = (f"{week.year}-01-01", prev, week.end.isoformat())
    by_tally = {(a, i): (c, p) for a, i, c, p in ledger.weekly_counts(conn, *args) if c or p}
    by_scan = {(a, i): (c, p) for a, i, c, p in ledger.weekly_counts_by_scan(conn, *args) if c or p}
    return by_tally == by_scan


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two county ledgers with demo records, removals dated before and after W, a stray area."""
    root = tmp_path_factory.mktemp("counties")
    a = county(root / "changge.sqlite")
    load_demo(a, 1500, seed=3)
    stray = add(a, "不存在乡", 公民身份号码=make_id("411082", "19880101", "501"))
    ids = [r[0] for r in a.db.conn.execute("SELECT id FROM records ORDER BY id LIMIT 40")]
    remove_selected(a, ids[:25], "invalid", REMOVED_ON, note="6月核查")
    remove_selected(a, ids[25:], "duplicate", LATE_REMOVAL, note="12月核查")
    b = county(root / "weidu.sqlite", "411002", "魏都区", [("411002001", "东大街道")])
    load_demo(b, 800, seed=4)
    out = {"changge": a, "weidu": b, "root": root, "stray": stray}
    yield out
    a.close()
    b.close()


def export(session: Session, week: Week, path: Path, **kw: Any) -> Path:
    pkg.export_package(session, week, path, **kw)
    return path


# --- The round trip ------------------------------------------------------------------------------


def test_round_trip_gives_the_countys_numbers_for_every_week(
    counties: dict[str, Any], tmp_path: Path
) -> None:
    a, b = counties["changge"], counties["weidu"]
    files = [export(a, W, tmp_path / "changge.xlsx"), export(b, W, tmp_path / "weidu.xlsx")]
    c = city(tmp_path / "city.sqlite")
    result = merge_packages(c, files)
    assert [p.action for p in result.packages] == ["new", "new"]
    before_removal = week_of(REMOVED_ON - dt.timedelta(days=7))
    weeks = [
        week_from_key("2017-01-1"),
        before_removal,
        week_of(REMOVED_ON),
        next_week(week_of(REMOVED_ON)),
        week_from_key("2017-09-3"),
        W,
    ]
    for week in weeks:
        assert week is not None
        ta, tb, tc = compute(a, week), compute(b, week), compute(c, week)
        assert cells(tc, "长葛市") == ta.total, week.label
        assert cells(tc, "魏都区") == tb.total, week.label
        assert tc.total == tuple(x + y for x, y in zip(ta.total, tb.total, strict=True))
        for other in ("许昌市本级", "建安区", "鄢陵县", "襄城县", "禹州市"):
            assert cells(tc, other) == (0,) * 12
        assert tally_matches_scan(c, week)
    # The removal week shows the November-style negative adjustment, carried over exactly.
    removal_week = compute(c, week_of(REMOVED_ON))
    assert removal_week.total == tuple(
        x + y
        for x, y in zip(
            compute(a, week_of(REMOVED_ON)).total,
            compute(b, week_of(REMOVED_ON)).total,
            strict=True,
        )
    )
    conn = c.db.conn
    # Removals carried with their dates; those dated after W are not in W's package.
    removed_sql = "SELECT count(*) FROM records WHERE removed_on = ? AND registered_on <= ?"
    args = (REMOVED_ON.isoformat(), W.end.isoformat())
    expected = a.db.conn.execute(removed_sql, args).fetchone()
    assert expected[0] > 5
    assert conn.execute(removed_sql + " AND origin_unit = '411082'", args).fetchone() == expected
    assert conn.execute(
        "SELECT count(*) FROM records WHERE removed_on > ?", (W.end.isoformat(),)
    ).fetchone() == (0,)
    # The record whose area the county does not know stays uncounted here too.
    raw, area_id = conn.execute(
        "SELECT area_raw, area_id FROM records WHERE origin_unit = '411082' AND area_raw LIKE '不存在乡%'"
    ).fetchone()
    assert (raw, area_id) == ("不存在乡（长葛市）", None)
    c.close()


def test_a_later_removal_reaches_the_city_with_the_later_package(
    counties: dict[str, Any], tmp_path: Path
) -> None:
    a = counties["changge"]
    december = week_of(LATE_REMOVAL)
    c = city(tmp_path / "city.sqlite")
    merge_packages(c, [export(a, W, tmp_path / "w.xlsx")])
    result = merge_packages(c, [export(a, december, tmp_path / "dec.xlsx")])
    assert result.packages[0].action == "replace"
    for week in (W, december):
        assert cells(compute(c, week), "长葛市") == compute(a, week).total
    c.close()


def test_the_sheets_of_a_package(counties: dict[str, Any], tmp_path: Path) -> None:
    a = counties["changge"]
    path = export(a, W, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["附件1", "实名台账", "说明"]
    ws = wb["实名台账"]
    header = [c.value for c in ws[1]]
    assert header == list(pkg.LEDGER_HEADERS)
    assert header[-5:] == ["状态", "剔除原因", "剔除日期", "剔除说明", "核实说明"]
    id_col = header.index("公民身份号码") + 1
    for row in ws.iter_rows(min_row=2, max_row=50):
        assert row[id_col - 1].data_type == "s"  # IDs as text, every digit kept
    statuses = {(r[-5], r[-4], r[-3]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ("已剔除", "无效", REMOVED_ON.isoformat()) in statuses
    assert not any(s[2] and s[2] > W.end.isoformat() for s in statuses)
    notes = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    assert notes["单位代码"] == "411082" and notes["周次"] == W.label
    assert notes["台账行数"] == str(ws.max_row - 1)
    assert len(notes["摘要（SHA-256）"]) == 64
    # Signed (annex1.md): the unit's own key, its fingerprint printed for the phone call.
    own = signing.own_key(a)
    assert notes["公钥指纹"] == own.fingerprint
    assert notes["公钥（Ed25519）"] == signing.encode(own.public)
    assert signing.verify(
        own.public, notes["签名（Ed25519）"], fmt.signed_message(notes["摘要（SHA-256）"])
    )


def test_a_citys_package_verifies_one_level_up(counties: dict[str, Any], tmp_path: Path) -> None:
    a, b = counties["changge"], counties["weidu"]
    c = city(tmp_path / "city.sqlite")
    add(c, "许昌市本级", 公民身份号码=make_id("411002", "19900101", "777"))
    merge_packages(c, [export(a, W, tmp_path / "a.xlsx"), export(b, W, tmp_path / "b.xlsx")])
    up = export(c, W, tmp_path / "city.xlsx", password="省里")
    verified = pkg.verify_package(pkg.open_package(up, "省里"))
    assert verified.table.total == compute(c, W).total
    province = init_database(
        tmp_path / "henan.sqlite",
        unit_code="410000",
        unit_name="河南省",
        level=Level.PROVINCE,
        areas=[("411000", "许昌市")],
    )
    province.auto_backup = False
    merge_packages(province, [up], password="省里")
    assert cells(compute(province, W), "许昌市") == compute(c, W).total
    province.close()
    c.close()


def test_text_comes_through_exactly(tmp_path: Path) -> None:
    a = county(tmp_path / "a.sqlite")
    remark = '第一行\n第二行 & <附注> "引号"'
    add(
        a,
        "石固镇",
        姓名="阿依古丽·买买提",
        备注=remark,
        序号="007",
        公民身份号码=next(
            i for n in range(200) if (i := make_id("411082", "19900101", f"{n:03d}")).endswith("X")
        ),
    )
    c = city(tmp_path / "city.sqlite")
    merge_packages(c, [export(a, W, tmp_path / "a.xlsx")])
    mine = a.db.conn.execute("SELECT name, remark, seq, id_number FROM records").fetchone()
    theirs = c.db.conn.execute("SELECT name, remark, seq, id_number FROM records").fetchone()
    assert mine == theirs == ("阿依古丽·买买提", remark, "007", mine[3])
    assert mine[3].endswith("X")
    a.close()
    c.close()


# --- Refusals: the city database unchanged -------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Iterator[dict[str, Any]]:
    a = county(tmp_path / "changge.sqlite")
    for i in range(6):
        add(
            a,
            "石固镇" if i % 2 else "长葛市本级",
            公民身份号码=make_id("411082", f"198{i}0101", "12" + str(i)),
            登记日期=f"2017-0{i + 3}-10",
        )
    c = city(tmp_path / "city.sqlite")
    yield {"county": a, "city": c, "dir": tmp_path}
    a.close()
    c.close()
    forget_failures(c)


def refused(c: Session, files: list[Path], **kw: Any) -> str:
    before = db_fingerprint(c.db.path)
    with pytest.raises(MergeRefused) as info:
        merge_packages(c, files, **kw)
    assert db_fingerprint(c.db.path) == before
    return str(info.value)


def test_a_changed_cell_of_annex1_is_refused(small: dict[str, Any]) -> None:
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["附件1"]["E8"] = wb["附件1"]["E8"].value + 5  # 长葛市本级, 本年累计 of 城镇新就业
    wb.save(path)
    message = refused(small["city"], [path])
    assert "导出后被修改过" in message and "p.xlsx" in message
    resign(path, public=signing.own_key(small["county"]).public)  # digest recomputed, old key
    assert "签名不符" in refused(small["city"], [path])
    resign(path)  # recomputed and signed by a new key: the table still gives it away
    message = refused(small["city"], [path])
    assert "账表不一致" in message and "p.xlsx" in message and "长葛市本级" in message


def test_an_edited_ledger_row_is_refused(small: dict[str, Any]) -> None:
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["实名台账"]["B3"] = "李四"
    wb.save(path)
    assert "导出后被修改过" in refused(small["city"], [path])


def test_a_deleted_ledger_row_is_refused(small: dict[str, Any]) -> None:
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["实名台账"].delete_rows(4)
    wb.save(path)
    assert "导出后被修改过" in refused(small["city"], [path])


def test_a_forged_digest_is_still_caught_by_the_table(small: dict[str, Any]) -> None:
    """Someone who edits a row and recomputes the digest still has to match 附件1."""
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["实名台账"]
    ws.cell(2, pkg.LEDGER_HEADERS.index("失业人员再就业") + 1, "是")
    wb.save(path)
    resign(path)  # a forger's digest and signature, with a key of their own
    assert "账表不一致" in refused(small["city"], [path])


def test_one_bad_file_refuses_the_whole_merge(small: dict[str, Any], tmp_path: Path) -> None:
    good = export(small["county"], W, tmp_path / "good.xlsx")
    b = county(tmp_path / "weidu.sqlite", "411002", "魏都区", [])
    add(b, "魏都区本级", 公民身份号码=make_id("411002", "19700101", "333"))
    bad = export(b, W, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(bad)
    wb["实名台账"]["B2"] = "改过"
    wb.save(bad)
    message = refused(small["city"], [good, bad])
    assert "bad.xlsx" in message and "good.xlsx" not in message
    statuses = {s.name: s for s in completeness(small["city"], W)}
    assert statuses["魏都区"].status == "failed"
    assert "修改" in statuses["魏都区"].message
    assert statuses["长葛市"].status == "missing"
    b.close()


def test_wrong_and_missing_password(small: dict[str, Any]) -> None:
    path = export(small["county"], W, small["dir"] / "p.xlsx", password="许昌2017")
    assert pkg.is_encrypted(path)
    assert pkg.password_ok(path, "许昌2017") and not pkg.password_ok(path, "x")
    assert "设有密码" in refused(small["city"], [path])
    assert "密码不正确" in refused(small["city"], [path], password="错的")
    result = merge_packages(small["city"], [path], password="许昌2017")
    assert result.packages[0].rows_add == 6


def test_a_unit_that_is_not_one_of_the_citys_areas(small: dict[str, Any], tmp_path: Path) -> None:
    other = county(tmp_path / "zz.sqlite", "410102", "中原区", [])
    add(other, "中原区本级", 公民身份号码=make_id("410102", "19700101", "111"))
    message = refused(small["city"], [export(other, W, tmp_path / "zz.xlsx")])
    assert "中原区（410102）不是许昌市的下属地区" in message
    other.close()


def test_a_county_cannot_merge(small: dict[str, Any]) -> None:
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    with pytest.raises(MergeRefused, match="县级"):
        merge_packages(small["county"], [path])


def test_a_file_that_is_not_a_package(small: dict[str, Any]) -> None:
    path = small["dir"] / "ledger.xlsx"
    from .helpers import write_book

    write_book(path, [new_row()])
    assert "不是本程序导出的上报文件" in refused(small["city"], [path])
    text = small["dir"] / "x.xlsx"
    text.write_text("hello")
    assert "不是Excel工作簿" in refused(small["city"], [text])


# --- Replacement ------------------------------------------------------------------------------------


def city_rows(c: Session, code: str) -> int:
    return int(
        c.db.conn.execute("SELECT count(*) FROM records WHERE origin_unit = ?", (code,)).fetchone()[
            0
        ]
    )


def test_the_same_week_sent_again_replaces_it(small: dict[str, Any]) -> None:
    a, c, d = small["county"], small["city"], small["dir"]
    merge_packages(c, [export(a, W, d / "first.xlsx")])
    add(a, "建设路街道", 公民身份号码=make_id("411082", "19920101", "888"), 登记日期="2017-11-06")
    second = export(a, W, d / "second.xlsx")
    preview = merge_packages(c, [second], dry_run=True)
    plan = preview.packages[0]
    assert (plan.action, plan.rows_add, plan.rows_replace, plan.replaces) == (
        "replace",
        7,
        6,
        W.label,
    )
    assert plan.after[3] == plan.before[3] + 1  # 本年累计 城镇新就业: +1, not +7
    merge_packages(c, [second])
    assert city_rows(c, "411082") == 7
    assert cells(compute(c, W), "长葛市") == compute(a, W).total
    assert tally_matches_scan(c, W)
    log = c.db.conn.execute("SELECT file_name, status FROM packages ORDER BY id").fetchall()
    assert log == [("first.xlsx", "superseded"), ("second.xlsx", "active")]
    again = merge_packages(c, [second])
    assert again.packages[0].action == "unchanged" and city_rows(c, "411082") == 7


def test_an_older_week_after_a_newer_one_is_refused(small: dict[str, Any]) -> None:
    a, c, d = small["county"], small["city"], small["dir"]
    older = export(a, week_from_key("2017-10-2"), d / "october.xlsx")
    merge_packages(c, [export(a, W, d / "november.xlsx")])
    message = refused(c, [older])
    assert "更早的2017年10月第2周" in message and "长葛市已合并2017年11月第2周" in message


def test_two_weeks_of_one_unit_in_one_merge(small: dict[str, Any]) -> None:
    a, c, d = small["county"], small["city"], small["dir"]
    newer = export(a, W, d / "november.xlsx")
    older = export(a, week_from_key("2017-10-2"), d / "october.xlsx")
    result = merge_packages(c, [newer, older])
    assert [(p.file, p.action) for p in result.packages] == [
        ("october.xlsx", "new"),
        ("november.xlsx", "replace"),
    ]
    assert city_rows(c, "411082") == 6


def test_the_dry_run_changes_nothing(small: dict[str, Any]) -> None:
    c = small["city"]
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    before = db_fingerprint(c.db.path)
    result = merge_packages(c, [path], dry_run=True)
    assert db_fingerprint(c.db.path) == before
    plan = result.packages[0]
    assert (plan.action, plan.rows_add, plan.area) == ("new", 6, "长葛市")
    assert plan.before == (0,) * 12 and plan.after == compute(small["county"], W).total


# --- Across counties ----------------------------------------------------------------------------------


def test_a_person_newly_employed_in_two_counties_is_one_duplicate(tmp_path: Path) -> None:
    person = make_id("411024", "19850312", "123")
    a = county(tmp_path / "a.sqlite")
    add(a, "石固镇", 公民身份号码=make_id("411082", "19700101", "111"))
    add(a, "石固镇", 公民身份号码=person, 姓名="张三", **{"就业（减员）日期": "2017-03-01"})
    b = county(tmp_path / "b.sqlite", "411002", "魏都区", [])
    add(b, "魏都区本级", 公民身份号码=person, 姓名="张三", **{"就业（减员）日期": "2017-04-01"})
    c = city(tmp_path / "city.sqlite")
    result = merge_packages(
        c, [export(a, W, tmp_path / "a.xlsx"), export(b, W, tmp_path / "b.xlsx")]
    )
    assert len(result.duplicates) == 1
    dup = result.duplicates[0]
    assert (dup.kept.area, dup.kept.source_row) == ("长葛市", 3)
    assert (dup.duplicate.area, dup.duplicate.source_row) == ("魏都区", 2)
    assert "长葛市第 3 行" in dup.message and "魏都区第 2 行" in dup.message
    assert cross_area_duplicates(c) == result.duplicates
    findings = [f for f in run_check(c).findings if f.kind == "duplicate"]
    assert len(findings) == 1
    f = findings[0]
    assert (f.area, f.source_row, f.name) == ("魏都区", 2, "张三")
    assert "长葛市第 3 行" in f.message  # the kept record's county and row
    a.close()
    b.close()
    c.close()


def test_worker_processes_judge_as_this_process_does(
    counties: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuye_desktop import merge, merge_pool

    files = [
        export(counties["changge"], W, tmp_path / "a.xlsx"),
        export(counties["weidu"], W, tmp_path / "b.xlsx", password="pw"),
    ]
    serial = city(tmp_path / "serial.sqlite")
    merge_packages(serial, files, password="pw")
    monkeypatch.setattr(merge_pool, "PARALLEL_FROM_BYTES", 0)
    parallel = city(tmp_path / "parallel.sqlite")
    result = merge_packages(parallel, files, password="pw")
    assert [p.rows_add for p in result.packages] == [
        p.row_count for p in merge.packages_sql.list_packages(serial.db.conn)
    ]
    columns = "name, id_number, area_id, ind, dup_key, removed_on, removal_reason, source_row"
    sql = f"SELECT {columns} FROM records ORDER BY id"
    assert serial.db.conn.execute(sql).fetchall() == parallel.db.conn.execute(sql).fetchall()
    sql = "SELECT kind, field, message FROM record_findings ORDER BY record_id, rowid"
    assert serial.db.conn.execute(sql).fetchall() == parallel.db.conn.execute(sql).fetchall()
    assert compute(serial, W) == compute(parallel, W)
    wb = openpyxl.load_workbook(files[0])
    wb["实名台账"]["B5"] = "改过"
    wb.save(files[0])
    fresh = city(tmp_path / "fresh.sqlite")
    assert "导出后被修改过" in refused(fresh, files, password="pw")
    for c in (serial, parallel, fresh):
        c.close()


def test_a_large_merge_builds_the_search_indexes_again_and_finds_the_same(
    counties: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty ledger more rows come than it holds: the indexes the merge does not read
    are dropped and built again at its end (a dry run rolls both back); into a ledger that
    already holds more, they are kept. Either way the same records, tally and duplicates."""
    files = [
        export(counties["changge"], W, tmp_path / "a.xlsx"),
        export(counties["weidu"], W, tmp_path / "b.xlsx"),
    ]
    from jiuye_desktop.storage import packages_sql

    dropped: list[list[str]] = []
    real = packages_sql.drop_indexes
    monkeypatch.setattr(
        packages_sql, "drop_indexes", lambda *a: dropped.append(real(*a)) or dropped[-1]
    )
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    empty = city(tmp_path / "empty.sqlite")
    schema = empty.db.conn.execute(indexes).fetchall()
    assert any(name == "records_name_birth" for name, _ in schema)
    merge_packages(empty, files, dry_run=True)
    assert empty.db.conn.execute(indexes).fetchall() == schema
    bulk = merge_packages(empty, files)
    assert len(dropped) == 2 and any("records_name_birth" in sql for sql in dropped[-1])
    assert not any("records_package" in sql for sql in dropped[-1])  # read while merging
    assert empty.db.conn.execute(indexes).fetchall() == schema
    assert empty.db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    full = city(tmp_path / "full.sqlite")
    load_demo(full, 2 * sum(p.rows_add for p in bulk.packages), seed=4, parallel=False)
    before = full.db.conn.execute("SELECT max(id) FROM records").fetchone()[0]
    kept = merge_packages(full, files)
    assert len(dropped) == 2  # the ledger already held more: nothing dropped
    assert full.db.conn.execute(indexes).fetchall() == schema
    cols = "name, id_number, ind, dup_key, removed_on, source_row, origin_unit"
    assert (
        empty.db.conn.execute(f"SELECT {cols} FROM records ORDER BY id").fetchall()
        == (
            full.db.conn.execute(f"SELECT {cols} FROM records WHERE id > ? ORDER BY id", (before,))
        ).fetchall()
    )
    assert [d.message for d in bulk.duplicates] == [
        d.message for d in kept.duplicates if d.kept.origin_unit and d.duplicate.origin_unit
    ]
    for c in (empty, full):
        c.close()


def test_a_file_changed_between_the_two_readings_is_refused(
    counties: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuye_desktop import merge_pool

    files = [export(counties["changge"], W, tmp_path / "a.xlsx")]
    files.append(export(counties["weidu"], W, tmp_path / "b.xlsx"))
    monkeypatch.setattr(merge_pool, "PARALLEL_FROM_BYTES", 0)
    with merge_pool.PackageReader(files, [None, None]) as reader:
        opened, failures = reader.open_all()
        assert not failures and len(opened) == 2
        export(counties["changge"], next_week(W), files[0])  # a valid package, other bytes
        judges = list(reader.judges(opened, None))
        with pytest.raises(merge_pool.PackageError, match="在合并过程中被改动过"):
            judges[0]()
        assert judges[1]().head.sha256 == opened[1][0].head.sha256


def test_the_container_check_runs_once_on_the_same_bytes(
    counties: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuye_desktop.package import reader

    path = export(counties["changge"], W, tmp_path / "a.xlsx")
    calls: list[str] = []
    real = reader.inspect_workbook
    monkeypatch.setattr(reader, "inspect_workbook", lambda n, d: (calls.append(n), real(n, d)))
    sha = reader.open_package(path).head.sha256
    assert reader.open_package(path, inspected_sha=sha).head.sha256 == sha
    assert calls == ["a.xlsx"]  # the second opening of the same bytes skipped it
    reader.open_package(path, inspected_sha="0" * 64)
    assert calls == ["a.xlsx", "a.xlsx"]


# --- Completeness -------------------------------------------------------------------------------------


def test_completeness_delivered_late_missing(tmp_path: Path) -> None:
    today = dt.date.today()
    this_week = week_of(today)
    a = county(tmp_path / "a.sqlite")
    add(
        a,
        "石固镇",
        登记日期=today.isoformat(),
        **{"就业（减员）日期": today.isoformat()},
        公民身份号码=make_id("411082", "19800101", "222"),
    )
    b = county(tmp_path / "b.sqlite", "411002", "魏都区", [])
    add(b, "魏都区本级", 公民身份号码=make_id("411002", "19700101", "333"))
    c = city(tmp_path / "city.sqlite")
    merge_packages(
        c, [export(a, this_week, tmp_path / "a.xlsx"), export(b, W, tmp_path / "b.xlsx")]
    )
    now = {s.name: s.status for s in completeness(c, this_week, failures=[])}
    assert now["长葛市"] == "delivered" and now["魏都区"] == "missing"
    then = {s.name: s for s in completeness(c, W, failures=[])}
    assert then["魏都区"].status == "late"  # received years after that Friday
    assert then["魏都区"].package_week == W.label and then["魏都区"].rows == 1
    assert then["长葛市"].status == "missing"  # a package of another year covers nothing here
    earlier = {s.name: s.status for s in completeness(c, next(iter(weeks_of_year(2017))), [])}
    assert earlier["魏都区"] == "late"  # W's package covers every earlier week
    a.close()
    b.close()
    c.close()


# --- The command line ---------------------------------------------------------------------------------


def run_cli(*argv: str) -> dict[str, Any]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path)
    common.add_argument("--operator")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    commands = register(sub, common, as_json)
    args = parser.parse_args(list(argv))
    return commands[args.command](args)


def test_command_line(small: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    a, c, d = small["county"], small["city"], small["dir"]
    out = d / "up.xlsx"
    got = run_cli(
        "export-package", "--db", str(a.db.path), "--week", W.key, "--out", str(out),
        "--password", "pw", "--json",
    )  # fmt: skip
    assert got["rows"] == 6 and got["encrypted"] and got["week"]["label"] == W.label
    before = db_fingerprint(c.db.path)
    preview = run_cli("merge", "--db", str(c.db.path), str(out), "--password", "pw", "--dry-run")
    assert preview["dry_run"] and preview["packages"][0]["rows_add"] == 6
    assert db_fingerprint(c.db.path) == before
    assert "预览" in capsys.readouterr().out
    with pytest.raises(Refused, match="密码不正确"):
        run_cli("merge", "--db", str(c.db.path), str(out), "--password", "no")
    done = run_cli("merge", "--db", str(c.db.path), str(out), "--password", "pw", "--json")
    assert done["committed"] and done["packages"][0]["area"] == "长葛市"
    status = run_cli("packages", "--db", str(c.db.path), "--week", W.key, "--json")
    assert {s["name"]: s["status"] for s in status["areas"]}["长葛市"] == "late"
    with pytest.raises(Refused, match="xlsx"):
        run_cli(
            "export-package", "--db", str(a.db.path), "--week", W.key, "--out", str(d / "a.pdf")
        )


def test_merge_in_a_fresh_process_opens_the_city(small: dict[str, Any]) -> None:
    """The merged city still opens (migration 0003) and its copies link to the package log."""
    path = export(small["county"], W, small["dir"] / "p.xlsx")
    merge_packages(small["city"], [path])
    small["city"].close()
    again = open_session(small["city"].db.path)
    conn = again.db.conn
    linked = conn.execute(
        "SELECT count(*) FROM records r JOIN packages p ON p.id = r.package_id "
        "WHERE p.status = 'active' AND r.origin_unit = p.unit_code"
    ).fetchone()[0]
    assert linked == 6
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    again.close()
    small["city"] = open_session(small["city"].db.path)


_ = sqlite3

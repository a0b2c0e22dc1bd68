"""Targets and progress (domain.md §6) against an independent computation over the demo's records."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jiuye_desktop import progress as prog
from jiuye_desktop import selfcheck, targets, weekly
from jiuye_desktop.cli import main
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import INDICATOR_NAMES, Indicator, Level
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.storage.targets_sql import TOTAL_AREA_ID
from jiuye_desktop.weeks import week_from_key, weeks_of_year

from .helpers import xuchang

WEEK = week_from_key("2017-11-2")


@pytest.fixture
def session(tmp_path: Path) -> Session:
    s = xuchang(tmp_path / "ledger.sqlite")
    load_demo(s, 1500, seed=11, parallel=False)
    # Removals on two dates so that 本年累计 depends on the week's end.
    ids = selfcheck.run_check(s).record_ids("duplicate")
    selfcheck.remove_selected(s, ids[: len(ids) // 2], "duplicate", dt.date(2017, 6, 30))
    selfcheck.remove_selected(s, ids[len(ids) // 2 :], "duplicate", dt.date(2017, 11, 20))
    yield s
    s.close()


# --- the oracle: plain Python over the records ----------------------------------------------


def _oracle_cumulative(s: Session, end: dt.date) -> dict[int, list[int]]:
    """本年累计 of the six indicators per area id at ``end``, from the records themselves."""
    bits = [Indicator.NEW, Indicator.ATTRITION, Indicator.REEMPLOYED, Indicator.HARDSHIP]
    bits.append(Indicator.OVERCAPACITY)
    out: dict[int, list[int]] = {}
    start = f"{end.year}-01-01"
    rows = s.db.conn.execute(
        "SELECT area_id, ind, registered_on, removed_on FROM records WHERE area_id IS NOT NULL"
    ).fetchall()
    for area_id, ind, registered, removed in rows:
        if not (start <= registered <= end.isoformat()):
            continue
        if removed is not None and removed <= end.isoformat():
            continue
        counts = out.setdefault(area_id, [0] * 5)
        for k, b in enumerate(bits):
            if ind & b:
                counts[k] += 1
    return {a: [c[0] - c[1], *c] for a, c in out.items()}


def _oracle(
    s: Session, end: dt.date, values: dict[tuple[int, str], int]
) -> tuple[dict[str, list[dict[str, Any]]], list[str], bool]:
    days = 366 if end.year % 4 == 0 and (end.year % 100 != 0 or end.year % 400 == 0) else 365
    elapsed = (end.timetuple().tm_yday) / days
    areas = s.db.conn.execute(
        "SELECT id, code, name FROM areas ORDER BY is_self DESC, position, id"
    ).fetchall()
    cum = _oracle_cumulative(s, end)
    rows: dict[str, list[dict[str, Any]]] = {}

    def judge(target: int | None, c: int) -> dict[str, Any]:
        if target is None:
            return {"target": None, "cumulative": c, "status": "no_target", "gap": None}
        status = "done" if c >= target else "behind" if c / target < elapsed else "on_track"
        return {"target": target, "cumulative": c, "status": status, "gap": target * elapsed - c}

    total_cum = [0] * 6
    for area_id, code, name in areas:
        c = cum.get(area_id, [0] * 6)
        total_cum = [a + b for a, b in zip(total_cum, c, strict=True)]
        rows[code or name] = [
            judge(values.get((area_id, n)), c[i]) for i, n in enumerate(INDICATOR_NAMES)
        ]
    total_targets = []
    for n in INDICATOR_NAMES:
        own = values.get((0, n))
        parts = [values[(a, n)] for a, _, _ in areas if (a, n) in values]
        total_targets.append(own if own is not None else (sum(parts) if parts else None))
    rows["total"] = [judge(total_targets[i], total_cum[i]) for i in range(6)]
    blocking = [
        code or name
        for _, code, name in areas
        if any(
            x["target"] is not None and x["cumulative"] < x["target"] for x in rows[code or name]
        )
    ]
    total_met = all(x["target"] is None or x["cumulative"] >= x["target"] for x in rows["total"])
    any_total = any(x["target"] is not None for x in rows["total"])
    return rows, blocking, (not blocking and any_total and total_met)


def _random_targets(s: Session, seed: int, own_total: bool) -> dict[tuple[int, str], int]:
    rnd = random.Random(seed)
    area_ids = [r[0] for r in s.db.conn.execute("SELECT id FROM areas")]
    values: dict[tuple[int, str], int] = {}
    for a in area_ids:
        for n in INDICATOR_NAMES:
            if rnd.random() < 0.6:
                values[(a, n)] = rnd.randint(0, 400)
    if own_total:
        for n in INDICATOR_NAMES[:3]:
            values[(0, n)] = rnd.randint(100, 2500)
    return values


@pytest.mark.parametrize(("seed", "own_total"), [(1, False), (2, True), (3, True)])
@pytest.mark.parametrize("week_key", ["2017-1-1", "2017-6-5", "2017-11-2", "2017-12-5"])
def test_progress_matches_an_independent_computation(
    session: Session, seed: int, own_total: bool, week_key: str
) -> None:
    values = _random_targets(session, seed, own_total)
    targets.set_values(session, 2017, [(a, n, v) for (a, n), v in values.items()])
    week = week_from_key(week_key)
    p = prog.progress(session, week)
    rows, blocking, complete = _oracle(session, week.end, values)
    assert p.elapsed == pytest.approx(week.end.timetuple().tm_yday / 365)
    assert [r.code for r in p.rows] == ["total"] + [r for r in rows if r != "total"]
    for r in p.rows:
        for got, want in zip(r.indicators, rows[r.code], strict=True):
            assert got.target == want["target"], (r.code, got.name)
            assert got.cumulative == want["cumulative"], (r.code, got.name)
            assert got.status == want["status"], (r.code, got.name)
            if want["gap"] is None:
                assert got.gap is None and got.done is None
            else:
                assert got.gap == pytest.approx(want["gap"])
                if want["target"]:
                    assert got.done == pytest.approx(want["cumulative"] / want["target"])
    assert list(p.blocking) == blocking
    assert p.complete is complete
    # The JSON of cli.md: rounded to 4 decimals.
    doc = prog.progress_json(p)
    assert doc["elapsed"] == round(p.elapsed, 4)
    assert doc["rows"][0]["code"] == "total"
    line = doc["rows"][0]["indicators"][0]
    assert set(line) == {"name", "target", "cumulative", "done", "gap", "status"}


def test_total_target_is_own_target_else_sum_of_rows(session: Session) -> None:
    name = INDICATOR_NAMES[0]
    targets.set_target(session, 2017, name, 300, "411002")
    targets.set_target(session, 2017, name, 200, "411025")
    targets.set_target(session, 2017, name, 50, "411000")  # 本级 by the unit's own code
    assert prog.progress(session, WEEK).total.indicators[0].target == 550
    targets.set_target(session, 2017, name, 5000)  # the unit's own 合计 target
    p = prog.progress(session, WEEK)
    assert p.total.indicators[0].target == 5000
    assert p.row("411000").indicators[0].target == 50
    targets.set_target(session, 2017, name, "")  # cleared: back to the sum
    assert prog.progress(session, WEEK).total.indicators[0].target == 550
    # Another year has nothing.
    assert prog.progress(session, week_from_key("2018-3-1")).total.indicators[0].target is None


def test_done_exactly_at_target_and_complete(session: Session) -> None:
    p = prog.progress(session, WEEK)
    assert not p.complete and p.blocking == ()  # no target anywhere: nothing to complete
    assert all(i.status == "no_target" for r in p.rows for i in r.indicators)
    k = INDICATOR_NAMES.index("失业人员再就业人数")
    items = [(r.area_id or 0, INDICATOR_NAMES[k], r.indicators[k].cumulative) for r in p.rows]
    targets.set_values(session, 2017, items)
    p = prog.progress(session, WEEK)
    assert all(r.indicators[k].status == "done" for r in p.rows)
    assert all(
        r.indicators[k].gap == pytest.approx(r.indicators[k].cumulative * (p.elapsed - 1))
        for r in p.rows
    )
    assert p.blocking == () and p.complete
    assert "全面完成" in prog.summary_line(p)
    # One area one short: it blocks, 合计 (own target = the sum) is short too.
    wei = p.row("411002").area_id
    assert wei is not None
    targets.set_values(
        session, 2017, [(wei, INDICATOR_NAMES[k], p.row("411002").indicators[k].cumulative + 1)]
    )
    p = prog.progress(session, WEEK)
    assert p.blocking == ("411002",) and not p.complete
    assert p.row("411002").indicators[k].status in ("behind", "on_track")
    assert "魏都区" in prog.summary_line(p)
    # A target of 0 is met by any count ≥ 0 and shows no share.
    targets.set_values(session, 2017, [(wei, INDICATOR_NAMES[k], 0)])
    ind = prog.progress(session, WEEK).row("411002").indicators[k]
    assert ind.status == "done" and ind.done is None


def test_leap_year_elapsed_share(tmp_path: Path) -> None:
    assert prog.elapsed_share(dt.date(2020, 12, 31)) == 1.0
    assert prog.elapsed_share(dt.date(2020, 2, 29)) == pytest.approx(60 / 366)
    assert prog.elapsed_share(dt.date(2017, 11, 10)) == pytest.approx(314 / 365)
    s = init_database(
        tmp_path / "l.sqlite", unit_code="411000", unit_name="许昌市", level=Level.CITY
    )
    try:
        load_demo(s, 400, year=2020, seed=4, parallel=False)
        week = week_from_key("2020-3-1")  # 2020-02-29 … 2020-03-06
        targets.set_target(s, 2020, INDICATOR_NAMES[1], 1000)
        p = prog.progress(s, week)
        assert p.elapsed == pytest.approx(66 / 366)
        rows, blocking, complete = _oracle(s, week.end, {(TOTAL_AREA_ID, INDICATOR_NAMES[1]): 1000})
        got = p.total.indicators[1]
        assert got.gap == pytest.approx(rows["total"][1]["gap"])
        assert got.status == rows["total"][1]["status"]
    finally:
        s.close()


def test_weekly_series_equals_the_weekly_table_each_week(session: Session) -> None:
    wei = next(r.area_id for r in targets.target_rows(session) if r.code == "411002")
    total = prog.weekly_series(session, WEEK)
    area = prog.weekly_series(session, WEEK, wei)
    weeks = list(weeks_of_year(2017))
    assert [w for w, _ in total] == weeks[: weeks.index(WEEK) + 1]
    for (week, cum_total), (_, cum_area) in list(zip(total, area, strict=True))[::5] + [
        (total[-1], area[-1])
    ]:
        table = weekly.compute(session, week)
        assert cum_total == tuple(table.total[1::2])
        row = next(r for r in table.rows if r.code == "411002")
        assert cum_area == tuple(row.cells[1::2])


def test_charts_of_a_row(session: Session) -> None:
    targets.set_target(session, 2017, "去产能职工安置人数", 40, "411002")
    p = prog.progress(session, WEEK)
    charts = prog.charts(session, p, "411002")
    assert [c.indicator for c in charts] == ["去产能职工安置人数"]
    assert charts[0].points[0] == (0, 0) and charts[0].points[-1][0] == 314
    assert charts[0].points[-1][1] == p.row("411002").indicators[5].cumulative
    assert prog.charts(session, p)[0].target == 40  # 合计: the sum of the rows
    assert len(prog.charts(session, p, "411024")) == 6  # a row without targets: every indicator


# --- setting targets ------------------------------------------------------------------------


def test_bad_targets_are_refused_and_change_nothing(session: Session) -> None:
    for args, words in (
        (("城镇新增就业", "-1", None), "负数"),
        (("城镇新增就业人员", "12.5", None), "整数"),
        (("城镇新增就业人员", "很多", None), "不是数字"),
        (("新增", "10", None), "没有名为"),
        (("城镇新增就业人员", "10", "999999"), "没有代码或名称"),
    ):
        with pytest.raises(targets.TargetError, match=words):
            targets.set_target(session, 2017, *args)
    with pytest.raises(targets.TargetError, match="年度"):
        targets.set_target(session, 1800, "城镇新增就业人员", 1)
    assert targets.load(session, 2017).values == {}


def test_province_figures_fill_the_overcapacity_target(session: Session, tmp_path: Path) -> None:
    filled = targets.fill_from_province(session, 2017)
    assert [(r.code, n, v) for r, n, v in filled] == [("total", "去产能职工安置人数", 4145)]
    assert targets.load(session, 2017).own_total("去产能职工安置人数") == 4145
    with pytest.raises(targets.TargetError, match="2017"):
        targets.fill_from_province(session, 2018)
    other = init_database(
        tmp_path / "k.sqlite", unit_code="410700", unit_name="新乡市", level=Level.CITY
    )
    try:
        with pytest.raises(targets.TargetError, match="没有"):
            targets.fill_from_province(other, 2017)
    finally:
        other.close()


def test_template_round_trip_and_import_refusals(session: Session, tmp_path: Path) -> None:
    targets.set_target(session, 2017, "城镇新增就业人员", 900, "411082")
    out = targets.write_template(session, 2017, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    assert ws["A2"].value == "地区" and ws["B2"].value == "城镇新增就业人员"
    names = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert names[:2] == ["合计", "许昌市本级"]
    row = names.index("魏都区") + 3
    ws.cell(row, 2).value = 1234
    ws.cell(row, 7).value = "88"
    ws.cell(3, 4).value = 70  # 合计's own 城镇自然减员人数
    ws.cell(names.index("长葛市") + 3, 2).value = None  # cleared
    wb.save(out)
    got = targets.import_targets(session, out)
    wei = next(r.area_id for r in got.rows if r.code == "411002")
    chang = next(r.area_id for r in got.rows if r.code == "411082")
    assert got.get(wei, "城镇新增就业人员") == 1234 and got.get(wei, "去产能职工安置人数") == 88
    assert got.own_total("城镇自然减员人数") == 70 and got.get(chang, "城镇新增就业人员") is None
    before = targets.load(session, 2017).values
    # A bad cell names file, row and column; nothing changes.
    ws.cell(row, 3).value = -5
    ws.cell(names.index("建安区") + 3, 2).value = 1
    wb.save(out)
    with pytest.raises(
        targets.TargetError, match=rf"t\.xlsx”第{row}行第C列（魏都区，城镇新就业人员）"
    ):
        targets.import_targets(session, out)
    assert targets.load(session, 2017).values == before
    ws.cell(row, 3).value = None
    ws.cell(row, 1).value = "不存在区"
    wb.save(out)
    with pytest.raises(targets.TargetError, match=f"第{row}行：本单位没有地区“不存在区”"):
        targets.import_targets(session, out)
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(targets.TargetError, match="不是Excel"):
        targets.import_targets(session, tmp_path / "x.xlsx")
    with pytest.raises(targets.TargetError, match="文件夹"):  # the workbook pre-check of #11
        targets.import_targets(session, tmp_path)
    assert targets.load(session, 2017).values == before


# --- the command line ------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in argv and out.strip() else out), err


def test_cli_targets_and_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.sqlite")
    assert main(["demo", "--db", db, "--records", "600", "--seed", "2"]) == 0
    capsys.readouterr()
    code, doc, _ = _run(
        capsys,
        "targets",
        "set",
        "--db",
        db,
        "--year",
        "2017",
        "--indicator",
        "城镇新增就业人员",
        "--value",
        "100",
        "--area",
        "411002",
        "--json",
    )
    assert code == 0 and doc["set"][0] == {
        "code": "411002",
        "name": "魏都区",
        "indicator": "城镇新增就业人员",
        "value": 100,
    }
    code, doc, _ = _run(
        capsys, "targets", "set", "--db", db, "--year", "2017", "--from-province", "--json"
    )
    assert code == 0 and doc["set"][0]["value"] == 4145
    code, doc, _ = _run(capsys, "targets", "list", "--db", db, "--year", "2017", "--json")
    assert doc["rows"][0]["targets"]["城镇新增就业人员"] == 100
    assert doc["rows"][0]["targets"]["去产能职工安置人数"] == 4145
    code, doc, _ = _run(capsys, "progress", "--db", db, "--week", "2017-11-2", "--json")
    assert code == 0
    assert doc["week"] == {"label": "2017年11月第2周", "start": "2017-11-04", "end": "2017-11-10"}
    assert doc["elapsed"] == 0.8603
    assert [r["code"] for r in doc["rows"]][:3] == ["total", "411000", "411002"]
    wei = doc["rows"][2]["indicators"][0]
    assert wei["target"] == 100 and wei["gap"] == round(100 * 314 / 365 - wei["cumulative"], 4)
    assert doc["complete"] is False and ("411002" in doc["blocking"]) == (wei["cumulative"] < 100)
    code, _, err = _run(
        capsys,
        "targets",
        "set",
        "--db",
        db,
        "--year",
        "2017",
        "--indicator",
        "城镇新增就业人员",
        "--value",
        "-3",
    )
    assert code == 2 and "不小于0的整数" in err  # an impossible value is wrong usage
    sheet = tmp_path / "t.xlsx"
    code, doc, _ = _run(
        capsys, "targets", "template", "--db", db, "--year", "2017", "--out", str(sheet), "--json"
    )
    assert code == 0 and sheet.exists()
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    assert ws is not None
    ws.cell(6, 5).value = 55  # 建安区, 失业人员再就业人数
    wb.save(sheet)
    code, doc, _ = _run(capsys, "targets", "import", "--db", db, str(sheet), "--json")
    assert code == 0 and doc["year"] == 2017
    assert (
        next(r for r in doc["rows"] if r["code"] == "411003")["targets"]["失业人员再就业人数"] == 55
    )
    ws.cell(6, 5).value = "五十"
    wb.save(sheet)
    code, _, err = _run(capsys, "targets", "import", "--db", db, str(sheet))
    assert code == 1 and "第6行第E列" in err
    pdf = tmp_path / "p.pdf"
    code, _, err = _run(
        capsys,
        "progress",
        "--db",
        db,
        "--week",
        "2017-11-2",
        "--out",
        str(pdf),
        "--chart-area",
        "魏都区",
    )
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    lines = fonts.stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), fonts.stdout  # all embedded
    assert any("WenQuanYi" in line for line in lines)
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert re.search(r"^Pages:\s+1$", pages.stdout, re.M)  # one page


# --- the package's 进度 sheet -------------------------------------------------------------------


def test_package_carries_a_progress_sheet_when_targets_are_set(tmp_path: Path) -> None:
    from jiuye_desktop import package as pkg
    from jiuye_desktop.merge import merge_packages

    county = init_database(
        tmp_path / "cg.sqlite",
        unit_code="411082",
        unit_name="长葛市",
        level=Level.COUNTY,
        areas=[(None, "石固镇"), (None, "建设路街道")],
    )
    county.auto_backup = False
    try:
        load_demo(county, 300, seed=9, parallel=False)
        plain = pkg.export_package(county, WEEK, tmp_path / "plain.xlsx").path
        assert openpyxl.load_workbook(plain).sheetnames == ["附件1", "实名台账", "说明"]
        targets.set_target(county, 2017, "城镇新增就业人员", 100, "石固镇")
        targets.set_target(county, 2017, "城镇新增就业人员", 40, "建设路街道")
        targets.set_target(county, 2017, "失业人员再就业人数", 10_000)
        out = pkg.export_package(county, WEEK, tmp_path / "p.xlsx").path
        skipped = pkg.export_package(county, WEEK, tmp_path / "s.xlsx", with_progress=False).path
        assert "进度" not in openpyxl.load_workbook(skipped).sheetnames
        p = prog.progress(county, WEEK)
    finally:
        county.close()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[-1] == "进度"
    ws = wb["进度"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows.index(
        ("地区代码", "地区", "指标", "目标", "本年累计", "完成比例", "时间进度", "差距", "状态")
    )
    body = rows[head + 1 :]
    assert [(r[0], r[2]) for r in body] == [(r.code, i.name) for r, i in prog.sorted_lines(p)]
    for line, (_row, ind) in zip(body, prog.sorted_lines(p), strict=True):
        assert line[3] == ind.target and line[4] == ind.cumulative
        assert line[7] == pytest.approx(ind.gap, abs=1e-4)
    assert ("建设路街道", "建设路街道") in {(r[0], r[1]) for r in body}  # no code: its name
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=head + 2) for c in row[:3])
    assert rows[3][1] == ("是" if p.complete else "否")
    # The receiver merges it as any package.
    city = init_database(
        tmp_path / "xc.sqlite", unit_code="411000", unit_name="许昌市", level=Level.CITY
    )
    city.auto_backup = False
    try:
        result = merge_packages(city, [out, plain])
        total = weekly.compute(city, WEEK).total
        assert tuple(total[1::2]) == tuple(i.cumulative for i in p.total.indicators)
    finally:
        city.close()
    # The merge shows what the 进度 sheet says, in the sender's words; no sheet, nothing.
    names = {r.code: r.name for r in p.rows}
    reported = {plan.file: plan.progress for plan in result.packages}
    assert reported["plain.xlsx"] is None
    said = reported["p.xlsx"]
    assert said is not None and said.complete is p.complete
    assert said.blocking == tuple(names[c] for c in p.blocking) and said.blocking
    assert said.summary == prog.summary_line(p)
    assert said.text.startswith("未全面完成：") and names[p.blocking[0]] in said.text
    as_json = next(x for x in result.as_json()["packages"] if x["file"] == "p.xlsx")
    assert as_json["progress"]["blocking"] == list(said.blocking)


def test_progress_pdf_of_a_province_stays_one_page(tmp_path: Path) -> None:
    from jiuye_desktop.exports.progress_pdf import write_progress_pdf

    s = init_database(
        tmp_path / "p.sqlite", unit_code="410000", unit_name="河南省", level=Level.PROVINCE
    )
    try:
        rows = targets.target_rows(s)
        assert len(rows) == 29  # 本级 and 28 areas
        items = [(r.area_id, n, 1000 + i) for i, r in enumerate(rows) for n in INDICATOR_NAMES]
        targets.set_values(s, 2017, items)
        p = prog.progress(s, WEEK)
        assert len(p.blocking) == 29 and not p.complete
        out = write_progress_pdf(s, p, tmp_path / "p.pdf", chart_row="411000")
    finally:
        s.close()
    pages = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True)
    assert re.search(r"^Pages:\s+1$", pages.stdout, re.M)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    shown = len(re.findall(r"落后", text))
    assert 10 < shown < len(rows) * 6
    assert f"另有 {len(rows) * 6 + 6 - shown} 行" in text  # the lines left out are counted

"""The province level: counties → city packages → the province's merge, drill-down, duplicates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop import package as pkg
from jiuye_desktop.cli import main
from jiuye_desktop.completeness import completeness
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import Level, WeeklyTable
from jiuye_desktop.merge import cross_area_duplicates, merge_packages
from jiuye_desktop.province import OTHER_ROW, BreakdownError, area_breakdown
from jiuye_desktop.selfcheck import run_check
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import week_from_key

from .helpers import make_id, new_row

W = week_from_key("2017-11-2")
TWICE = make_id("411082", "19910203", "456")  # employed in 许昌 (长葛) and in 郑州 (金水区)


def unit(path: Path, code: str, name: str, level: Level, areas: Any = None) -> Session:
    s = init_database(path, unit_code=code, unit_name=name, level=level, areas=areas)
    s.auto_backup = False
    return s


def add(session: Session, area: str, **kw: Any) -> int:
    record_id, _ = session.add_values(new_row(所属地区=area, **kw))
    return record_id


def row(table: WeeklyTable, name: str) -> tuple[int, ...]:
    return next(r.cells for r in table.rows if r.name == name)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two counties of 许昌 merged into 许昌; 郑州 with a record in 巩义; 巩义's own ledger."""
    root = tmp_path_factory.mktemp("province")
    changge = unit(root / "changge.sqlite", "411082", "长葛市", Level.COUNTY, [(None, "石固镇")])
    load_demo(changge, 600, seed=21)
    add(
        changge,
        "石固镇",
        姓名="张双岗",
        公民身份号码=TWICE,
        登记日期="2017-03-01",
        **{"就业（减员）日期": "2017-02-20"},
    )
    weidu = unit(root / "weidu.sqlite", "411002", "魏都区", Level.COUNTY, [])
    load_demo(weidu, 400, seed=22)
    xuchang = unit(root / "xuchang.sqlite", "411000", "许昌市", Level.CITY)
    add(xuchang, "许昌市本级", 公民身份号码=make_id("411000", "19900101", "777"))
    merge_packages(
        xuchang,
        [
            pkg.export_package(changge, W, root / "changge.xlsx").path,
            pkg.export_package(weidu, W, root / "weidu.xlsx").path,
        ],
    )
    zhengzhou = unit(root / "zhengzhou.sqlite", "410100", "郑州市", Level.CITY)
    load_demo(zhengzhou, 500, seed=23)
    add(zhengzhou, "金水区", 姓名="张双岗", 公民身份号码=TWICE, 登记日期="2017-08-01")
    for n in range(3):  # records 郑州 keeps in 巩义's row (巩义 also reports itself)
        add(zhengzhou, "巩义市", 公民身份号码=make_id("410181", "19880101", f"{n + 10:03d}"))
    gongyi = unit(root / "gongyi.sqlite", "410181", "巩义市", Level.COUNTY, [])
    for n in range(5):
        add(gongyi, "巩义市本级", 公民身份号码=make_id("410181", "19870101", f"{n + 20:03d}"))
    files = {
        "xuchang": pkg.export_package(xuchang, W, root / "xuchang.xlsx").path,
        "zhengzhou": pkg.export_package(zhengzhou, W, root / "zhengzhou.xlsx").path,
        "gongyi": pkg.export_package(gongyi, W, root / "gongyi.xlsx").path,
    }
    out = {
        "root": root,
        "files": files,
        "changge": changge,
        "weidu": weidu,
        "xuchang": xuchang,
        "zhengzhou": zhengzhou,
        "gongyi": gongyi,
    }
    yield out
    for s in (changge, weidu, xuchang, zhengzhou, gongyi):
        s.close()


def province(path: Path) -> Session:
    return unit(path, "410000", "河南省", Level.PROVINCE)


def test_a_citys_package_carries_its_counties_records(chain: dict[str, Any]) -> None:
    sql = "SELECT count(*) FROM records WHERE registered_on <= ?"
    end = W.end.isoformat()
    n_city = chain["xuchang"].db.conn.execute(sql, (end,)).fetchone()[0]
    n_counties = sum(
        chain[c].db.conn.execute(sql, (end,)).fetchone()[0] for c in ("changge", "weidu")
    )
    assert n_city == n_counties + 1
    head = pkg.open_package(chain["files"]["xuchang"]).head
    assert head.row_count == n_city
    assert ("411082", "长葛市") in head.areas  # the breakdown the province drills into


def test_counties_to_city_to_province(chain: dict[str, Any], tmp_path: Path) -> None:
    files = chain["files"]
    henan = province(tmp_path / "henan.sqlite")
    result = merge_packages(henan, [files["xuchang"], files["zhengzhou"]])
    assert [p.area for p in result.packages] == ["许昌市", "郑州市"]
    table = compute(henan, W)
    xuchang_total = compute(chain["xuchang"], W).total
    assert row(table, "许昌市") == xuchang_total  # the province's city row = the city's 合计
    zz = compute(chain["zhengzhou"], W)
    # 巩义 is directly administered: 郑州's copies of it count in 巩义's row, not in 郑州's.
    gongyi_in_zz = row(zz, "巩义市")
    assert gongyi_in_zz[3] >= 3
    assert row(table, "巩义市") == gongyi_in_zz
    assert row(table, "郑州市") == tuple(a - b for a, b in zip(zz.total, gongyi_in_zz, strict=True))
    assert table.total == tuple(a + b for a, b in zip(xuchang_total, zz.total, strict=True))
    assert row(table, "开封市") == (0,) * 12

    # The person employed in 许昌 (长葛) and in 郑州 the same year is a duplicate here.
    dups = [d for d in cross_area_duplicates(henan) if d.id_number == TWICE]
    assert len(dups) == 1
    assert {dups[0].kept.area, dups[0].duplicate.area} == {"许昌市", "郑州市"}
    assert "许昌市" in dups[0].message and "郑州市" in dups[0].message
    found = [f for f in run_check(henan).findings if f.kind == "duplicate"]
    twice = [f for f in found if f.id_number == TWICE]
    assert len(twice) == 1 and "许昌市" in twice[0].message  # the 郑州 record loses to 许昌's

    # 巩义's own package arrives: it alone counts, 郑州's copies stop counting.
    merge_packages(henan, [files["gongyi"]])
    table = compute(henan, W)
    assert row(table, "巩义市") == compute(chain["gongyi"], W).total
    assert row(table, "巩义市")[3] == 5
    assert row(table, "郑州市") == tuple(a - b for a, b in zip(zz.total, gongyi_in_zz, strict=True))
    assert row(table, "许昌市") == xuchang_total

    # Who delivered: the three that did, the 25 others missing.
    status = {a.name: a.status for a in completeness(henan, W)}
    assert len(status) == 28
    assert {n for n, s in status.items() if s != "missing"} == {"许昌市", "郑州市", "巩义市"}
    henan.close()


def test_the_same_when_the_county_came_first(chain: dict[str, Any], tmp_path: Path) -> None:
    files = chain["files"]
    henan = province(tmp_path / "henan.sqlite")
    merge_packages(henan, [files["gongyi"], files["zhengzhou"]])
    table = compute(henan, W)
    zz = compute(chain["zhengzhou"], W)
    assert row(table, "巩义市") == compute(chain["gongyi"], W).total
    assert row(table, "郑州市") == tuple(
        a - b for a, b in zip(zz.total, row(zz, "巩义市"), strict=True)
    )
    marked = henan.db.conn.execute(
        "SELECT count(*) FROM records WHERE area_id IS NULL AND area_raw = '巩义市（郑州市）'"
    ).fetchone()[0]
    in_zz = (
        chain["zhengzhou"]
        .db.conn.execute(
            "SELECT count(*) FROM records r JOIN areas a ON a.id = r.area_id "
            "WHERE a.code = '410181' AND r.registered_on <= ?",
            (W.end.isoformat(),),
        )
        .fetchone()[0]
    )
    assert marked == in_zz >= 3
    henan.close()


def test_drill_down_into_a_city_gives_its_own_rows(chain: dict[str, Any], tmp_path: Path) -> None:
    files = chain["files"]
    henan = province(tmp_path / "henan.sqlite")
    merge_packages(henan, [files["xuchang"], files["zhengzhou"]])
    for week in (W, week_from_key("2017-03-1"), week_from_key("2017-01-1")):
        city_table = compute(chain["xuchang"], week)
        drill = area_breakdown(henan, week, "411000")
        assert drill.unit.name == "许昌市" and drill.unit.level == Level.CITY
        assert [(r.name, r.cells) for r in drill.rows] == [
            (r.name, r.cells) for r in city_table.rows
        ]
        assert drill.total == row(compute(henan, week), "许昌市")
    drill = area_breakdown(henan, W, "410100")
    assert "巩义市" not in [r.name for r in drill.rows]  # counted in its own row
    assert drill.total == row(compute(henan, W), "郑州市")
    with pytest.raises(BreakdownError, match="开封市还没有合并过2017年的上报文件"):
        area_breakdown(henan, W, "410200")
    with pytest.raises(BreakdownError, match="没有代码为“419999”的下属地区"):
        area_breakdown(henan, W, "419999")
    # A record typed at the province into 许昌's row shows on a row of its own.
    add(henan, "许昌市", 公民身份号码=make_id("411000", "19890101", "888"), 登记日期="2017-11-06")
    drill = area_breakdown(henan, W, "411000")
    assert drill.rows[-1].name == OTHER_ROW and drill.rows[-1].cells[3] == 1
    assert drill.total == row(compute(henan, W), "许昌市")
    henan.close()


def test_weekly_area_on_the_command_line(
    chain: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "henan.sqlite")
    init = ["init", "--db", db, "--unit-code", "410000", "--unit-name", "河南省"]
    assert main([*init, "--level", "province"]) == 0
    assert main(["merge", "--db", db, str(chain["files"]["xuchang"])]) == 0
    capsys.readouterr()
    assert main(["weekly", "--db", db, "--week", W.key, "--area", "411000", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unit"] == {"code": "411000", "name": "许昌市"}
    assert [r["name"] for r in doc["rows"]][:2] == ["许昌市本级", "魏都区"]
    assert doc["total"] == list(compute(chain["xuchang"], W).total)
    assert main(["weekly", "--db", db, "--week", W.key, "--area", "410200"]) == 1
    assert "开封市还没有合并过" in capsys.readouterr().err

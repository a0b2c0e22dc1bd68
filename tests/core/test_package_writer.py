"""The package stream's quick way of putting a 实名台账 row together gives what the careful way does."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from jiuye_desktop import package as pkg
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import Level
from jiuye_desktop.package import stream
from jiuye_desktop.service import init_database
from jiuye_desktop.weeks import week_from_key

from .helpers import make_id, new_row

W = week_from_key("2017-12-6")
ODD = [
    " 前后有空格 ",
    "制表\t符",
    "回车\r\n换行\r旧式",
    '引号"反斜杠\\斜杠/',
    "&amp; <b> >",
    "\x7f删除符\u2028行分隔\u3000全角空格😀",
    "控制\x01\x08\x0b字符\ufffe",
    "\t",
    "x ",
]


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(stream.sheet_member(zf, pkg.format.LEDGER_SHEET))


def test_quick_and_careful_rows_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = init_database(
        tmp_path / "a.sqlite",
        unit_code="411082",
        unit_name="长葛市",
        level=Level.COUNTY,
        areas=[(None, "石固镇")],
    )
    s.auto_backup = False
    load_demo(s, 300, seed=9)
    for n, text in enumerate(ODD):
        s.add_values(
            new_row(
                所属地区="石固镇",
                公民身份号码=make_id("411082", "19900101", f"{n + 300:03d}"),
                备注=text,
                就业单位名称=text,
            )
        )
    with s.db.transaction() as tx:  # what the forms never store, an old ledger might hold
        tx.execute("UPDATE records SET remark = ? WHERE id = 1", ("回车\r\n换行\x01控制",))
        tx.execute("UPDATE records SET employer = ? WHERE id = 2", ("  前后空格 ",))
        tx.execute("UPDATE records SET remark = ? WHERE id = 3", ("零\x00字符",))
        tx.execute(  # a dismissed warning: its 核实说明 is written in Python
            "INSERT INTO dismissals (record_id, finding_key, reason, operator, at) "
            "VALUES (4, '灵活就业', '已电话核实  属实', '张三，李四', '2017-06-01 10:00:00')"
        )
    fast = pkg.export_package(s, W, tmp_path / "fast.xlsx")
    every = re.compile("")  # every row cleaned cell by cell and put together the careful way
    monkeypatch.setattr(stream, "_NEEDS_CLEAN", every)
    monkeypatch.setattr(stream, "_NEEDS_CARE", every)
    slow = pkg.export_package(s, W, tmp_path / "slow.xlsx")
    assert (fast.rows, fast.active, fast.removed) == (slow.rows, slow.active, slow.removed)
    assert _sheet_xml(fast.path) == _sheet_xml(slow.path)
    rows: list[Any] = (
        CalamineWorkbook.from_path(str(fast.path)).get_sheet_by_name("实名台账").to_python()
    )
    cells = [[pkg.format.read_cell(v) for v in r] for r in rows[1:]]
    width = len(pkg.LEDGER_HEADERS)
    cells = [c[:width] + [""] * (width - len(c)) for c in cells]
    assert cells == list(pkg.ledger_sheet_rows(s, W))
    verified = pkg.verify_package(pkg.open_package(fast.path))  # the signature holds too
    assert verified.head.row_count == len(cells)
    remarks = {c[pkg.TEMPLATE_HEADERS.index("备注")] for c in cells}
    assert {"制表\t符", "&amp; <b> >", '引号"反斜杠\\斜杠/', "回车\n换行控制", "零字符"} <= remarks
    checked = [c[pkg.LEDGER_HEADERS.index("核实说明")] for c in cells]
    assert checked[3] == "灵活就业：已电话核实 属实（张三,李四，2017-06-01 10:00:00）"
    assert sum(1 for c in checked if c) == 1
    employers = {c[pkg.TEMPLATE_HEADERS.index("就业单位名称")] for c in cells}
    assert "  前后空格 " in employers
    s.close()

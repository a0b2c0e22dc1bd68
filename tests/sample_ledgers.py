"""The sample ledgers the tests use, made here: no file from outside the checkout is needed.

Two workbooks of Xuchang 许昌市 (411000, city, its six county-level areas and
本级) from the project's seeded generator (``demo.generate_rows``), with the
same names and the same ``*-expected.json`` layout as the hand-made samples of
``shared/samples`` (which, when present beside the checkout, are tested too):

- ``xuchang-2017-ledger.xlsx``: the import template as designed;
- ``xuchang-2017-ledger-messy.xlsx``: the same rows written the way offices
  write them: a title above the header, header synonyms, IDs with spaces or a
  lower-case x, text dates in several forms, areas by code.

The expected results come from ``tests/oracle.py`` (duplicates and the weekly
table), and from the generator's own account of the invalid and incomplete
rows it wrote on purpose.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from random import Random

import openpyxl

from jiuye_desktop.demo import DEFECT_KINDS, HEADERS, DemoRow, generate_rows
from jiuye_desktop.demo_workbook import write_workbook
from tests.oracle import OracleRow, expected

XUCHANG_AREAS: tuple[tuple[str, str], ...] = (
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
)
RECORDS = 630
SEED = 2017
PER_DEFECT = 30
REMOVAL_DAY = dt.date(2017, 11, 24)
#: Days whose weeks the expectation gives: the first week, spring, the week before the
#: removal, the removal's week and the year's last week.
DAYS = tuple(
    dt.date.fromisoformat(d)
    for d in ("2017-01-06", "2017-06-02", "2017-11-10", "2017-11-24", "2017-12-31")
)
TEMPLATE, MESSY = "xuchang-2017-ledger.xlsx", "xuchang-2017-ledger-messy.xlsx"
CASES = ((TEMPLATE, "xuchang-2017-expected.json"), (MESSY, "xuchang-2017-messy-expected.json"))

_SYNONYMS = {
    "公民身份号码": "身份证号码",
    "就业（减员）日期": "就业日期",
    "所属地区": "地区",
    "就业单位名称": "就业单位",
    "联系电话": "手机号码",
    "登记日期": "登记时间",
}
_DATE_FORMS = (
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: d.isoformat(),
)


def sample_rows() -> list[DemoRow]:
    """Rows as the hand-made samples have them: ``RECORDS`` rows registered up to
    ``REMOVAL_DAY`` (the ledger on the day of the November check), ``PER_DEFECT`` of each
    defect kind, in the generator's order, numbered 1, 2, …

    The generator spreads its rows over the year and draws its defects at random:
    its rows are taken in order while each kind's quota lasts. A duplicate copies an
    earlier clean row, and is taken only when that row was.
    """
    quota = {None: RECORDS - 3 * PER_DEFECT, **dict.fromkeys(DEFECT_KINDS, PER_DEFECT)}
    rows: list[DemoRow] = []
    kept_ids: set[object] = set()
    for row in generate_rows(8 * RECORDS, seed=SEED, areas=XUCHANG_AREAS, defect_rate=0.05):
        registered = row.values["登记日期"]
        if not (isinstance(registered, dt.date) and registered <= REMOVAL_DAY):
            continue
        if quota[row.defect] == 0:
            continue
        if row.defect == "duplicate" and row.values["公民身份号码"] not in kept_ids:
            continue
        quota[row.defect] -= 1
        kept_ids.add(row.values["公民身份号码"])
        rows.append(DemoRow({**row.values, "序号": str(len(rows) + 1)}, row.defect))
        if len(rows) == RECORDS:
            return rows
    raise AssertionError(f"the generator gave too few rows for the samples: {quota}")


def write_messy(rows: Sequence[DemoRow], path: Path, seed: int = SEED) -> None:
    """The rows as an office writes them; every value keeps its meaning."""
    rng = Random(seed)
    codes = {name: code for code, name in XUCHANG_AREAS}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws.append(["许昌市2017年城镇新增就业人员实名登记台账"])
    ws.append(["填报单位：许昌市人力资源和社会保障局"])
    ws.append([_SYNONYMS.get(h, h) for h in HEADERS])
    for row in rows:
        out: list[object] = []
        for header in HEADERS:
            value = row.values.get(header, "")
            if isinstance(value, dt.date):
                u = rng.random()
                value = value if u < 0.3 else _DATE_FORMS[int(u * 10) % len(_DATE_FORMS)](value)
            elif header == "公民身份号码" and len(str(value)) == 18:
                text = str(value)
                u = rng.random()
                if text.endswith("X") and u < 0.6:
                    text = text[:-1] + "x"
                if u < 0.25:
                    text = f"{text[:6]} {text[6:14]} {text[14:]}"
                elif u > 0.85:
                    text = f" {text} "
                value = text
            elif header == "所属地区" and value in codes and rng.random() < 0.5:
                value = codes[str(value)]
            out.append(None if value == "" else value)
        ws.append(out)
    for r in range(4, ws.max_row + 1):  # IDs, USCCs and phones as text cells
        for header in ("公民身份号码", "统一社会信用代码", "联系电话"):
            ws.cell(r, HEADERS.index(header) + 1).number_format = "@"
    wb.save(path)


def write_samples(folder: Path) -> Path:
    """Both workbooks and their expectations in ``folder``."""
    rows = sample_rows()
    oracle_rows = [
        OracleRow(str(r.values["序号"]), r.values, r.defect in ("invalid", "incomplete"))
        for r in rows
    ]
    labels = {str(r.values["序号"]): r.defect for r in rows if r.defect}
    exp = expected(oracle_rows, labels, XUCHANG_AREAS, REMOVAL_DAY, DAYS)
    # The oracle's duplicates are the generator's: two accounts of one ledger agree.
    generated = sorted(int(s) for s, k in labels.items() if k == "duplicate")
    if exp["defects"]["duplicate"] != generated:  # type: ignore[index]
        raise AssertionError("the oracle and the generator disagree on the duplicates")
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(rows, folder / TEMPLATE)
    write_messy(rows, folder / MESSY)
    text = json.dumps(exp, ensure_ascii=False, indent=1)
    for _, name in CASES:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@functools.cache
def samples_dir() -> Path:
    """The generated samples, made once per test run in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="jiuye-samples-"))
    import atexit

    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return write_samples(folder)

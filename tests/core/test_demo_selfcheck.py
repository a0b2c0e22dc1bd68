"""The demo ledger written as a workbook and imported: the self-check finds exactly
the defects the generator injected, row by row (an independent oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuye_desktop.demo import generate_rows
from jiuye_desktop.demo_workbook import write_workbook
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.selfcheck import remove_flagged, run_check
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import week_of

from .helpers import xuchang

AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]


@pytest.mark.parametrize("seed", [11, 12])
def test_injected_defects_are_found_exactly(tmp_path: Path, seed: int) -> None:
    import datetime as dt

    rows = list(generate_rows(1500, seed=seed, areas=AREAS, defect_rate=0.03))
    book = tmp_path / "ledger.xlsx"
    write_workbook(rows, book)
    session = xuchang(tmp_path / "l.sqlite")
    assert import_workbook(session, book).imported == len(rows)
    result = run_check(session)
    flagged: dict[int, set[str]] = {}
    for f in result.findings:
        if f.kind != "warning":
            flagged.setdefault(f.source_row or 0, set()).add(f.kind)
    expected = {i + 2: {r.defect} for i, r in enumerate(rows) if r.defect}
    assert flagged == expected
    assert sum(result.summary[k] for k in ("duplicate", "invalid", "incomplete")) == len(expected)

    # After removing every defect, 本年累计 at year end counts the clean rows only.
    remove_flagged(session, "all", dt.date(2017, 11, 24))
    table = compute(session, week_of(dt.date(2017, 12, 31)))
    clean_new = sum(1 for r in rows if not r.defect and r.values["登记类型"] == "新就业")
    assert table.total[3] == clean_new
    session.close()

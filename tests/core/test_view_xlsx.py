"""The grid's view and the self-check's findings as xlsx (#16): every field, IDs as text."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jiuye_desktop.browse import BrowseQuery, Status, record_ids
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import FINDING_KIND_NAMES, RECORD_FIELDS, FindingKind, Level
from jiuye_desktop.exports.atomic import ExportError
from jiuye_desktop.exports.view_xlsx import (
    LEDGER_HEADERS,
    ExportCancelled,
    export_findings,
    export_ledger_view,
)
from jiuye_desktop.selfcheck import run_check
from jiuye_desktop.service import Session, init_database


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("view") / "l.sqlite"
    s = init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY)
    load_demo(s, 2500, year=2017, seed=9)
    yield s
    s.close()


def test_the_filtered_view_with_every_field_ids_as_text(session: Session, tmp_path: Path) -> None:
    query = BrowseQuery(record_type="新就业", status=Status.ACTIVE, sort="name")
    ids = list(record_ids(session, query))
    assert 0 < len(ids) < 2500
    seen = []
    out = export_ledger_view(
        session, query, tmp_path / "台账.xlsx", progress=lambda d, t: seen.append((d, t))
    )
    assert out.rows == len(ids) and seen[-1] == (len(ids), len(ids))
    wb = openpyxl.load_workbook(out.path, read_only=True)
    rows = list(wb["实名台账"].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == LEDGER_HEADERS
    assert len(LEDGER_HEADERS) == 1 + len(RECORD_FIELDS) + 2
    body = rows[1:]
    assert [r[0] for r in body] == ids  # the grid's order, 编号 as numbers
    col = LEDGER_HEADERS.index("公民身份号码")
    kinds = LEDGER_HEADERS.index("登记类型")
    for r in body:
        assert r[kinds] == "新就业"
        assert r[col] is None or isinstance(r[col], str)  # as typed, never 4.1E+17
    assert any(len(r[col]) == 18 and r[col][:17].isdigit() for r in body)
    # The stored values, as the entry form shows them.
    from jiuye_desktop.browse import record_form_values

    first = record_form_values(session, ids[0])
    assert first is not None
    for header, value in first.items():
        if header in LEDGER_HEADERS:
            assert (body[0][LEDGER_HEADERS.index(header)] or "") == value, header


def test_cancelled_or_unwritable_export_writes_nothing(session: Session, tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    with pytest.raises(ExportCancelled):
        export_ledger_view(session, BrowseQuery(), target, cancelled=lambda: True)
    assert not target.exists()
    with pytest.raises(ExportError):
        export_ledger_view(session, BrowseQuery(), tmp_path / "无此文件夹" / "x.xlsx")


def test_findings_export(session: Session, tmp_path: Path) -> None:
    result = run_check(session)
    out = export_findings(result, tmp_path / "自查.xlsx")
    assert out.rows == len(result.findings) > 0
    wb = openpyxl.load_workbook(out.path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    assert rows[0][:3] == ("问题类型", "记录编号", "原表行号")
    names = {FINDING_KIND_NAMES[k] for k in FindingKind}
    assert {r[0] for r in rows[1:]} <= names
    f = result.findings[0]
    assert rows[1][1] == f.record and rows[1][4] == f.id_number and rows[1][7] == f.message

"""A large import judged in two processes stores exactly what one process stores.

The helper process is real (spawned); the workbook has several chunks, empty
rows, a row with only 序号 and a merged cell across a chunk boundary, so that
both processes must carry the same state over the rows they skip.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jiuye_desktop import import_rows, import_schedule
from jiuye_desktop.demo import generate_rows
from jiuye_desktop.domain import RECORD_FIELDS
from jiuye_desktop.importer import ImportCancelled, import_workbook

from .helpers import db_fingerprint, xuchang

AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
ROWS = 9_000  # five chunks
HEADERS = [h for _, h in RECORD_FIELDS]
MERGED_FROM = import_rows.CHUNK  # Excel rows 2000–2003 straddle the first chunk boundary


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("par") / "ledger-9000.xlsx"
    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = "实名台账"
    ws.append(HEADERS)
    for i, row in enumerate(generate_rows(ROWS, seed=11, areas=AREAS, defect_rate=0.05)):
        excel_row = i + 2
        if excel_row in (3000, 6500):
            ws.append([])  # an empty row: skipped
        elif excel_row == 5000:
            ws.append([4999])  # only 序号: rejected with its row number
        else:
            ws.append([row.values.get(h) for h in HEADERS])
    col = HEADERS.index("所属地区") + 1
    ws.cell(MERGED_FROM, col, "长葛市")
    ws.merge_cells(start_row=MERGED_FROM, start_column=col, end_row=MERGED_FROM + 3, end_column=col)
    wb.save(path)
    return path


def _contents(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(records)") if r[1] != "created_at"]
        return {
            "records": conn.execute(
                f"SELECT {', '.join(cols)} FROM records ORDER BY id"
            ).fetchall(),
            "findings": conn.execute(
                "SELECT record_id, kind, field, message FROM record_findings ORDER BY rowid"
            ).fetchall(),
            "tally": conn.execute("SELECT * FROM tally ORDER BY 1, 2, 3, 4").fetchall(),
            "imports": conn.execute("SELECT row_count, imported, rejected FROM imports").fetchall(),
        }
    finally:
        conn.close()


def _slow_progress(done: int, total: int) -> None:
    time.sleep(0.4)  # hold this process back so that the helper surely takes chunks


@pytest.fixture(scope="module")
def sequential(book: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    db = tmp_path_factory.mktemp("seq") / "one.sqlite"
    session = xuchang(db)
    try:
        result = import_workbook(session, book, workers=1)
    finally:
        session.close()
    return result, _contents(db)


def test_two_processes_store_what_one_stores(book: Path, sequential, tmp_path: Path) -> None:
    one, expected = sequential
    session = xuchang(tmp_path / "two.sqlite")
    try:
        two = import_workbook(session, book, workers=2, progress=_slow_progress)
    finally:
        session.close()
    assert 0 < two.helper_rows < two.imported
    assert one.helper_rows == 0
    assert two.imported == one.imported == ROWS - 3
    assert [(r.row, r.reason) for r in two.rejected] == [(r.row, r.reason) for r in one.rejected]
    assert [r.row for r in one.rejected] == [5000]
    got = _contents(tmp_path / "two.sqlite")
    assert got == expected
    # Record ids follow the workbook's rows; the merged 所属地区 reached all four rows.
    assert [rec[0] for rec in got["records"]] == list(range(1, ROWS - 2))
    area_raw = [
        r[1]
        for r in sqlite3.connect(tmp_path / "two.sqlite").execute(
            "SELECT source_row, area_raw FROM records WHERE source_row BETWEEN ? AND ?",
            (MERGED_FROM, MERGED_FROM + 3),
        )
    ]
    assert area_raw == ["长葛市"] * 4


@pytest.mark.parametrize("broken_from", [0, 2], ids=["at-once", "after-two-slots"])
def test_a_failing_helper_leaves_its_rows_to_this_process(
    book: Path,
    sequential,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    broken_from: int,
) -> None:
    """The helper's slot files from ``broken_from`` on lose their tables: it fails at its
    first write there, after it has claimed a chunk. The slots it completed before are
    copied; this process judges the rest itself."""
    _, expected = sequential

    def broken(path: Path, digest: str, ctx: Any, size: int, workers: int | None):
        helper = import_schedule.Helper(path, digest, ctx)
        for slot in helper.slots[broken_from:]:
            slot.unlink()
            sqlite3.connect(slot).close()
        return helper

    monkeypatch.setattr(import_schedule, "start_helper", broken)
    session = xuchang(tmp_path / "fallback.sqlite")
    try:
        result = import_workbook(session, book, progress=_slow_progress)
    finally:
        session.close()
    assert "导入的辅助进程失败" in caplog.text and "stage_rows" in caplog.text
    if broken_from == 0:
        assert result.helper_rows == 0
    else:
        assert 0 < result.helper_rows < result.imported
    assert _contents(tmp_path / "fallback.sqlite") == expected


def test_cancel_with_a_helper_changes_nothing_and_leaves_no_stage(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_root = tmp_path / "tmp"
    stage_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(stage_root))
    session = xuchang(tmp_path / "c.sqlite")
    before = db_fingerprint(session.db.path)
    try:
        with pytest.raises(ImportCancelled):
            import_workbook(
                session, book, workers=2, progress=_slow_progress, cancelled=lambda: True
            )
    finally:
        session.close()
    assert db_fingerprint(tmp_path / "c.sqlite") == before
    assert list(stage_root.iterdir()) == []


def test_the_helper_is_for_files_of_a_middle_size(book: Path, tmp_path: Path) -> None:
    """Small files are judged here (a process costs more than it saves); huge ones too
    (two copies of the sheet would not fit in memory)."""
    session = xuchang(tmp_path / "s.sqlite")
    try:
        ctx = session.context()
        for size in (
            import_schedule.PARALLEL_FROM_BYTES - 1,
            import_schedule.PARALLEL_UP_TO_BYTES + 1,
        ):
            assert import_schedule.start_helper(book, "0" * 64, ctx, size, None) is None
        assert import_schedule.start_helper(book, "0" * 64, ctx, 10**9, 1) is None
    finally:
        session.close()

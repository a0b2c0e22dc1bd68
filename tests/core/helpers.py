"""Small builders for core tests: a real database made by the real migrations."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from jiuye_desktop.domain import Level
from jiuye_desktop.service import Session, init_database
from jiuye_desktop.validation import id_check_digit

TEMPLATE = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "所属地区",
    "登记类型",
    "就业（减员）日期",
    "就业形式",
    "就业单位名称",
    "统一社会信用代码",
    "签订劳动合同",
    "缴纳社会保险",
    "失业人员再就业",
    "就业困难人员",
    "困难人员类别",
    "去产能职工",
    "原企业名称",
    "安置方式",
    "减员原因",
    "户籍性质",
    "联系电话",
    "登记日期",
    "备注",
]


def xuchang(path: Path) -> Session:
    return init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY)


def make_id(prefix: str = "411002", birth: str = "19850312", seq: str = "123") -> str:
    body = prefix + birth + seq
    return body + id_check_digit(body)


def new_row(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "姓名": "王伟",
        "公民身份号码": make_id(),
        "所属地区": "魏都区",
        "登记类型": "新就业",
        "就业（减员）日期": "2017-05-02",
        "就业形式": "自主创业",
        "联系电话": "15100021099",
        "登记日期": "2017-05-10",
        "失业人员再就业": "否",
        "就业困难人员": "否",
        "去产能职工": "否",
    }
    row.update(kw)
    return row


def write_book(
    path: Path,
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str] = TEMPLATE,
    *,
    rename: dict[str, str] | None = None,
    title_rows: int = 0,
    sheet: str = "实名台账",
) -> Path:
    """A workbook with the given rows; ``rename`` writes a header under another name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for i in range(title_rows):
        ws.append([f"标题行{i + 1}"])
    ws.append([(rename or {}).get(h, h) for h in headers])
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def db_fingerprint(path: Path) -> str:
    """A digest of every table's rows: equal before and after means nothing changed."""
    conn = sqlite3.connect(path)
    try:
        h = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for t in tables:
            h.update(t.encode())
            for row in sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))):
                h.update(row.encode())
        return h.hexdigest()
    finally:
        conn.close()


def ledger_state(db: Path, log_table: str) -> tuple[str, int, int]:
    """(integrity_check, records, rows of ``log_table``) of a database a killed process
    left behind; asserts that the weekly tally agrees with the records."""
    conn = sqlite3.connect(db)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        records = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        logged = conn.execute(f"SELECT count(*) FROM {log_table}").fetchone()[0]
        tally = conn.execute("SELECT coalesce(sum(n), 0) FROM tally").fetchone()[0]
        counted = conn.execute(
            "SELECT count(*) FROM records "
            "WHERE ind != 0 AND area_id IS NOT NULL AND removed_on IS NULL"
        ).fetchone()[0]
        assert tally == counted  # the weekly tally is consistent with the records
        return ok, records, logged
    finally:
        conn.close()

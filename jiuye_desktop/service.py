"""A working session on one ledger database: the unit, its areas, adding and editing records.

The window and the command line both go through here; neither runs SQL.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import divisions
from .domain import Area, Finding, Level, Record, Unit
from .records import UnitContext, assess
from .storage import ledger
from .storage.db import Database, StorageError, open_database

OPERATOR_SETTING = "operator"


class SetupError(Exception):
    """The unit or its areas cannot be set up as asked (Chinese message)."""


def default_operator() -> str:
    try:
        return os.environ.get("JIUYE_OPERATOR") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some systems
        return "操作员"


def prepare(record: Record, ctx: UnitContext) -> ledger.PreparedRecord:
    """A record with its indicator bits, duplicate class and own findings."""
    a = assess(record, ctx)
    return ledger.PreparedRecord(
        record=record,
        area_id=ctx.area_ids.get(record.area_code) if record.area_code else None,
        id_ok=a.id_ok,
        birth_date=a.birth_date,
        ind=int(a.indicators),
        dup_key=a.dup_key,
        findings=a.findings,
    )


@dataclass
class Session:
    db: Database
    operator: str

    @property
    def unit(self) -> Unit:
        unit = ledger.get_unit(self.db.conn)
        if unit is None:
            raise StorageError(f"数据库 {self.db.path} 还没有填报单位，请先运行 init")
        return unit

    def areas(self) -> list[Area]:
        return [a for _, a in ledger.list_areas(self.db.conn)]

    def context(self, today: dt.date | None = None) -> UnitContext:
        pairs = ledger.list_areas(self.db.conn)
        return UnitContext(
            unit=self.unit,
            areas=[a for _, a in pairs],
            area_ids={a.code: i for i, a in pairs},
            prefix_existed=divisions.ever_existed,
            today=today or dt.date.today(),
        )

    def close(self) -> None:
        self.db.close()

    # --- records typed in the window ---------------------------------------------------------

    def add_record(self, record: Record) -> tuple[int, list[Finding]]:
        ctx = self.context()
        record.area_code = record.area_code or ctx.resolve_area(record.area_raw)
        p = prepare(record, ctx)
        with self.db.transaction() as tx:
            ledger.insert_records(tx, [p], import_id=None, operator=self.operator)
            new_id = int(tx.execute("SELECT max(id) FROM records").fetchone()[0])
        return new_id, list(p.findings)

    def edit_record(self, record_id: int, record: Record) -> list[Finding]:
        ctx = self.context()
        record.area_code = record.area_code or ctx.resolve_area(record.area_raw)
        p = prepare(record, ctx)
        with self.db.transaction() as tx:
            ledger.update_record(tx, record_id, p, operator=self.operator)
        return list(p.findings)


def open_session(path: Path | str, *, operator: str | None = None) -> Session:
    db = open_database(path)
    try:
        if ledger.get_unit(db.conn) is None:
            raise StorageError(f"数据库 {path} 还没有填报单位，请先运行 init")
        op = operator or ledger.get_setting(db.conn, OPERATOR_SETTING) or default_operator()
    except BaseException:
        db.close()
        raise
    return Session(db, op)


def parse_area_spec(spec: str) -> tuple[str | None, str]:
    """``[CODE:]NAME`` of ``init --area``."""
    code, sep, name = spec.partition(":")
    if not sep:
        code, name = "", spec
    code, name = code.strip(), name.strip()
    if not name:
        raise SetupError(f"地区“{spec}”缺少名称，应写成 [代码:]名称")
    if code and not (code.isdigit() and 6 <= len(code) <= 12):
        raise SetupError(f"地区“{spec}”的代码应为6–12位数字")
    return (code or None), name


def init_database(
    path: Path | str,
    *,
    unit_code: str,
    unit_name: str,
    level: Level,
    areas: Sequence[tuple[str | None, str]] | None = None,
    operator: str | None = None,
) -> Session:
    """Create the database of a reporting unit.

    Without ``areas`` a known Henan city gets its county-level units (domain.md §2).
    """
    if not (unit_code.isdigit() and len(unit_code) == 6):
        raise SetupError(f"单位代码“{unit_code}”应为6位数字（GB/T 2260）")
    if not unit_name.strip():
        raise SetupError("单位名称不能为空")
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        db = open_database(path)
        try:
            if ledger.get_unit(db.conn) is not None:
                raise SetupError(f"数据库 {path} 已经建立过填报单位，不能重复初始化")
        finally:
            db.close()
    if areas is None:
        areas = divisions.default_areas(unit_code) if level == Level.CITY else []
    names = [n for _, n in areas]
    codes = [c for c, _ in areas if c]
    if len(set(names)) != len(names) or len(set(codes)) != len(codes):
        raise SetupError("地区名称或代码有重复")
    if unit_code in codes:
        raise SetupError(f"地区代码{unit_code}与本单位相同（本级已自动包含）")
    db = open_database(path, create=True)
    op = operator or default_operator()
    try:
        with db.transaction() as tx:
            ledger.create_unit(tx, Unit(unit_code, unit_name.strip(), level), list(areas))
            ledger.set_setting(tx, OPERATOR_SETTING, op)
    except BaseException:
        db.close()
        raise
    return Session(db, op)

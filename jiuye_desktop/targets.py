"""Annual targets per year, indicator and row (domain.md §6).

A target is set for a row of the weekly table (本级 or a subordinate area)
or for the unit itself (合计). Without the unit's own target, 合计's target
is the sum of its rows' targets (:meth:`Targets.total_target`). The window's
目标任务 screen, ``targets set / import / list`` and the 附件2 figures
(:mod:`.annex2`) all go through here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import annex2
from .domain import INDICATOR_NAMES, Area, Level, Unit
from .service import Session
from .storage import ledger
from .storage.db import now_text
from .storage.targets_sql import TOTAL_AREA_ID, list_targets, put_targets

#: Code of the 合计 row (progress --json, targets list --json).
TOTAL_CODE = "total"
TOTAL_NAME = "合计"
SELF_SUFFIX = "本级"
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_TARGET = 100_000_000
#: The header of the first column of the targets sheet (import and template).
AREA_HEADER = "地区"


class TargetError(Exception):
    """A target cannot be set as asked (Chinese message; nothing changed)."""


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A row of the targets grid: 本级 or an area (``area_id``), or 合计 (``area_id`` 0)."""

    area_id: int
    code: str  # the area's code, its name when it has none, or ``total``
    name: str

    @property
    def is_total(self) -> bool:
        return self.area_id == TOTAL_AREA_ID


@dataclass(frozen=True)
class Targets:
    """The targets of one year: ``values[(area_id, indicator)]``; area id 0 = the unit's own."""

    year: int
    rows: tuple[TargetRow, ...]  # 本级, then the areas (合计 not included)
    values: dict[tuple[int, str], int] = field(default_factory=dict)

    def get(self, area_id: int, indicator: str) -> int | None:
        return self.values.get((area_id, indicator))

    def own_total(self, indicator: str) -> int | None:
        """The unit's own 合计 target, when one is set."""
        return self.values.get((TOTAL_AREA_ID, indicator))

    def total_target(self, indicator: str) -> int | None:
        """合计's target: the unit's own, else the sum of the rows' targets (None when none)."""
        own = self.own_total(indicator)
        if own is not None:
            return own
        row_values = [
            self.values[k] for r in self.rows if (k := (r.area_id, indicator)) in self.values
        ]
        return sum(row_values) if row_values else None


def area_key(area: Area) -> str:
    """The code naming a row: the area's code, or its name when it has none."""
    return area.code or area.name


def target_rows(session: Session) -> tuple[TargetRow, ...]:
    return tuple(
        TargetRow(area_id, area_key(a), a.name) for area_id, a in ledger.list_areas(session.db.conn)
    )


def load(session: Session, year: int) -> Targets:
    """The year's targets of the session's unit."""
    check_year(year)
    rows = target_rows(session)
    known = {r.area_id for r in rows} | {TOTAL_AREA_ID}
    values = {
        (area_id, indicator): value
        for indicator, area_id, value in list_targets(session.db.conn, year)
        if area_id in known and indicator in INDICATOR_NAMES
    }
    return Targets(year, rows, values)


# --- checking what the clerk wrote ------------------------------------------------------------


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TargetError(f"年度 {year} 超出范围（{FIRST_YEAR}—{LAST_YEAR}）")
    return year


def indicator_name(text: str) -> str:
    """The indicator named ``text`` (its name in the weekly table; 人员/人数 may be left off)."""
    name = str(text).strip()
    if name in INDICATOR_NAMES:
        return name
    for full in INDICATOR_NAMES:
        if name and name == re.sub(r"(人员|人数)$", "", full):
            return full
    raise TargetError(f"没有名为“{text}”的指标；可用的指标：{'、'.join(INDICATOR_NAMES)}")


def target_value(value: object, where: str = "") -> int | None:
    """A target as written: a whole number ≥ 0; empty means no target (None)."""
    at = f"{where}：" if where else ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise TargetError(f"{at}目标“{value}”不是人数")
    if isinstance(value, float):
        if not value.is_integer():
            raise TargetError(f"{at}目标“{value:g}”应为整数（人）")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        text = text.removesuffix("人")
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise TargetError(f"{at}目标“{value}”不是数字") from None
            if not as_float.is_integer():
                raise TargetError(f"{at}目标“{value}”应为整数（人）") from None
            number = int(as_float)
    if number < 0:
        raise TargetError(f"{at}目标 {number} 不能为负数")
    if number > MAX_TARGET:
        raise TargetError(f"{at}目标 {number} 过大")
    return number


def resolve_row(session: Session, text: str | None) -> TargetRow:
    """The row ``--area`` names: None or 合计/total = the unit's own target; the unit's
    code or 本级 = 本级; an area's code, or its name (with or without 本级)."""
    unit = session.unit
    total = TargetRow(TOTAL_AREA_ID, TOTAL_CODE, TOTAL_NAME)
    if text is None:
        return total
    key = str(text).strip()
    if key in (TOTAL_CODE, TOTAL_NAME):
        return total
    rows = target_rows(session)
    self_row = next((r for r in rows if r.code == unit.code), None)
    if self_row is not None and key in (SELF_SUFFIX, unit.name + SELF_SUFFIX):
        return self_row
    for row in rows:
        if key in (row.code, row.name):
            return row
    for row in rows:
        if key.removesuffix(SELF_SUFFIX) == row.name:
            return row
    names = "、".join(f"{r.code} {r.name}" if r.code != r.name else r.name for r in rows)
    raise TargetError(f"没有代码或名称为“{text}”的地区；本单位的地区行：{names}")


# --- setting -------------------------------------------------------------------------------


def set_values(session: Session, year: int, values: Iterable[tuple[int, str, int | None]]) -> int:
    """Set (area id, indicator, value or None to clear) of a year in one transaction."""
    check_year(year)
    rows = {r.area_id for r in target_rows(session)} | {TOTAL_AREA_ID}
    items: list[tuple[str, int, int | None]] = []
    for area_id, indicator, value in values:
        if area_id not in rows:
            raise TargetError(f"地区行 {area_id} 不存在")
        items.append((indicator_name(indicator), area_id, target_value(value)))
    with session.db.transaction() as tx:
        return put_targets(tx, year, items, set_at=now_text(), operator=session.operator)


def set_target(
    session: Session, year: int, indicator: str, value: object, area: str | None = None
) -> tuple[TargetRow, str, int | None]:
    """``targets set``: one target; returns (row, indicator, value)."""
    check_year(year)
    name = indicator_name(indicator)
    row = resolve_row(session, area)
    number = target_value(value)
    set_values(session, year, [(row.area_id, name, number)])
    return row, name, number


# --- 附件2 ---------------------------------------------------------------------------------


def province_figures(
    unit: Unit, rows: Sequence[TargetRow], year: int
) -> list[tuple[TargetRow, str, int]]:
    """The targets 附件2 gives this unit for ``year``: (row, indicator, value).

    A listed city or directly administered county gets its own 合计 去产能 target
    (the total: 2016 carry-over + 2017 plan); the province gets its four 2017
    goals as 合计 and each listed city's 去产能 task on that city's row.
    Nothing for another year or a unit not listed.
    """
    if year != annex2.YEAR:
        return []
    total = TargetRow(TOTAL_AREA_ID, TOTAL_CODE, TOTAL_NAME)
    out: list[tuple[TargetRow, str, int]] = []
    if unit.code == annex2.PROVINCE_CODE or unit.level == Level.PROVINCE:
        if unit.code != annex2.PROVINCE_CODE:
            return []
        out += [(total, name, value) for name, value in annex2.PROVINCE_GOALS.items()]
        for row in rows:
            task = annex2.OVERCAPACITY_TASKS.get(row.code)
            if task is not None:
                out.append((row, annex2.OVERCAPACITY_INDICATOR, task.total))
        return out
    task = annex2.OVERCAPACITY_TASKS.get(unit.code)
    if task is not None:
        out.append((total, annex2.OVERCAPACITY_INDICATOR, task.total))
    return out


def fill_from_province(
    session: Session, year: int, indicator: str | None = None, area: str | None = None
) -> list[tuple[TargetRow, str, int]]:
    """Set the targets 附件2 gives this unit (optionally one indicator / one row); returns them.

    Raises:
        TargetError: 附件2 has nothing for this unit, year, indicator or row.
    """
    check_year(year)
    unit = session.unit
    figures = province_figures(unit, target_rows(session), year)
    if indicator is not None:
        name = indicator_name(indicator)
        figures = [f for f in figures if f[1] == name]
    if area is not None:
        row = resolve_row(session, area)
        figures = [f for f in figures if f[0].area_id == row.area_id]
    if not figures:
        if year != annex2.YEAR:
            raise TargetError(f"省厅附件2只有{annex2.YEAR}年的目标，没有{year}年的")
        raise TargetError(
            f"省厅附件2中没有{unit.name}（{unit.code}）"
            + (f"“{indicator}”" if indicator else "")
            + "的目标任务（附件2未列出的单位没有去产能安置任务）"
        )
    set_values(session, year, [(row.area_id, name, value) for row, name, value in figures])
    return figures


# --- the grid as a sheet: import and template ---------------------------------------------


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d\d)\s*年")


def import_targets(
    session: Session, path: Path | str, year: int | None = None, *, default_year: int | None = None
) -> Targets:
    """``targets import``: the grid of the 目标任务 screen from an xlsx, all or nothing.

    Layout: a header row whose first cell is 地区 and whose other cells are
    indicator names (any subset, any order); below it one row per 本级/area
    (by code or name) and optionally 合计 (the unit's own target). An empty
    cell clears that target. The year comes from ``year``, else from a title
    above the header (``2017年…``), else ``default_year`` (the window's year).

    Raises:
        TargetError: with the file, row and column of what is wrong; nothing changed.
    """
    from .workbook import ImportRefused, WorkbookRefused, check_container, read_workbook_file

    path = Path(path)
    name = path.name
    try:
        data = read_workbook_file(path)  # a FIFO or a device refused at once
    except WorkbookRefused as exc:
        raise TargetError(str(exc)) from exc
    except OSError as exc:
        raise TargetError(f"无法读取文件“{path}”：{exc.strerror or exc}") from exc
    try:
        check_container(path, data)
    except ImportRefused as exc:
        raise TargetError(str(exc)) from exc
    grid = _read_first_sheet(name, data)
    header_at = next(
        (i for i, row in enumerate(grid[:30]) if row and str(row[0] or "").strip() == AREA_HEADER),
        None,
    )
    if header_at is None:
        raise TargetError(
            f"文件“{name}”中没有找到目标表的表头（第一列为“{AREA_HEADER}”，其余各列为指标名称）"
        )
    if year is None:
        for row in grid[:header_at]:
            for cell in row:
                m = _YEAR_IN_TITLE.search(str(cell or ""))
                if m:
                    year = int(m[1])
                    break
            if year is not None:
                break
    if year is None:
        year = default_year
    if year is None:
        raise TargetError(f"文件“{name}”的标题中没有年度（如“2017年目标任务”），请用 --year 指定")
    check_year(year)
    header = grid[header_at]
    columns: dict[int, str] = {}
    for c, cell in enumerate(header[1:], start=1):
        text = str(cell or "").strip()
        if not text:
            continue
        try:
            columns[c] = indicator_name(text)
        except TargetError:
            raise TargetError(
                f"文件“{name}”第{header_at + 1}行第{_letter(c)}列“{text}”不是指标名称"
                f"（可用：{'、'.join(INDICATOR_NAMES)}）"
            ) from None
    if not columns:
        raise TargetError(f"文件“{name}”第{header_at + 1}行的表头中没有指标名称")
    doubled = [n for n in set(columns.values()) if list(columns.values()).count(n) > 1]
    if doubled:
        raise TargetError(f"文件“{name}”的表头中指标“{doubled[0]}”出现了两次")
    items: list[tuple[int, str, int | None]] = []
    seen: dict[int, int] = {}
    for r in range(header_at + 1, len(grid)):
        row = grid[r]
        label = str(row[0] if row else "").strip()
        values = [row[c] if c < len(row) else None for c in columns]
        if not label:
            if any(v is not None and str(v).strip() for v in values):
                raise TargetError(f"文件“{name}”第{r + 1}行有目标但没有地区名称")
            continue
        try:
            target = resolve_row(session, label)
        except TargetError:
            raise TargetError(f"文件“{name}”第{r + 1}行：本单位没有地区“{label}”") from None
        if target.area_id in seen:
            raise TargetError(
                f"文件“{name}”第{r + 1}行：地区“{label}”与第{seen[target.area_id]}行重复"
            )
        seen[target.area_id] = r + 1
        for c, indicator in columns.items():
            cell = row[c] if c < len(row) else None
            where = f"文件“{name}”第{r + 1}行第{_letter(c)}列（{label}，{indicator}）"
            items.append((target.area_id, indicator, target_value(cell, where)))
    if not seen:
        raise TargetError(f"文件“{name}”的表头下没有地区行")
    set_values(session, year, items)
    return load(session, year)


def _read_first_sheet(name: str, data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
        return [list(row) for row in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types
        text = str(exc).lower()
        if "encrypt" in text or "password" in text or "cfb" in text:
            raise TargetError(f"文件“{name}”设有密码或已加密，请先取消密码") from exc
        raise TargetError(f"文件“{name}”无法作为Excel工作簿读取（文件已损坏或格式不对）") from exc


def _letter(index: int) -> str:
    from .workbook import column_letter

    return column_letter(index)


def write_template(session: Session, year: int, path: Path | str) -> Path:
    """The year's targets as a sheet in the import layout (to fill in and import back)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .exports.atomic import atomic_write
    from .exports.cells import no_formulas

    targets = load(session, year)
    unit = session.unit
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "目标任务"
    ws.append([f"{unit.name}{year}年目标任务（人）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([AREA_HEADER, *INDICATOR_NAMES])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    ws.append([TOTAL_NAME, *(targets.own_total(n) for n in INDICATOR_NAMES)])
    for row in targets.rows:
        ws.append([row.name, *(targets.get(row.area_id, n) for n in INDICATOR_NAMES)])
    ws.column_dimensions["A"].width = 16
    for c in range(2, 2 + len(INDICATOR_NAMES)):
        ws.column_dimensions[_letter(c - 1)].width = 14
    no_formulas(ws)  # an area named "=…" stays a name
    out = Path(path)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out


def targets_json(session: Session, targets: Targets) -> dict[str, Any]:
    """``targets list --json``: per row (合计 first) the targets by indicator (null = none)."""
    unit = session.unit

    def row_json(code: str, name: str, values: dict[str, int | None]) -> dict[str, Any]:
        return {"code": code, "name": name, "targets": values}

    out = [
        row_json(
            TOTAL_CODE,
            TOTAL_NAME,
            {n: targets.total_target(n) for n in INDICATOR_NAMES},
        )
    ]
    out[0]["own"] = {n: targets.own_total(n) for n in INDICATOR_NAMES}
    for row in targets.rows:
        values = {n: targets.get(row.area_id, n) for n in INDICATOR_NAMES}
        out.append(row_json(row.code, row.name, values))
    return {"year": targets.year, "unit": {"code": unit.code, "name": unit.name}, "rows": out}

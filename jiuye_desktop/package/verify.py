"""Verifying a package: its digest, each row judged as the unit judges it, and 账表一致."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import WeeklyTable
from ..exports import annex1_form as form
from ..exports.annex1_xlsx import MIDDLE_PART, ROW_BODY, ROW_UNIT
from ..records import normalize, prepared_row
from ..service import Session, init_database
from ..signing import verify as verify_signature
from ..storage import ledger, packages_sql
from ..weekly import compute
from .format import (
    ACTIVE,
    ANNEX_SHEET,
    LEDGER_HEADERS,
    LEDGER_SHEET,
    REASON_CODES,
    REMOVED,
    TEMPLATE_HEADERS,
    Checked,
    PackageError,
    Progress,
    digest_line,
    digest_start,
    package_digest,
    parse_checked,
    read_cell,
    signed_message,
)
from .reader import Package, PackageHead, open_package

_REGISTERED = TEMPLATE_HEADERS.index("登记日期")


# --- Verifying -----------------------------------------------------------------------------------


#: The 附件1 sheet's cells as read: (first row, first column) of the grid, and the grid.
AnnexGrid = tuple[tuple[int, int], list[list[Any]]]


@dataclass
class JudgedPackage:
    """A package whose ledger rows were read, hashed and judged (its digest holds).

    ``rows`` are ``packages_sql.MergedRow`` tuples judged as the unit judges
    them; their area id (the ``area_id`` of ``ledger.DERIVED_COLUMNS``) is the
    id of that area in a scratch ledger of the package's unit (``area_ids``),
    or None for a record the unit does not count (area unknown to it). Plain
    data: it crosses from a worker process to the merge.
    """

    head: PackageHead
    rows: list[packages_sql.MergedRow]
    annex: AnnexGrid
    area_ids: tuple[int, ...]
    #: Warnings the unit marked as checked (核实说明), by index into ``rows``.
    checked: dict[int, list[Checked]] = field(default_factory=dict)


@dataclass
class VerifiedPackage:
    """A package whose digest and 附件1 hold (账表一致), with its judged rows."""

    head: PackageHead
    rows: list[packages_sql.MergedRow]
    table: WeeklyTable  # recomputed from the rows: equals the package's 附件1


def verify_package(
    pkg: Package,
    *,
    operator: str = "",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> VerifiedPackage:
    """Check a package's digest and that its 附件1 equals what its 实名台账 rows give.

    ``judge_package`` then ``check_table``.

    Raises:
        PackageError: with the reason (file altered, 账表不一致, rows outside the week …).
    """
    judged = judge_package(pkg, progress=progress, cancelled=cancelled)
    return VerifiedPackage(judged.head, judged.rows, check_table(judged, operator=operator))


def judge_file(path: str, password: str | None, inspected_sha: str | None = None) -> JudgedPackage:
    """``open_package`` then ``judge_package``: the work a merge hands to a worker process.
    ``inspected_sha``: the file as the merge opened it (see ``open_package``); the merge
    compares the judged head's SHA-256 with it.

    Raises:
        PackageError: as ``judge_package``.
    """
    return judge_package(open_package(path, password, inspected_sha=inspected_sha))


def judge_package(
    pkg: Package,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> JudgedPackage:
    """Read the 实名台账 rows, check the digest, and judge each row as the unit does.

    Each row is normalised and judged (``records.normalize``, ``records.prepared_row``)
    in the context of a scratch ledger of the package's unit and areas, made
    by the real migrations.

    Raises:
        PackageError: the file was altered (digest, header, row count), or a row
            lies outside the package's year and week or has a malformed status.
    """
    head = pkg.head
    name = pkg.name
    rows = _ledger_rows(pkg, progress, cancelled)
    h = digest_start(head.unit.code, head.week.key)
    mem = _scratch_session(head, "")
    try:
        ctx = mem.context()
        area_ids = tuple(i for i, _ in ledger.list_areas(mem.db.conn))
    finally:
        mem.close()
    merged: list[packages_sql.MergedRow] = []
    year_start = f"{head.week.year}-01-01"
    end = head.week.end.isoformat()
    n_template = len(TEMPLATE_HEADERS)
    n_status = n_template + 4
    checked: dict[int, list[Checked]] = {}
    for excel_row, values in rows:
        h.update(digest_line(values))
        record = normalize(dict(zip(TEMPLATE_HEADERS, values, strict=False)), ctx, excel_row)
        # A 登记日期 the unit could not read stays unread here (an invalid record of no year).
        unread = record.registered_on == "" and bool(record.registered_on_raw)
        if not unread and not (record.registered_on and year_start <= record.registered_on <= end):
            raise PackageError(
                f"文件“{name}”实名台账第{excel_row}行的登记日期“{values[_REGISTERED]}”不在"
                f"{head.week.year}年1月1日至{head.week.label}末（{end}）之间"
            )
        removal = _removal(values[n_template:n_status], excel_row, name, end)
        if values[n_status]:
            items = parse_checked(values[n_status])
            if items is None:
                raise PackageError(
                    f"文件“{name}”实名台账第{excel_row}行的核实说明“{values[n_status]}”"
                    "不是本程序写的格式，文件被修改过"
                )
            checked[len(merged)] = items
        values_row, findings = prepared_row(record, ctx)
        merged.append((values_row, findings, *removal))
    check_signature(head, str(h.hexdigest()))
    if len(merged) != head.row_count:
        raise PackageError(
            f"文件“{name}”的实名台账有{len(merged)}行，说明中写的是{head.row_count}行"
        )
    return JudgedPackage(head, merged, _annex_grid(pkg), area_ids, checked)


def check_signature(head: PackageHead, ledger_digest: str) -> None:
    """The digest of every cell of every sheet must be the one in 说明, and its signature
    must be by the key in 说明 (whether that key is the unit's is the merge's question:
    ``merge`` compares it with the key pinned for the unit).

    Raises:
        PackageError: the file was changed after it was signed.
    """
    sheets = [(n, ledger_digest if n == LEDGER_SHEET else d) for n, d in head.sheets]
    digest = package_digest(head.unit.code, head.week.key, head.written_at, sheets)
    name = head.file_name
    if digest != head.digest:
        raise PackageError(
            f"文件“{name}”的内容与导出时的摘要不符：文件在导出后被修改过"
            "（改动、增加或删除了单元格、台账行或工作表），已拒绝。请让报送单位重新导出"
        )
    if not verify_signature(head.public_key, head.signature, signed_message(digest)):
        raise PackageError(
            f"文件“{name}”的签名不符：文件在导出后被修改过，或签名不是用文件中的公钥做的，"
            "已拒绝。请让报送单位重新导出"
        )


def check_table(judged: JudgedPackage, *, operator: str = "") -> WeeklyTable:
    """The weekly table the judged rows give, which must equal the package's 附件1 (账表一致).

    The rows go into a new in-memory ledger of the package's unit and areas,
    made by the real migrations and filled through the ledger's own insert
    and removal paths; its table is computed by ``weekly.compute`` and
    compared cell by cell with the package's 附件1 (``verify_package``; a merge
    compares the same 附件1 with what it stored, ``province.sent_table``).

    Raises:
        PackageError: 附件1 differs from what the rows give.
    """
    head = judged.head
    mem = _scratch_session(head, operator)
    try:
        if tuple(i for i, _ in ledger.list_areas(mem.db.conn)) != judged.area_ids:
            raise RuntimeError("scratch ledgers of one package got different area ids")
        with mem.db.transaction() as tx:
            packages_sql.drop_indexes(tx)
            packages_sql.store_rows(
                tx, judged.rows, import_id=None, origin_unit=None, package_id=None, operator=""
            )
        table = compute(mem, head.week)
    finally:
        mem.close()
    compare_annex(head, judged.annex, table)
    return table


def _scratch_session(head: PackageHead, operator: str) -> Session:
    """An in-memory ledger of the package's unit and areas, made by the real migrations."""
    try:
        session = init_database(
            ":memory:",
            unit_code=head.unit.code,
            unit_name=head.unit.name,
            level=head.unit.level,
            areas=list(head.areas),
            operator=operator or "合并",
        )
    except Exception as exc:  # noqa: BLE001 - SetupError and the like: the 说明 is wrong
        raise PackageError(f"文件“{head.file_name}”的“说明”中单位或地区不对：{exc}") from exc
    session.auto_backup = False
    return session


def _ledger_rows(
    pkg: Package, progress: Progress | None, cancelled: Callable[[], bool] | None
) -> Iterator[tuple[int, list[str]]]:
    """(Excel row, cells as text) of the 实名台账 sheet; its header must be the package's."""
    name = pkg.name
    sheet = pkg.book.get_sheet_by_name(LEDGER_SHEET)
    start = sheet.start or (0, 0)
    if tuple(start) != (0, 0):
        raise PackageError(f"文件“{name}”的实名台账不从A1单元格开始，文件被修改过")
    width = len(LEDGER_HEADERS)
    total = max(sheet.height - 1, 0)
    it = iter(sheet.iter_rows())
    header = [read_cell(v) for v in next(it, [])]
    if tuple(header[:width]) != LEDGER_HEADERS or any(header[width:]):
        raise PackageError(f"文件“{name}”的实名台账表头与本程序导出的不同，文件被修改过")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, raw in enumerate(it, start=2):
            values = [v if type(v) is str else read_cell(v) for v in raw]
            if any(values[width:]):
                raise PackageError(
                    f"文件“{name}”实名台账第{index}行在表头以外的列有内容，文件被修改过"
                )
            if not any(values):
                continue
            values = values[:width] + [""] * (width - len(values))
            yield index, values
            if index % 2000 == 0:
                if progress:
                    progress(index - 1, total)
                if cancelled and cancelled():
                    raise PackageError("合并已取消，数据库未做任何改动")

    return rows()


def _removal(
    status: Sequence[str], excel_row: int, name: str, end: str
) -> tuple[str | None, str | None, str | None]:
    state, reason_name, removed_on, note = status
    if state == ACTIVE and not (reason_name or removed_on):
        return None, None, None
    where = f"文件“{name}”实名台账第{excel_row}行"
    if state != REMOVED:
        raise PackageError(f"{where}的状态“{state}”不对，应为“{ACTIVE}”或“{REMOVED}”")
    reason = REASON_CODES.get(reason_name)
    if reason is None:
        raise PackageError(f"{where}的剔除原因“{reason_name}”不对")
    try:
        day = dt.date.fromisoformat(removed_on)
    except ValueError:
        raise PackageError(f"{where}的剔除日期“{removed_on}”不是日期") from None
    if day.isoformat() > end:
        raise PackageError(f"{where}的剔除日期{removed_on}晚于该周末（{end}）")
    return day.isoformat(), reason, note


def _cell_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
    return None


def _annex_grid(pkg: Package) -> AnnexGrid:
    sheet = pkg.book.get_sheet_by_name(ANNEX_SHEET)
    r0, c0 = tuple(sheet.start or (0, 0))
    return (int(r0), int(c0)), sheet.to_python()


def compare_annex(head: PackageHead, annex: AnnexGrid, table: WeeklyTable) -> None:
    """The package's 附件1 must hold exactly the table its rows give (账表一致): ``table`` is
    that table, from a scratch ledger (``check_table``) or from the copies a merge stored
    (``province.sent_table``).

    Raises:
        PackageError: naming the first cells that differ.
    """
    name = head.file_name
    (r0, c0), grid = annex

    def cell(row: int, col: int) -> object:
        r, c = row - 1 - r0, col - 1 - c0
        if 0 <= r < len(grid) and 0 <= c < len(grid[r]):
            return grid[r][c]
        return None

    week_text = read_cell(cell(ROW_UNIT, MIDDLE_PART[0])).strip()
    unit_text = read_cell(cell(ROW_UNIT, 1)).strip()
    if week_text != head.week.label or not unit_text.endswith(head.unit.name):
        raise PackageError(
            f"文件“{name}”的附件1表头（{unit_text} {week_text}）与说明中的单位、周次"
            f"（{head.unit.name} {head.week.label}）不符，文件被修改过"
        )
    wrong: list[str] = []
    for i, (row_name, cells) in enumerate(form.body_rows(table)):
        r = ROW_BODY + i
        got_name = read_cell(cell(r, 1)).strip()
        if got_name != row_name:
            wrong.append(f"第{r}行应为“{row_name}”，文件中为“{got_name}”")
            continue
        for j, want in enumerate(cells):
            got = _cell_int(cell(r, 2 + j))
            if got != want:
                shown = "空" if got is None else str(got)
                wrong.append(f"“{row_name}”第{j + 1}栏为{shown}，按台账应为{want}")
    after = read_cell(cell(ROW_BODY + len(table.rows) + 1, 1)).strip()
    if after and not after.startswith(form.UNIT_HEAD_LABEL):
        wrong.append(f"合计、本级和{len(table.rows) - 1}个下属地区之后多出一行“{after}”")
    if wrong:
        more = f"等{len(wrong)}处" if len(wrong) > 3 else ""
        raise PackageError(
            f"文件“{name}”的附件1与其实名台账不一致（账表不一致）："
            + "；".join(wrong[:3])
            + more
            + "。已拒绝，请让报送单位重新导出"
        )

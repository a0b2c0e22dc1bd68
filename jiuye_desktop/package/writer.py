"""Writing an export package: 附件1, 实名台账 (its rows streamed in by ``stream``), 说明; signed;
optionally encrypted."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from .. import __version__
from ..domain import (
    FIELDS,
    INDICATOR_NAMES,
    LEVEL_NAMES,
    REMOVAL_REASONS,
    Unit,
    Week,
    WeeklyTable,
    kind_name,
)
from ..exports import annex1_form as form
from ..exports.annex1_xlsx import write_annex1_sheet
from ..exports.atomic import ExportError, atomic_write, check_target
from ..exports.cells import cell_text, no_formulas
from ..service import Session
from ..signing import OwnKey, encode, own_key
from ..storage import ledger, packages_sql
from ..storage.db import now_text
from ..submitted import listed, notes_rows
from ..weekly import compute
from .format import (
    ACTIVE,
    ANNEX_SHEET,
    AREA_SELF,
    AREA_SUB,
    FORMAT_NAME,
    FORMAT_VERSION,
    K_ACTIVE,
    K_APP,
    K_AREA,
    K_DIGEST,
    K_END,
    K_FINGERPRINT,
    K_FORMAT,
    K_LEVEL,
    K_PUBLIC_KEY,
    K_REMOVED,
    K_ROWS,
    K_SIGNATURE,
    K_START,
    K_UNIT_CODE,
    K_UNIT_NAME,
    K_VERSION,
    K_WEEK,
    K_WEEK_KEY,
    K_WRITTEN,
    LEDGER_HEADERS,
    LEDGER_SHEET,
    NOTES_SHEET,
    REMOVED,
    Progress,
    checked_text,
    clean_text,
    digest_start,
    package_digest,
    sheet_digest,
    signed_message,
    week_json,
)
from .stream import assemble, encrypt, sheet_member, write_rows

_COL = {c: i for i, c in enumerate(ledger.RECORD_COLUMNS)}
_AREA_NAME = len(ledger.RECORD_COLUMNS)
_WIDTHS = {
    **{f.header: f.width for f in FIELDS if f.width},
    "剔除日期": 12,
    "剔除说明": 30,
    "核实说明": 40,
}


#: Each template column's attribute and its twin as written (None: none).
_FIELDS = tuple((f.attr, f.raw or None) for f in FIELDS)
#: 剔除原因 as the sheet writes it, by removal reason.
REASON_NAMES = {r.value: kind_name(r) for r in REMOVAL_REASONS}


def _sheet_rows(session: Session, week: Week) -> Iterator[tuple[str, ...]]:
    """The 实名台账 rows as SQL gives them (every cell text, not yet ``clean_text``-ed)."""
    return packages_sql.sheet_rows(
        session.db.conn,
        f"{week.year}-01-01",
        week.end.isoformat(),
        fields=_FIELDS,
        active=ACTIVE,
        removed=REMOVED,
        reason_names=REASON_NAMES,
    )


def ledger_sheet_rows(session: Session, week: Week) -> Iterator[list[str]]:
    """The rows of the ``实名台账`` sheet for a week: template columns, then the status,
    then 核实说明 (the record's dismissed warnings)."""
    for row in _sheet_rows(session, week):
        yield [clean_text(v) for v in row[:-1]] + [_checked_cell(row[-1])]


def _checked_cell(dismissals: str | None) -> str:
    """The 核实说明 cell from the dismissals' JSON list (``packages_sql.DISMISSALS_SQL``)."""
    if not dismissals or dismissals == "[]":
        return ""
    return clean_text(checked_text(json.loads(dismissals)))


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    unit: Unit
    week: Week
    rows: int
    active: int
    removed: int
    digest: str
    encrypted: bool
    total: tuple[int, ...]
    written_at: str
    fingerprint: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.path),
            "unit": {
                "code": self.unit.code,
                "name": self.unit.name,
                "level": self.unit.level.value,
            },
            "week": week_json(self.week),
            "rows": self.rows,
            "active": self.active,
            "removed": self.removed,
            "digest": self.digest,
            "encrypted": self.encrypted,
            "written_at": self.written_at,
            "total": list(self.total),
            "fingerprint": self.fingerprint,
        }


def export_package(
    session: Session,
    week: Week,
    path: Path | str,
    *,
    password: str | None = None,
    fill_date: dt.date | None = None,
    progress: Progress | None = None,
    with_progress: bool = True,
) -> ExportResult:
    """Write the package of a week: 附件1, 实名台账, 说明; encrypted when a password is given.

    With ``with_progress`` a 进度 sheet follows when the unit has targets for the
    year (``package.progress_sheet``).

    The ledger is read in one snapshot, the file written atomically; the
    password is used to encrypt (ECMA-376 agile encryption, as Excel and WPS
    write it) and is stored nowhere.

    Raises:
        ExportError: the file cannot be written, or an image cannot be read.
    """
    target = check_target(path)
    unit = session.unit
    conn = session.db.conn
    key = own_key(session)  # made now in a ledger made before signed packages
    with packages_sql.read_snapshot(conn):
        table = compute(session, week)
        adjusted = listed(session, week)
        stamp = form.session_stamp(session, fill_date)
        areas = session.areas()
        total_rows = packages_sql.count_ledger_rows(
            conn, f"{week.year}-01-01", week.end.isoformat()
        )
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = ANNEX_SHEET
        write_annex1_sheet(
            ws,
            table,
            profile=session.profile(),
            images={"seal": stamp.seal, "sign_unit": stamp.sign_unit, "sign_org": stamp.sign_org},
            fill_date=stamp.fill_date,
        )
        _ledger_sheet_frame(wb, total_rows)
        written_at = now_text()
        notes = {
            K_FORMAT: FORMAT_NAME,
            K_VERSION: str(FORMAT_VERSION),
            K_UNIT_CODE: unit.code,
            K_UNIT_NAME: unit.name,
            K_LEVEL: unit.level.value,
            K_WEEK: week.label,
            K_WEEK_KEY: week.key,
            K_START: week.start.isoformat(),
            K_END: week.end.isoformat(),
            K_APP: __version__,
            K_WRITTEN: written_at,
            K_ROWS: str(total_rows),
            K_ACTIVE: "",
            K_REMOVED: "",
        }
        cells = _notes_sheet(
            wb, notes, table, [(a.code, a.name, a.is_self) for a in areas], notes_rows(adjusted)
        )
        if with_progress:
            _maybe_progress_sheet(wb, session, week)
        h = digest_start(unit.code, week.key)
        counts = {ACTIVE: 0, REMOVED: 0}
        signed: list[str] = []

        def rows_then_notes(write: Callable[[bytes], None]) -> bytes:
            """Stream the rows into the sheet (``write``); then the 说明 sheet's final XML:
            with the counts, and signed over every sheet and the rows' digest (``_sign``)."""
            rows = (r[:-1] + (_checked_cell(r[-1]),) for r in _sheet_rows(session, week))
            n = write_rows(rows, write, h, counts, total_rows, progress)
            if n != total_rows:  # one read snapshot: cannot happen
                raise ExportError(f"实名台账行数在导出过程中变化（{total_rows} → {n}），请重试")
            for k, value in ((K_ACTIVE, counts[ACTIVE]), (K_REMOVED, counts[REMOVED])):
                cells[k].value = str(value)
            signed.append(_sign(wb, unit.code, week.key, written_at, str(h.hexdigest()), key))
            again = io.BytesIO()
            wb.save(again)
            with zipfile.ZipFile(again) as zf:
                return zf.read(sheet_member(zf, NOTES_SHEET))

        frame = io.BytesIO()
        wb.save(frame)
        try:
            with atomic_write(target) as tmp, tmp.open("wb") as out:
                if password:
                    plain = io.BytesIO()
                    assemble(frame, rows_then_notes, plain, total_rows)
                    encrypt(plain, password, out)
                else:
                    assemble(frame, rows_then_notes, out, total_rows)
        except OSError as exc:  # pragma: no cover - atomic_write turns these into ExportError
            raise ExportError(f"无法写入文件 {target}：{exc}") from exc
    return ExportResult(
        target,
        unit,
        week,
        total_rows,
        counts[ACTIVE],
        counts[REMOVED],
        signed[0],
        bool(password),
        table.total,
        written_at,
        key.fingerprint,
    )


def _sign(
    wb: Workbook, unit_code: str, week_key: str, written_at: str, ledger_digest: str, key: OwnKey
) -> str:
    """Digest every cell of every sheet (as a reader will get them back), sign it, and add
    the digest, the fingerprint, the public key and the signature at the end of 说明.

    The sheets other than 实名台账 (whose rows are streamed in later and were
    hashed as they were written) are read back from a saved copy, so whatever
    the sheets hold, however they were filled, is what is covered.
    """
    frame = io.BytesIO()
    wb.save(frame)
    book = CalamineWorkbook.from_filelike(io.BytesIO(frame.getvalue()))
    sheets: list[tuple[str, str]] = []
    for name in book.sheet_names:
        if name == LEDGER_SHEET:
            sheets.append((name, ledger_digest))
            continue
        sheet = book.get_sheet_by_name(name)
        start = tuple(sheet.start or (0, 0))
        grid = sheet.to_python()
        sheets.append(
            (name, sheet_digest(grid, (int(start[0]), int(start[1])), skip=name == NOTES_SHEET))
        )
    digest = package_digest(unit_code, week_key, written_at, sheets)
    ws = wb[NOTES_SHEET]
    ws.append([])
    for k, v in (
        (K_DIGEST, digest),
        (K_FINGERPRINT, key.fingerprint),
        (K_PUBLIC_KEY, encode(key.public)),
        (K_SIGNATURE, key.sign(signed_message(digest))),
    ):
        ws.append([k, v])
        ws.cell(ws.max_row, 1).number_format = "@"
        ws.cell(ws.max_row, 2).number_format = "@"
    return digest


def _maybe_progress_sheet(wb: Workbook, session: Session, week: Week) -> None:
    from ..progress import progress as compute_progress
    from .progress_sheet import has_targets, write_progress_sheet

    p = compute_progress(session, week)
    if has_targets(p):
        write_progress_sheet(wb, p)


def _ledger_sheet_frame(wb: Workbook, n: int) -> None:
    """The 实名台账 sheet with its header only; ``assemble`` streams the rows into it."""
    ws = wb.create_sheet(LEDGER_SHEET)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8ECF2")
    for col, header in enumerate(LEDGER_HEADERS, 1):
        cell = ws.cell(1, col, header)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = _WIDTHS.get(header, 2 * len(header) + 3)
        dim.number_format = "@"
    ws.freeze_panes = "C2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_HEADERS))}{n + 1}"


def _notes_sheet(
    wb: Workbook,
    notes: dict[str, str],
    table: WeeklyTable,
    areas: list[tuple[str, str, bool]],
    adjustments: Sequence[Sequence[str]] = (),
) -> dict[str, Any]:
    """The 说明 sheet; returns the cells of the values by key (some filled in after the rows)."""
    ws = wb.create_sheet(NOTES_SHEET)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 68
    ws.column_dimensions["C"].width = 14
    ws.append(["城镇新增就业人员实名登记台账 上报文件"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["本文件由就业实名台账程序导出，供上级合并；请勿修改，修改后上级合并时会被拒绝。"])
    ws.append([])
    level_names = {k.value: v for k, v in LEVEL_NAMES.items()}
    cells: dict[str, Any] = {}
    for key, value in notes.items():
        extra = level_names.get(value, "") if key == K_LEVEL else ""
        value = cell_text(value)
        ws.append([key, value, extra] if extra else [key, value])
        cells[key] = ws.cell(ws.max_row, 2)
    ws.append([])
    ws.append(["指标（合计）", form.SUB_HEADERS[0], form.SUB_HEADERS[1]])
    for i, name in enumerate(INDICATOR_NAMES):
        ws.append([name, str(table.total[2 * i]), str(table.total[2 * i + 1])])
    ws.append([])
    ws.append([K_AREA, "代码", "名称"])
    for code, name, is_self in areas:
        ws.append([AREA_SELF if is_self else AREA_SUB, code, cell_text(name)])
    if adjustments:  # domain.md §9: what changed since the last submission, as plain cells
        ws.append([])
        for values in adjustments:
            ws.append([cell_text(v) for v in values])
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.number_format = "@"
    no_formulas(ws)
    return cells

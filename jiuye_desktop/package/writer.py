"""Writing an export package: 附件1, 实名台账 streamed as inline strings, 说明; optionally encrypted."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from .. import __version__
from ..domain import (
    FIELDS,
    INDICATOR_NAMES,
    LEVEL_NAMES,
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
    TEMPLATE_HEADERS,
    Progress,
    checked_text,
    clean_text,
    digest_line,
    digest_start,
    package_digest,
    sheet_digest,
    signed_message,
    week_json,
)

# --- Writing ----------------------------------------------------------------------------------

_COL = {c: i for i, c in enumerate(ledger.RECORD_COLUMNS)}
_AREA_NAME = len(ledger.RECORD_COLUMNS)
_WIDTHS = {
    **{f.header: f.width for f in FIELDS if f.width},
    "剔除日期": 12,
    "剔除说明": 30,
    "核实说明": 40,
}
#: (value column, column of the text as written or -1) of each template column.
_SOURCES = tuple(
    (_AREA_NAME if f.attr == "area" else _COL[f.attr], _COL[f.raw] if f.raw else -1) for f in FIELDS
)


def _template_values(row: Sequence[Any]) -> list[str]:
    """The template columns of a ``packages_sql.ledger_rows`` row, as text: the value, else
    the text as written (所属地区: the area's name as the unit knows it)."""
    return [
        clean_text(row[value] or (row[raw] if raw >= 0 else row[value])) for value, raw in _SOURCES
    ]


def ledger_sheet_rows(session: Session, week: Week) -> Iterator[list[str]]:
    """The rows of the ``实名台账`` sheet for a week: template columns, then the status."""
    end = week.end.isoformat()
    for row in packages_sql.ledger_rows(session.db.conn, f"{week.year}-01-01", end):
        values = _template_values(row)
        removed_on, reason, note, checked = row[_AREA_NAME + 1 : _AREA_NAME + 5]
        if removed_on is None:
            values += [ACTIVE, "", "", ""]
        else:
            values += [
                REMOVED,
                kind_name(reason),
                removed_on,
                clean_text(note or ""),
            ]
        values.append(clean_text(checked_text(json.loads(checked))) if checked != "[]" else "")
        yield values


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
    with packages_sql.read_snapshot(conn), tempfile.TemporaryFile() as rows_xml:
        table = compute(session, week)
        adjusted = listed(session, week)
        stamp = form.session_stamp(session, fill_date)
        areas = session.areas()
        total_rows = packages_sql.count_ledger_rows(
            conn, f"{week.year}-01-01", week.end.isoformat()
        )
        h = digest_start(unit.code, week.key)
        counts = {ACTIVE: 0, REMOVED: 0}
        n = _write_rows(ledger_sheet_rows(session, week), rows_xml, h, counts, total_rows, progress)
        written_at = now_text()
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
        _ledger_sheet_frame(wb, n)
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
            K_ROWS: str(n),
            K_ACTIVE: str(counts[ACTIVE]),
            K_REMOVED: str(counts[REMOVED]),
        }
        _notes_sheet(
            wb, notes, table, [(a.code, a.name, a.is_self) for a in areas], notes_rows(adjusted)
        )
        if with_progress:
            _maybe_progress_sheet(wb, session, week)
        digest = _sign(wb, unit.code, week.key, written_at, str(h.hexdigest()), key)
        frame = io.BytesIO()
        wb.save(frame)
        rows_xml.seek(0)
        try:
            with atomic_write(target) as tmp, tmp.open("wb") as out:
                if password:
                    plain = io.BytesIO()
                    _assemble(frame, rows_xml, plain, n)
                    _encrypt(plain, password, out)
                else:
                    _assemble(frame, rows_xml, out, n)
        except OSError as exc:  # pragma: no cover - atomic_write turns these into ExportError
            raise ExportError(f"无法写入文件 {target}：{exc}") from exc
    return ExportResult(
        target,
        unit,
        week,
        n,
        counts[ACTIVE],
        counts[REMOVED],
        digest,
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


def _write_rows(
    rows: Iterable[list[str]],
    out: IO[bytes],
    h: Any,
    counts: dict[str, int],
    total: int,
    progress: Progress | None,
) -> int:
    """Hash the rows and write them as ``<row>`` elements of inline strings; returns how many."""
    letters = [get_column_letter(i + 1) for i in range(len(LEDGER_HEADERS))]
    status_col = len(TEMPLATE_HEADERS)
    n = 0
    chunk: list[str] = []
    for values in rows:
        h.update(digest_line(values))
        counts[values[status_col]] = counts.get(values[status_col], 0) + 1
        r = n + 2
        cells = "".join(
            f'<c r="{letters[i]}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'
            for i, v in enumerate(values)
            if v
        )
        chunk.append(f'<row r="{r}">{cells}</row>')
        n += 1
        if len(chunk) >= 2000:
            out.write("".join(chunk).encode())
            chunk.clear()
            if progress:
                progress(n, total)
    out.write("".join(chunk).encode())
    if progress:
        progress(n, total)
    return n


def _ledger_sheet_frame(wb: Workbook, n: int) -> None:
    """The 实名台账 sheet with its header only; ``_assemble`` streams the rows into it."""
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
) -> None:
    ws = wb.create_sheet(NOTES_SHEET)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 68
    ws.column_dimensions["C"].width = 14
    ws.append(["城镇新增就业人员实名登记台账 上报文件"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["本文件由就业实名台账程序导出，供上级合并；请勿修改，修改后上级合并时会被拒绝。"])
    ws.append([])
    level_names = {k.value: v for k, v in LEVEL_NAMES.items()}
    for key, value in notes.items():
        extra = level_names.get(value, "") if key == K_LEVEL else ""
        value = cell_text(value)
        ws.append([key, value, extra] if extra else [key, value])
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


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str:
    """The zip member holding a worksheet, found through workbook.xml and its relationships."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next(
        s.get(f"{{{_NS['r']}}}id")
        for s in book.iterfind("m:sheets/m:sheet", _NS)
        if s.get("name") == sheet
    )
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target", "") for r in rels.iterfind("p:Relationship", _NS) if r.get("Id") == rid
    )
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _assemble(frame: IO[bytes], rows_xml: IO[bytes], out: IO[bytes], n: int) -> None:
    """Copy the openpyxl workbook, streaming the ledger rows into its 实名台账 sheet."""
    frame.seek(0)
    rows_xml.seek(0)
    with zipfile.ZipFile(frame) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        member = _sheet_member(src, LEDGER_SHEET)
        for info in src.infolist():
            data = src.read(info)
            if info.filename != member:
                dst.writestr(info, data)
                continue
            xml = data.decode()
            cut = xml.index("</sheetData>")
            last = get_column_letter(len(LEDGER_HEADERS))
            head = re.sub(
                r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}{n + 1}"/>', xml[:cut]
            )
            zinfo = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(zinfo, "w") as fh:
                fh.write(head.encode())
                shutil.copyfileobj(rows_xml, fh, 1 << 20)
                fh.write(xml[cut:].encode())


def _encrypt(plain: io.BytesIO, password: str, out: IO[bytes]) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain.seek(0)
    OOXMLFile(plain).encrypt(password, out)

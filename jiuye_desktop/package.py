"""The file that goes upward (annex1.md): writing an export package, reading and verifying one.

A package is one ``.xlsx`` workbook with three sheets:

- ``附件1``: the stamped weekly table of the week (``exports.annex1_xlsx``);
- ``实名台账``: every record of the unit registered from 1 January to the
  week's last day, in the import template's columns (``domain.RECORD_FIELDS``)
  then 状态 (有效/已剔除), 剔除原因, 剔除日期, 剔除说明. Every cell is text
  (IDs and phones keep every digit); 所属地区 is the area's name as the unit
  knows it. A record's removal is carried when it is dated on or before the
  week's last day: the sheet is the ledger as it stood at the end of that
  week, so the receiver recomputes 本年累计/本周实际 of any week up to it
  exactly (domain.md §4);
- ``说明``: unit, level, week, program version, when written, the areas of the
  table, the counts per indicator, and the digest of the ledger rows.

The digest (canonical serialisation, format version 1): SHA-256 over UTF-8
lines, each line ended by ``\\n``, each line the compact JSON
(``ensure_ascii=False``, separators ``,`` and ``:``) of a list of strings:

1. ``["jiuye-package", "1", <unit code>, <week key YYYY-MM-N>]``;
2. the header row of ``实名台账`` (``LEDGER_HEADERS``);
3. then one line per ledger row, in sheet order: its cells in column order,
   an empty cell as ``""``.

Cell text is written with line breaks as ``\\n`` and without characters XML
cannot hold, so what a reader gets back is what was hashed. The digest finds
a file edited after export (a cell changed, a row deleted or added); it is a
checksum, not a signature: someone who recomputes it by hand would also have
to keep 附件1 equal to what the rows give, which the receiver checks
(账表一致) with the same code that computes the weekly table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from . import __version__
from .domain import (
    FINDING_KIND_NAMES,
    INDICATOR_NAMES,
    LEVEL_NAMES,
    RECORD_FIELDS,
    REMOVAL_REASONS,
    Level,
    Unit,
    Week,
    WeeklyTable,
)
from .exports import annex1_form as form
from .exports.annex1_xlsx import MIDDLE_PART, ROW_BODY, ROW_UNIT, write_annex1_sheet
from .exports.atomic import ExportError, atomic_write, check_target
from .records import normalize
from .service import Session, init_database, prepared_row
from .storage import ledger, packages_sql
from .storage.db import now_text
from .weekly import compute
from .weeks import week_from_key
from .workbook import WorkbookRefused, inspect_workbook, read_workbook_file

FORMAT_NAME = "jiuye-package"
FORMAT_VERSION = 1
ANNEX_SHEET, LEDGER_SHEET, NOTES_SHEET = form.ANNEX_LABEL, "实名台账", "说明"
TEMPLATE_HEADERS: tuple[str, ...] = tuple(h for _, h in RECORD_FIELDS)
STATUS_HEADERS = ("状态", "剔除原因", "剔除日期", "剔除说明")
LEDGER_HEADERS: tuple[str, ...] = TEMPLATE_HEADERS + STATUS_HEADERS
ACTIVE, REMOVED = "有效", "已剔除"
REASON_NAMES: dict[str, str] = {r.value: FINDING_KIND_NAMES[r] for r in REMOVAL_REASONS}
_REASON_CODES = {v: k for k, v in REASON_NAMES.items()}
_REGISTERED = TEMPLATE_HEADERS.index("登记日期")

Progress = Callable[[int, int], None]

# Keys of the 说明 sheet (column A); the value is in column B.
K_FORMAT, K_VERSION = "文件格式", "格式版本"
K_UNIT_CODE, K_UNIT_NAME, K_LEVEL = "单位代码", "单位名称", "级别"
K_WEEK, K_WEEK_KEY, K_START, K_END = "周次", "周次代码", "开始日期", "结束日期"
K_APP, K_WRITTEN = "程序版本", "导出时间"
K_ROWS, K_ACTIVE, K_REMOVED = "台账行数", "其中有效", "其中已剔除"
K_DIGEST = "台账摘要（SHA-256）"
K_AREA = "地区"
_REQUIRED_KEYS = (
    K_FORMAT,
    K_VERSION,
    K_UNIT_CODE,
    K_UNIT_NAME,
    K_LEVEL,
    K_WEEK_KEY,
    K_WRITTEN,
    K_ROWS,
    K_DIGEST,
)
_SELF, _SUB = "本级", "下属地区"


class PackageError(Exception):
    """A package cannot be written, opened or trusted; the message (Chinese) names the file."""


class PasswordRequired(PackageError):
    """The package is password-protected and no password was given."""


class WrongPassword(PackageError):
    """The password given does not open the package."""


# --- Cells and the digest -----------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """A cell's text as written and hashed: ``\\n`` line breaks, nothing XML cannot hold."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _line(values: Sequence[str]) -> bytes:
    return (_encode(list(values)) + "\n").encode()


def digest_start(unit_code: str, week_key: str) -> Any:
    """A SHA-256 object fed the first two lines of the canonical serialisation."""
    h = hashlib.sha256()
    h.update(_line([FORMAT_NAME, str(FORMAT_VERSION), unit_code, week_key]))
    h.update(_line(LEDGER_HEADERS))
    return h


def rows_digest(unit_code: str, week_key: str, rows: Iterable[Sequence[str]]) -> str:
    """The digest of ledger rows (lists of cell texts in ``LEDGER_HEADERS`` order)."""
    h = digest_start(unit_code, week_key)
    for row in rows:
        h.update(_line(row))
    return str(h.hexdigest())


def _read_cell(value: object) -> str:
    """A cell as python-calamine gives it, back as the text written."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    return str(value)


# --- Writing ----------------------------------------------------------------------------------

_COL = {c: i for i, c in enumerate(ledger.RECORD_COLUMNS)}
_AREA_NAME = len(ledger.RECORD_COLUMNS)
_WIDTHS = {
    "序号": 7,
    "姓名": 10,
    "公民身份号码": 21,
    "所属地区": 14,
    "登记类型": 11,
    "就业（减员）日期": 13,
    "就业单位名称": 26,
    "统一社会信用代码": 21,
    "困难人员类别": 22,
    "原企业名称": 24,
    "联系电话": 14,
    "登记日期": 12,
    "备注": 16,
    "剔除日期": 12,
    "剔除说明": 30,
}


def _template_values(row: Sequence[Any]) -> list[str]:
    """The template columns of a ``packages_sql.ledger_rows`` row, as text."""
    c = _COL
    out: list[str] = []
    for attr, _header in RECORD_FIELDS:
        if attr == "area":
            value = row[_AREA_NAME] or row[c["area_raw"]]
        elif attr == "id_number":
            value = row[c["id_number"]] or row[c["id_raw"]]
        elif attr == "event_date":
            value = row[c["event_date"]] or row[c["event_date_raw"]]
        elif attr == "registered_on":
            value = row[c["registered_on"]] or row[c["registered_on_raw"]]
        else:
            value = row[c[attr]]
        out.append(clean_text(value))
    return out


def ledger_sheet_rows(session: Session, week: Week) -> Iterator[list[str]]:
    """The rows of the ``实名台账`` sheet for a week: template columns, then the status."""
    end = week.end.isoformat()
    for row in packages_sql.ledger_rows(session.db.conn, f"{week.year}-01-01", end):
        values = _template_values(row)
        removed_on, reason, note = row[_AREA_NAME + 1 : _AREA_NAME + 4]
        if removed_on is None:
            values += [ACTIVE, "", "", ""]
        else:
            values += [
                REMOVED,
                REASON_NAMES.get(reason or "", reason or ""),
                removed_on,
                clean_text(note or ""),
            ]
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

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.path),
            "unit": {
                "code": self.unit.code,
                "name": self.unit.name,
                "level": self.unit.level.value,
            },
            "week": _week_json(self.week),
            "rows": self.rows,
            "active": self.active,
            "removed": self.removed,
            "digest": self.digest,
            "encrypted": self.encrypted,
            "written_at": self.written_at,
            "total": list(self.total),
        }


def _week_json(week: Week) -> dict[str, str]:
    return {
        "key": week.key,
        "label": week.label,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
    }


def export_package(
    session: Session,
    week: Week,
    path: Path | str,
    *,
    password: str | None = None,
    fill_date: dt.date | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the package of a week: 附件1, 实名台账, 说明; encrypted when a password is given.

    The ledger is read in one snapshot, the file written atomically; the
    password is used to encrypt (ECMA-376 agile encryption, as Excel and WPS
    write it) and is stored nowhere.

    Raises:
        ExportError: the file cannot be written, or an image cannot be read.
    """
    target = check_target(path)
    unit = session.unit
    conn = session.db.conn
    with packages_sql.read_snapshot(conn), tempfile.TemporaryFile() as rows_xml:
        table = compute(session, week)
        stamp = form.session_stamp(session, fill_date)
        areas = session.areas()
        total_rows = packages_sql.count_ledger_rows(
            conn, f"{week.year}-01-01", week.end.isoformat()
        )
        h = digest_start(unit.code, week.key)
        counts = {ACTIVE: 0, REMOVED: 0}
        n = _write_rows(ledger_sheet_rows(session, week), rows_xml, h, counts, total_rows, progress)
        digest = str(h.hexdigest())
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
            K_DIGEST: digest,
        }
        _notes_sheet(wb, notes, table, [(a.code, a.name, a.is_self) for a in areas])
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
    )


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
        h.update(_line(values))
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
    wb: Workbook, notes: dict[str, str], table: WeeklyTable, areas: list[tuple[str, str, bool]]
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
        ws.append([_SELF if is_self else _SUB, code, cell_text(name)])
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.number_format = "@"


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


# --- Reading ----------------------------------------------------------------------------------

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True, slots=True)
class PackageHead:
    """What the 说明 sheet says about a package."""

    file_name: str
    sha256: str  # of the file as received
    unit: Unit
    week: Week
    written_at: str
    app_version: str
    row_count: int
    digest: str
    areas: tuple[tuple[str | None, str], ...]  # subordinate areas (code or None, name)
    self_name: str  # the 本级 row's name

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "unit": {
                "code": self.unit.code,
                "name": self.unit.name,
                "level": self.unit.level.value,
            },
            "week": _week_json(self.week),
            "written_at": self.written_at,
            "rows": self.row_count,
        }


@dataclass
class Package:
    """An opened (decrypted) package; ``verify_package`` reads its rows."""

    path: Path
    head: PackageHead
    book: Any  # CalamineWorkbook

    @property
    def name(self) -> str:
        return self.path.name


def is_encrypted(path: Path | str) -> bool:
    """True when the file is an encrypted Office file (it needs a password)."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(8) == _OLE_MAGIC
    except OSError:
        return False


def password_ok(path: Path | str, password: str) -> bool:
    """Whether ``password`` opens an encrypted package (checks the key only: fast)."""
    from msoffcrypto import exceptions
    from msoffcrypto.format.ooxml import OOXMLFile

    try:
        with Path(path).open("rb") as fh:
            office = OOXMLFile(fh)
            office.load_key(password=password, verify_password=True)
    except (exceptions.InvalidKeyError, exceptions.DecryptionError):
        return False
    except (OSError, exceptions.FileFormatError, exceptions.ParseError):
        return False
    return True


def _decrypt(data: bytes, name: str, password: str | None) -> bytes:
    from msoffcrypto import exceptions
    from msoffcrypto.format.ooxml import OOXMLFile

    if not password:
        raise PasswordRequired(f"文件“{name}”设有密码，请输入密码后再合并")
    try:
        office = OOXMLFile(io.BytesIO(data))
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    except exceptions.InvalidKeyError as exc:
        raise WrongPassword(f"文件“{name}”的密码不正确，无法打开") from exc
    except (exceptions.FileFormatError, exceptions.DecryptionError, exceptions.ParseError) as exc:
        raise PackageError(f"文件“{name}”已加密，但不是本程序能解密的Excel文件") from exc
    except Exception as exc:  # noqa: BLE001 - olefile and cryptography raise their own types
        raise PackageError(f"文件“{name}”已加密，且无法解密（文件可能已损坏）") from exc
    return out.getvalue()


def open_package(path: Path | str, password: str | None = None) -> Package:
    """Open a package (decrypting it with ``password`` when it is encrypted) and read its 说明.

    Raises:
        PasswordRequired, WrongPassword: an encrypted file without the right password.
        PackageError: the file is missing, not a workbook, or not a package.
    """
    path = Path(path)
    name = path.name
    try:
        data = read_workbook_file(path)
    except WorkbookRefused as exc:
        raise PackageError(str(exc)) from exc
    except FileNotFoundError as exc:
        raise PackageError(f"找不到文件“{path}”") from exc
    except OSError as exc:
        raise PackageError(f"无法读取文件“{name}”：{exc.strerror or exc}") from exc
    sha = hashlib.sha256(data).hexdigest()
    if data[:8] == _OLE_MAGIC:
        data = _decrypt(data, name, password)
    if data[:4] != b"PK\x03\x04":
        raise PackageError(f"文件“{name}”不是Excel工作簿（.xlsx），不是上报文件")
    try:
        inspect_workbook(name, data)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except WorkbookRefused as exc:
        raise PackageError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - zipfile and calamine raise their own types
        raise PackageError(f"文件“{name}”已损坏或不完整，无法作为Excel工作簿读取") from exc
    missing = [s for s in (ANNEX_SHEET, LEDGER_SHEET, NOTES_SHEET) if s not in book.sheet_names]
    if missing:
        raise PackageError(
            f"文件“{name}”不是本程序导出的上报文件（缺少工作表“{'”“'.join(missing)}”）"
        )
    head = _read_head(book, name, sha)
    return Package(path, head, book)


def _read_head(book: Any, name: str, sha: str) -> PackageHead:
    rows = book.get_sheet_by_name(NOTES_SHEET).to_python()
    values: dict[str, str] = {}
    areas: list[tuple[str | None, str]] = []
    self_name = ""
    for row in rows:
        cells = [_read_cell(v).strip() for v in row]
        if not cells or not cells[0]:
            continue
        key = cells[0]
        if key in (_SELF, _SUB) and len(cells) >= 3:
            if key == _SELF:
                self_name = cells[2]
            else:
                areas.append((cells[1] or None, cells[2]))
        elif len(cells) >= 2:
            values.setdefault(key, cells[1])
    missing = [k for k in _REQUIRED_KEYS if not values.get(k)]
    if values.get(K_FORMAT) != FORMAT_NAME or missing:
        what = f"（说明中缺少：{'、'.join(missing)}）" if missing else ""
        raise PackageError(f"文件“{name}”的“说明”工作表不是本程序写的，不是上报文件{what}")
    try:
        version = int(values[K_VERSION])
    except ValueError:
        version = -1
    if version > FORMAT_VERSION or version < 1:
        raise PackageError(
            f"文件“{name}”的格式版本为{values[K_VERSION]}，本程序只能读取到版本{FORMAT_VERSION}，"
            "请升级程序"
        )
    try:
        level = Level(values[K_LEVEL])
        week = week_from_key(values[K_WEEK_KEY])
        row_count = int(values[K_ROWS])
    except ValueError as exc:
        raise PackageError(f"文件“{name}”的“说明”工作表内容不对（{exc}）") from exc
    code = values[K_UNIT_CODE]
    if not (code.isdigit() and len(code) == 6):
        raise PackageError(f"文件“{name}”的单位代码“{code}”不是6位数字")
    return PackageHead(
        file_name=name,
        sha256=sha,
        unit=Unit(code, values[K_UNIT_NAME], level),
        week=week,
        written_at=values[K_WRITTEN],
        app_version=values.get(K_APP, ""),
        row_count=row_count,
        digest=values[K_DIGEST].lower(),
        areas=tuple(areas),
        self_name=self_name or values[K_UNIT_NAME] + "本级",
    )


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


def judge_file(path: str, password: str | None) -> JudgedPackage:
    """``open_package`` then ``judge_package``: the work a merge hands to a worker process."""
    return judge_package(open_package(path, password))


def judge_package(
    pkg: Package,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> JudgedPackage:
    """Read the 实名台账 rows, check the digest, and judge each row as the unit does.

    Each row is normalised and judged (``records.normalize``, ``service.prepare``)
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
    for excel_row, values in rows:
        h.update(_line(values))
        record = normalize(dict(zip(TEMPLATE_HEADERS, values, strict=False)), ctx, excel_row)
        if not (record.registered_on and year_start <= record.registered_on <= end):
            raise PackageError(
                f"文件“{name}”实名台账第{excel_row}行的登记日期“{values[_REGISTERED]}”不在"
                f"{head.week.year}年1月1日至{head.week.label}末（{end}）之间"
            )
        removal = _removal(values[n_template:], excel_row, name, end)
        values_row, findings = prepared_row(record, ctx)
        merged.append((values_row, findings, *removal))
    if str(h.hexdigest()) != head.digest:
        raise PackageError(
            f"文件“{name}”的实名台账与导出时的摘要不符：文件在导出后被修改过"
            "（改动、增加或删除了台账行），已拒绝。请让报送单位重新导出"
        )
    if len(merged) != head.row_count:
        raise PackageError(
            f"文件“{name}”的实名台账有{len(merged)}行，说明中写的是{head.row_count}行"
        )
    return JudgedPackage(head, merged, _annex_grid(pkg), area_ids)


def check_table(judged: JudgedPackage, *, operator: str = "") -> WeeklyTable:
    """The weekly table the judged rows give, which must equal the package's 附件1 (账表一致).

    The rows go into a new in-memory ledger of the package's unit and areas,
    made by the real migrations and filled through the ledger's own insert
    and removal paths; its table is computed by ``weekly.compute`` and
    compared cell by cell with the package's 附件1.

    Raises:
        PackageError: 附件1 differs from what the rows give.
    """
    head = judged.head
    mem = _scratch_session(head, operator)
    try:
        if tuple(i for i, _ in ledger.list_areas(mem.db.conn)) != judged.area_ids:
            raise RuntimeError("scratch ledgers of one package got different area ids")
        with mem.db.transaction() as tx:
            store_rows(
                tx, judged.rows, import_id=None, origin_unit=None, package_id=None, operator=""
            )
        table = compute(mem, head.week)
    finally:
        mem.close()
    _compare_annex(head, judged.annex, table)
    return table


def store_rows(
    conn: sqlite3.Connection,
    rows: Iterable[packages_sql.MergedRow],
    *,
    import_id: int | None,
    origin_unit: str | None,
    package_id: int | None,
    operator: str,
    removal_message: str = "",
) -> int:
    """Insert package rows as records with their findings and removals; returns how many.

    Records go in through ``ledger.insert_rows`` and removals through
    ``ledger.remove_records``, the ledger's own paths, so the weekly tally
    and the removal log are kept exactly as for any record. The caller holds
    the transaction.
    """
    first = packages_sql.next_record_id(conn)
    removed: dict[tuple[str, str], list[tuple[int, str, str]]] = {}

    def items() -> Iterator[ledger.RowAndFindings]:
        for i, (values, findings, removed_on, reason, note) in enumerate(rows):
            if removed_on is not None and reason is not None:
                removed.setdefault((removed_on, note or ""), []).append(
                    (first + i, reason, removal_message)
                )
            yield values, findings

    n = ledger.insert_rows(
        conn, items(), import_id=import_id, operator=operator, origin_unit=origin_unit
    )
    if package_id is not None and n:
        packages_sql.set_package_id(conn, first, first + n - 1, package_id)
    for (removed_on, note), group in removed.items():
        ledger.remove_records(conn, group, removed_on=removed_on, note=note, operator=operator)
    return n


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
    header = [_read_cell(v) for v in next(it, [])]
    if tuple(header[:width]) != LEDGER_HEADERS or any(header[width:]):
        raise PackageError(f"文件“{name}”的实名台账表头与本程序导出的不同，文件被修改过")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, raw in enumerate(it, start=2):
            values = [v if type(v) is str else _read_cell(v) for v in raw]
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
    reason = _REASON_CODES.get(reason_name)
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


def _compare_annex(head: PackageHead, annex: AnnexGrid, table: WeeklyTable) -> None:
    """The package's 附件1 must hold exactly the table its rows give (账表一致)."""
    name = head.file_name
    (r0, c0), grid = annex

    def cell(row: int, col: int) -> object:
        r, c = row - 1 - r0, col - 1 - c0
        if 0 <= r < len(grid) and 0 <= c < len(grid[r]):
            return grid[r][c]
        return None

    week_text = _read_cell(cell(ROW_UNIT, MIDDLE_PART[0])).strip()
    unit_text = _read_cell(cell(ROW_UNIT, 1)).strip()
    if week_text != head.week.label or not unit_text.endswith(head.unit.name):
        raise PackageError(
            f"文件“{name}”的附件1表头（{unit_text} {week_text}）与说明中的单位、周次"
            f"（{head.unit.name} {head.week.label}）不符，文件被修改过"
        )
    wrong: list[str] = []
    for i, (row_name, cells) in enumerate(form.body_rows(table)):
        r = ROW_BODY + i
        got_name = _read_cell(cell(r, 1)).strip()
        if got_name != row_name:
            wrong.append(f"第{r}行应为“{row_name}”，文件中为“{got_name}”")
            continue
        for j, want in enumerate(cells):
            got = _cell_int(cell(r, 2 + j))
            if got != want:
                shown = "空" if got is None else str(got)
                wrong.append(f"“{row_name}”第{j + 1}栏为{shown}，按台账应为{want}")
    after = _read_cell(cell(ROW_BODY + len(table.rows) + 1, 1)).strip()
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

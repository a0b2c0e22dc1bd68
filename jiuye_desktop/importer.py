"""Import a ledger workbook: read (calamine), find the header, map, store, all or nothing.

A problem of a row becomes a self-check finding on the imported record; only a
row with no content at all is rejected. A file that cannot be a ledger is
refused as a whole with a Chinese message naming the file (and the row and
column where there is one), and the database is left unchanged.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .domain import HEADER_SYNONYMS, RECORD_FIELDS, REQUIRED_HEADERS
from .records import UnitContext, normalize
from .service import Session, prepare
from .storage import ledger
from .storage.db import as_storage_error, is_known_sqlite_error

HEADER_SEARCH_ROWS = 30
MAX_UNCOMPRESSED = 2 * 1024**3  # a workbook that unpacks to more than this is refused
MAX_RATIO = 200  # compression ratio above which a zip member is a bomb

Progress = Callable[[int, int], None]


class ImportRefused(Exception):
    """The whole file is refused; the message (Chinese) says what and where."""


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int
    reason: str


@dataclass
class ImportResult:
    file: str
    sheet: str
    imported: int
    rejected: list[Rejected] = field(default_factory=list)
    import_id: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # template header -> column letter
    header_row: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "imported": self.imported,
            "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
        }


# --- Headers -----------------------------------------------------------------------------------


def _header_key(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text or ""))
    for ch in " \t\r\n*＊※:：":
        s = s.replace(ch, "")
    return s


_HEADER_LOOKUP: dict[str, str] = {}
for _attr, _header in RECORD_FIELDS:
    _HEADER_LOOKUP[_header_key(_header)] = _header
for _header, _synonyms in HEADER_SYNONYMS.items():
    for _syn in _synonyms:
        _HEADER_LOOKUP.setdefault(_header_key(_syn), _header)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def match_headers(row: Sequence[object]) -> dict[str, int]:
    """Template header -> column index for the cells of one row that are headers."""
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        header = _HEADER_LOOKUP.get(_header_key(cell))
        if header and header not in found:
            found[header] = index
    return found


@dataclass
class SheetData:
    name: str
    header_row: int  # 0-based
    columns: dict[str, int]
    rows: list[list[Any]]


def _check_container(path: Path, data: bytes) -> None:
    """Refuse what is not a workbook, and zip bombs, before any parser sees it."""
    name = path.name
    if not data:
        raise ImportRefused(f"文件“{name}”是空文件，不是Excel工作簿")
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                total = 0
                for info in zf.infolist():
                    total += info.file_size
                    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 50 * 1024**2:
                        raise ImportRefused(f"文件“{name}”中的{info.filename}解压后异常巨大（疑似压缩炸弹），已拒绝")
                if total > MAX_UNCOMPRESSED:
                    raise ImportRefused(f"文件“{name}”解压后超过2GB（疑似压缩炸弹），已拒绝")
                if "xl/workbook.xml" not in zf.namelist() and "content.xml" not in zf.namelist() and "xl/workbook.bin" not in zf.namelist():
                    raise ImportRefused(f"文件“{name}”是压缩包，但不是Excel工作簿")
        except zipfile.BadZipFile as exc:
            raise ImportRefused(f"文件“{name}”已损坏或不完整（可能未下载完），无法作为Excel工作簿打开") from exc
        return
    if data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return  # legacy .xls (or an encrypted workbook: calamine says so below)
    raise ImportRefused(f"文件“{name}”不是Excel工作簿（.xlsx/.xls），请选择台账的Excel文件")


def _fill_merged(sheet: Any, rows: list[list[Any]], first_data_row: int) -> None:
    """Merged cells in the data carry their value into every cell of the range."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - older formats have no merge information
        return
    for (r0, c0), (r1, c1) in ranges:
        if r1 < first_data_row:
            continue
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(max(r0, first_data_row), min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value


def read_ledger_sheet(path: Path, data: bytes | None = None) -> SheetData:
    """The first sheet (visible ones first) that has the template's required headers."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    _check_container(path, data)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        text = str(exc)
        if "encrypt" in text.lower() or "password" in text.lower():
            raise ImportRefused(f"文件“{path.name}”设有密码，请先在Excel中取消密码后再导入") from exc
        raise ImportRefused(f"文件“{path.name}”无法作为Excel工作簿读取（文件已损坏或格式不对）") from exc
    try:
        metas = list(wb.sheets_metadata)
        order = [m.name for m in metas if str(m.visible).endswith("Visible")] + [
            m.name for m in metas if not str(m.visible).endswith("Visible")
        ]
    except Exception:  # noqa: BLE001
        order = list(wb.sheet_names)
    best: tuple[str, list[str]] | None = None
    for name in order:
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception:  # noqa: BLE001 - chart sheets and the like
            continue
        head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        for r, row in enumerate(head):
            columns = match_headers(row)
            missing = [h for h in REQUIRED_HEADERS if h not in columns]
            if not missing:
                rows = sheet.to_python(skip_empty_area=False)
                _fill_merged(sheet, rows, r + 1)
                wb.close()
                return SheetData(name, r, columns, rows)
            if len(columns) >= 3 and (best is None or len(missing) < len(best[1])):
                best = (f"{name}第{r + 1}行", missing)
    wb.close()
    if not order:
        raise ImportRefused(f"文件“{path.name}”中没有工作表")
    if best is not None:
        raise ImportRefused(
            f"文件“{path.name}”的表头（{best[0]}）缺少必需的列：{'、'.join(best[1])}"
        )
    raise ImportRefused(
        f"文件“{path.name}”中没有找到台账表头（需要：{'、'.join(REQUIRED_HEADERS)}），"
        "或工作表是空的"
    )


def _row_values(row: Sequence[Any], columns: dict[str, int]) -> dict[str, Any]:
    width = len(row)
    return {h: (row[c] if c < width else None) for h, c in columns.items()}


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def import_workbook(
    session: Session,
    path: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import a ledger workbook into the session's database, in one transaction.

    Raises:
        ImportRefused: the file is not a ledger, or was imported before.
        StorageError: the database could not be written (nothing was).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportRefused(f"找不到文件“{path}”") from exc
    except OSError as exc:
        raise ImportRefused(f"无法读取文件“{path.name}”：{exc.strerror or exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    conn = session.db.conn
    earlier = ledger.find_import_by_hash(conn, digest)
    if earlier is not None:
        raise ImportRefused(
            f"文件“{path.name}”的内容已于{earlier[1]}导入过（当时的文件名：{earlier[0]}），"
            "不能重复导入"
        )
    sheet = read_ledger_sheet(path, data)
    ctx = session.context()
    body = sheet.rows[sheet.header_row + 1 :]
    # Trailing empty rows are the sheet's formatting, not rows the clerk wrote.
    last = len(body)
    while last and all(_is_empty(v) for v in body[last - 1]):
        last -= 1
    body = body[:last]
    total = len(body)
    rejected: list[Rejected] = []
    prepared = []
    cols = {h: c for h, c in sheet.columns.items()}
    content_cols = [c for h, c in cols.items() if h != "序号"]
    for i, row in enumerate(body):
        excel_row = sheet.header_row + 2 + i
        if all(_is_empty(row[c]) if c < len(row) else True for c in content_cols):
            rejected.append(Rejected(excel_row, "整行没有内容（仅序号或空行），不是一条记录"))
            continue
        record = normalize(_row_values(row, cols), ctx, source_row=excel_row)
        prepared.append(prepare(record, ctx))
        if progress and i % 2000 == 0:
            progress(i, total)
        if cancelled and cancelled():
            raise ImportRefused("导入已取消，数据库未做任何改动")
    if not prepared:
        raise ImportRefused(f"文件“{path.name}”的工作表“{sheet.name}”在表头下没有数据行")
    try:
        with session.db.transaction() as tx:
            import_id = ledger.add_import(
                tx,
                file_name=path.name,
                sha256=digest,
                sheet=sheet.name,
                operator=session.operator,
                row_count=total,
            )
            n = ledger.insert_records(tx, prepared, import_id=import_id, operator=session.operator)
            ledger.finish_import(tx, import_id, n, len(rejected))
    except sqlite3.Error as exc:
        if is_known_sqlite_error(exc):
            raise as_storage_error(exc, session.db.path) from exc
        raise
    if progress:
        progress(total, total)
    return ImportResult(
        file=path.name,
        sheet=sheet.name,
        imported=n,
        rejected=rejected,
        import_id=import_id,
        mapping={h: column_letter(c) for h, c in sheet.columns.items()},
        header_row=sheet.header_row + 1,
    )


def preview(path: Path | str, rows: int = 20) -> tuple[SheetData, list[dict[str, Any]]]:
    """The detected sheet and header mapping with its first rows, for a preview screen."""
    sheet = read_ledger_sheet(Path(path))
    body = sheet.rows[sheet.header_row + 1 : sheet.header_row + 1 + rows]
    return sheet, [_row_values(r, sheet.columns) for r in body]


_ = UnitContext

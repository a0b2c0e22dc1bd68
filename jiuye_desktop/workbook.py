"""The ledger sheet of a workbook: refuse what is not a ledger, find the header, stream the rows.

Read with python-calamine. A file that cannot be a ledger is refused as a
whole with a Chinese message naming the file (and the sheet and row where
there is one).
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .domain import HEADER_SYNONYMS, RECORD_FIELDS, REQUIRED_HEADERS

HEADER_SEARCH_ROWS = 30
MAX_UNCOMPRESSED = 2 * 1024**3  # a workbook that unpacks to more than this is refused
MAX_RATIO = 200  # compression ratio above which a zip member is a bomb

Progress = Callable[[int, int], None]


class ImportRefused(Exception):
    """The whole file is refused; the message (Chinese) says what and where."""


class ImportCancelled(ImportRefused):
    """The clerk cancelled the import; nothing was stored."""


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int
    reason: str


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
    """The ledger sheet of a workbook: where its header is and how to read its rows.

    ``rows()`` streams the rows below the header as (Excel row number, cells);
    column indices of ``columns`` refer to those cells, and ``col_offset`` is
    what to add to name the Excel column.
    """

    name: str
    header_row: int  # 0-based index among the sheet's rows
    columns: dict[str, int]
    col_offset: int
    height: int  # rows that ``rows()`` walks through, from the sheet's first row
    _sheet: Any = None
    _merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Rows below the header; merged cells carry their value over their range."""
        pending: dict[tuple[int, int], Any] = {}
        merged = [m for m in self._merged if m[2] > self.header_row]
        for index, row in enumerate(self._sheet.iter_rows()):
            if index <= self.header_row:
                continue
            if merged:
                _fill_merged_row(index, row, merged, pending)
            yield index + 1, row


def _fill_merged_row(
    index: int,
    row: list[Any],
    merged: list[tuple[int, int, int, int]],
    pending: dict[tuple[int, int], Any],
) -> None:
    for r0, c0, r1, c1 in merged:
        if not r0 <= index <= r1 or c0 >= len(row) or c0 < 0:
            continue
        if index == r0 or (r0, c0) not in pending:
            pending[(r0, c0)] = row[c0]
        value = pending[(r0, c0)]
        for c in range(c0, min(c1, len(row) - 1) + 1):
            row[c] = value


class WorkbookRefused(Exception):
    """A file that no reader may be given (not a regular file, too large, a zip bomb,
    a sheet declaring or holding more cells than any ledger has). The message (Chinese)
    names the file; callers turn it into their own refusal."""


#: A file larger than this is not read at all.
MAX_FILE = 1024**3
#: More members than this in the zip container: not a workbook any office program wrote.
MAX_MEMBERS = 10_000
#: The cells (rows × columns of the used range) a sheet may span: a reader allocates them all.
MAX_CELLS = 40_000_000
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's own limits

_CHUNK = 1 << 20


def read_workbook_file(path: Path | str) -> bytes:
    """The bytes of a workbook file, refusing at once what is not a regular file.

    A FIFO, a device or a folder is refused before it is opened for reading
    (a FIFO would block, a device never end), and so is a file above ``MAX_FILE``.

    Raises:
        WorkbookRefused: with a Chinese message naming the file.
        FileNotFoundError / OSError: as ``open`` raises them.
    """
    path = Path(path)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        kind = "文件夹" if stat.S_ISDIR(st.st_mode) else "管道或设备等特殊文件"
        raise WorkbookRefused(f"“{path.name}”是{kind}，不是Excel工作簿，已拒绝")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())  # the file opened, not what the name pointed at before
        if not stat.S_ISREG(st.st_mode):
            raise WorkbookRefused(f"“{path.name}”不是普通文件，不是Excel工作簿，已拒绝")
        if st.st_size > MAX_FILE:
            raise WorkbookRefused(
                f"文件“{path.name}”有{st.st_size / 1024**3:.1f} GB，超过{MAX_FILE // 1024**3} GB，"
                "不是台账工作簿，已拒绝"
            )
        data = fh.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise WorkbookRefused(f"文件“{path.name}”超过{MAX_FILE // 1024**3} GB，已拒绝")
    return data


def inspect_workbook(name: str, data: bytes) -> None:
    """Check a zip workbook before any parser sees it; a file that is not a zip passes.

    The members (how many, their total uncompressed size and each one's
    compression ratio), then every worksheet's declared dimension and the
    cells it really holds (its deflate stream inflated here, never beyond the
    size it declares), and the shared strings' declared count: each must fit
    what a ledger can hold, so that no reader allocates for a sheet that
    claims a cell at XFD1048576 or a member that inflates to gigabytes.

    Raises:
        WorkbookRefused: with a Chinese message naming the file and the part.
    """
    if data[:4] != b"PK\x03\x04":
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise WorkbookRefused(
                    f"文件“{name}”中有{len(infos)}个部件，不是Excel工作簿，已拒绝"
                )
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO and info.file_size > 50 * 1024**2:
                    raise WorkbookRefused(
                        f"文件“{name}”中的{info.filename}解压后异常巨大（疑似压缩炸弹），已拒绝"
                    )
            if total > MAX_UNCOMPRESSED:
                raise WorkbookRefused(f"文件“{name}”解压后超过2GB（疑似压缩炸弹），已拒绝")
            for info in infos:
                member = info.filename
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    _check_sheet(name, data, info)
                elif member == "xl/sharedStrings.xml":
                    _check_shared_strings(name, data, info)
    except zipfile.BadZipFile as exc:
        raise WorkbookRefused(
            f"文件“{name}”已损坏或不完整（可能未下载完），无法作为Excel工作簿打开"
        ) from exc


def _inflate(name: str, data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes, inflated in chunks from its own deflate stream, refused as soon
    as it gives more than it declares (a reader that trusts the stream would go on)."""
    start = info.header_offset
    if data[start : start + 4] != b"PK\x03\x04":
        raise WorkbookRefused(f"文件“{name}”已损坏（{info.filename}的位置不对），已拒绝")
    n, m = (
        int.from_bytes(data[start + 26 : start + 28], "little"),
        int.from_bytes(data[start + 28 : start + 30], "little"),
    )
    begin = start + 30 + n + m
    raw = memoryview(data)[begin : begin + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _CHUNK):
            yield bytes(raw[i : i + _CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise WorkbookRefused(f"文件“{name}”的{info.filename}使用了不支持的压缩方式，已拒绝")
    inflater = zlib.decompressobj(-15)
    out = 0
    for i in range(0, len(raw), _CHUNK):
        pending = bytes(raw[i : i + _CHUNK])
        while pending:
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            out += len(chunk)
            if out > info.file_size:
                raise WorkbookRefused(
                    f"文件“{name}”中的{info.filename}解压后比声明的大（疑似压缩炸弹），已拒绝"
                )
            yield chunk
            if inflater.eof:
                return
    tail = inflater.flush()
    out += len(tail)
    if out > info.file_size:
        raise WorkbookRefused(
            f"文件“{name}”中的{info.filename}解压后比声明的大（疑似压缩炸弹），已拒绝"
        )
    yield tail


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_PLAIN_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')  # the same without a prefix: faster
# Cell references outside the usual: two or more letters (group 1, 2), or one letter and a
# row of seven digits or more (group 3). ``_SPACED_REF`` is the same after a plain space,
# which is how every writer puts it and which the regex engine finds far faster.
_REF = re.compile(rb'\sr="(?:([A-Za-z]{2,})(\d+)|[A-Za-z](\d{7,}))"')
_SPACED_REF = re.compile(rb' r="(?:([A-Za-z]{2,})(\d+)|[A-Za-z](\d{7,}))"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _check_sheet(name: str, data: bytes, info: zipfile.ZipInfo) -> None:
    sheet = info.filename.rsplit("/", 1)[-1]
    max_row, max_col = 0, 1
    head = b""
    tail = b""
    for chunk in _inflate(name, data, info):
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
            m = _DIMENSION.search(head)
            if m and m[3] is not None:
                _refuse_span(
                    name, sheet, "声明的范围", int(m[4] or 1), _column_number(m[3] or b"A")
                )
        text = tail + chunk
        rows = _ROW_NUMBER if b":row" in text else _PLAIN_ROW_NUMBER
        max_row = max(max_row, max(map(int, rows.findall(text)), default=0))
        # Every r=" after a plain space (two counts, cheap): the quick pattern finds them all.
        refs = _SPACED_REF if text.count(b'r="') == text.count(b' r="') else _REF
        for letters, r, far in set(refs.findall(text)):
            if letters:
                max_col = max(max_col, _column_number(letters))
            max_row = max(max_row, int(r or far))
        tail = text[-64:]
    _refuse_span(name, sheet, "中的单元格", max_row, max(max_col, 26 if max_row else 1))


def _refuse_span(name: str, sheet: str, what: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise WorkbookRefused(
            f"文件“{name}”的工作表（{sheet}）{what}达到第{rows}行、第{column_letter(cols - 1)}列"
            f"（约{rows * cols:,}个单元格），超出台账可能的大小，已拒绝"
        )


_SST_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\suniqueCount="(\d+)"')


def _check_shared_strings(name: str, data: bytes, info: zipfile.ZipInfo) -> None:
    head = next(iter(_inflate(name, data, info)), b"")[:4096]
    m = _SST_COUNT.search(head)
    if m and int(m[1]) > info.file_size // 7 + 1:  # each string takes at least <si><t/></si>
        raise WorkbookRefused(
            f"文件“{name}”声明了{int(m[1]):,}个共享字符串，远超文件的实际内容，已拒绝"
        )


def check_container(path: Path, data: bytes) -> None:
    """Refuse what is not a workbook, and zip bombs, before any parser sees it."""
    name = path.name
    if not data:
        raise ImportRefused(f"文件“{name}”是空文件，不是Excel工作簿")
    if data[:4] == b"PK\x03\x04":
        try:
            inspect_workbook(name, data)
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = {info.filename for info in zf.infolist()}
                if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
                    raise ImportRefused(f"文件“{name}”是压缩包，但不是Excel工作簿")
        except WorkbookRefused as exc:
            raise ImportRefused(str(exc)) from exc
        except zipfile.BadZipFile as exc:
            raise ImportRefused(
                f"文件“{name}”已损坏或不完整（可能未下载完），无法作为Excel工作簿打开"
            ) from exc
        return
    if data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return  # legacy .xls (or an encrypted workbook: calamine says so below)
    raise ImportRefused(f"文件“{name}”不是Excel工作簿（.xlsx/.xls），请选择台账的Excel文件")


def read_ledger_sheet(path: Path, data: bytes | None = None, *, checked: bool = False) -> SheetData:
    """The first sheet (visible ones first) that has the template's required headers.

    ``checked``: ``data`` already passed ``check_container`` (the importer checks the
    file before it starts a helper; the helper compares the bytes it reads with the
    importer's SHA-256): the check, a pass over every worksheet's XML, is not repeated.
    """
    path = Path(path)
    if data is None:
        try:
            data = read_workbook_file(path)
        except WorkbookRefused as exc:
            raise ImportRefused(str(exc)) from exc
        checked = False
    if not checked:
        check_container(path, data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types
        text = str(exc).lower()
        if "encrypt" in text or "password" in text or "cfb" in text:
            raise ImportRefused(
                f"文件“{path.name}”设有密码或已加密，请先在Excel中取消密码后再导入"
            ) from exc
        raise ImportRefused(
            f"文件“{path.name}”无法作为Excel工作簿读取（文件已损坏或格式不对）"
        ) from exc
    try:
        metas = list(wb.sheets_metadata)
        visible = [m.name for m in metas if str(m.visible).endswith(".Visible")]
        order = visible + [m.name for m in metas if m.name not in visible]
    except Exception:  # noqa: BLE001 - formats without visibility information
        order = list(wb.sheet_names)
    best: tuple[str, list[str]] | None = None
    for name in order:
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception:  # noqa: BLE001 - chart sheets and the like
            continue
        col_offset = sheet.start[1] if sheet.start else 0
        for r, row in enumerate(sheet.iter_rows()):
            if r >= HEADER_SEARCH_ROWS:
                break
            columns = match_headers(row)
            missing = [h for h in REQUIRED_HEADERS if h not in columns]
            if not missing:
                try:
                    merged = [
                        (r0, c0 - col_offset, r1, c1 - col_offset)
                        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
                    ]
                except Exception:  # noqa: BLE001 - no merge information in old formats
                    merged = []
                # iter_rows starts at the sheet's first row even when the used range starts
                # lower, where calamine's ``height`` starts counting: count from ``end``.
                height = sheet.end[0] + 1 if sheet.end else sheet.height
                return SheetData(name, r, columns, col_offset, height, sheet, merged)
            if len(columns) >= 3 and (best is None or len(missing) < len(best[1])):
                best = (f"工作表“{name}”第{r + 1}行", missing)
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


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def preview(path: Path | str, rows: int = 20) -> tuple[SheetData, list[dict[str, Any]]]:
    """The detected sheet and header mapping with its first rows, for a preview screen.

    ``mapping_letters(sheet)`` names the Excel column of each template header.
    """
    sheet = read_ledger_sheet(Path(path))
    out: list[dict[str, Any]] = []
    for _excel_row, row in sheet.rows():
        if len(out) >= rows:
            break
        if any(not is_empty(v) for v in row):
            out.append(_row_values(row, sheet.columns))
    return sheet, out


def mapping_letters(sheet: SheetData) -> dict[str, str]:
    """Template header -> Excel column letter of the detected header."""
    return {h: column_letter(c + sheet.col_offset) for h, c in sheet.columns.items()}

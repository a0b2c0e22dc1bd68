"""How the 实名台账 rows reach the package file: streamed, not built as cells.

openpyxl writes the workbook's frame (every sheet, 实名台账 with its header
only); ``assemble`` copies that zip and streams the rows into the 实名台账
member as ``<row>`` elements of inline strings (``write_rows``: cleaned and
hashed exactly as a reader gets them back), compressed by a second thread,
then puts in the 说明 sheet's final XML, known only after the rows.
``encrypt`` wraps the result as Excel and WPS encrypt a workbook.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from .format import (
    LEDGER_HEADERS,
    LEDGER_SHEET,
    NOTES_SHEET,
    TEMPLATE_HEADERS,
    Progress,
    clean_text,
    digest_line,
)

#: A row that needs ``clean_text`` (a ``\r`` or a character XML cannot hold), its cells joined by
#: ``\n``; and one that needs escaping or ``xml:space``, its cells joined by ``\0``.
_NEEDS_CLEAN = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_CARE = re.compile("[&<>\t\n]|(?:^|\x00) | (?:\x00|$)")
_CHUNK = 1 << 20


def write_rows(
    rows: Iterable[Sequence[str]],
    write: Callable[[bytes], None],
    h: Any,
    counts: dict[str, int],
    total: int,
    progress: Progress | None,
) -> int:
    """Hash the rows and write them as ``<row>`` elements of inline strings; returns how many.

    Each row is cleaned (``clean_text``) and hashed exactly as read back; the
    common row (no character to escape, no space to keep) is put together
    without a Python step per cell: each cell's opening tag, with ``\\0`` where
    the row number goes, is joined with its text, and the row number is put in
    once. Cells with a space at either end, a tab or a line break keep it
    (``xml:space="preserve"``).
    """
    close = "</t></is></c>"
    opening = [f'{close}<c r="{x}\x00" t="inlineStr"><is><t>' for x in _LETTERS]
    skip = len(close)
    status_col = len(TEMPLATE_HEADERS)
    n = 0
    chunk: list[str] = []
    size = 0
    for raw in rows:
        values: Sequence[str] = raw
        if _NEEDS_CLEAN.search("\n".join(values)):
            values = [clean_text(v) for v in values]
        h.update(digest_line(values))
        status = values[status_col]
        counts[status] = counts.get(status, 0) + 1
        n += 1
        if _NEEDS_CARE.search("\x00".join(values)):
            text = _row_xml(values, str(n + 1))
        else:
            body = "".join([o + v for o, v in zip(opening, values, strict=True) if v])
            body = body[skip:] + close if body else ""
            text = f'<row r="{n + 1}">' + body.replace("\x00", str(n + 1)) + "</row>"
        chunk.append(text)
        size += len(text)
        if size >= _CHUNK:
            write("".join(chunk).encode())
            chunk.clear()
            size = 0
            if progress:
                progress(n, total)
    if chunk:
        write("".join(chunk).encode())
    if progress:
        progress(n, total)
    return n


_LETTERS = tuple(get_column_letter(i + 1) for i in range(len(LEDGER_HEADERS)))


def _row_xml(values: Sequence[str], number: str) -> str:
    """One ``<row>`` of cleaned cell texts, every cell escaped (the careful path)."""
    close = "</t></is></c>"
    cells = "".join(
        [
            f'<c r="{_LETTERS[i]}{number}" t="inlineStr"><is><t'
            + (
                ' xml:space="preserve">'
                if v[0] in " \t\n" or v[-1] in " \t\n" or "\t" in v or "\n" in v
                else ">"
            )
            + escape(v)
            + close
            for i, v in enumerate(values)
            if v
        ]
    )
    return f'<row r="{number}">{cells}</row>'


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def sheet_member(zf: zipfile.ZipFile, sheet: str) -> str:
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


RowsThenNotes = Callable[[Callable[[bytes], None]], bytes]


def assemble(frame: IO[bytes], rows_then_notes: RowsThenNotes, out: IO[bytes], n: int) -> None:
    """Copy the openpyxl workbook, streaming the ledger rows into its 实名台账 sheet.

    The rows are compressed by a second thread while this one puts them
    together (zlib works without the interpreter lock); ``rows_then_notes``
    returns the 说明 sheet as it must finally be (its digest is known only
    after the rows), which replaces the frame's.
    """
    frame.seek(0)
    with zipfile.ZipFile(frame) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        member = sheet_member(src, LEDGER_SHEET)
        notes_member = sheet_member(src, NOTES_SHEET)
        notes_xml: bytes | None = None
        deferred: list[zipfile.ZipInfo] = []
        for info in src.infolist():
            if info.filename == notes_member:
                if notes_xml is None:
                    deferred.append(info)
                else:
                    dst.writestr(info, notes_xml)
                continue
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
                with _Behind(fh) as sink:
                    notes_xml = rows_then_notes(sink.write)
                fh.write(xml[cut:].encode())
        for info in deferred:
            assert notes_xml is not None
            dst.writestr(info, notes_xml)


class _Behind:
    """Writes byte chunks to a file object from a second thread (bounded queue)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="package-writer", daemon=True)

    def __enter__(self) -> _Behind:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._fh.write(chunk)
                except BaseException as exc:  # noqa: BLE001 - raised again in the caller
                    self._error = exc

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)


def encrypt(plain: io.BytesIO, password: str, out: IO[bytes]) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain.seek(0)
    OOXMLFile(plain).encrypt(password, out)

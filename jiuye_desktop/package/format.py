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

Signed (format version 2, annex1.md "Signed packages"): the digest covers
every cell of every sheet, and the unit signs it with its Ed25519 key
(``signing``); the signature, the public key and its fingerprint are in 说明.
The digest is SHA-256 over UTF-8 lines, each the compact JSON
(``ensure_ascii=False``, separators ``,`` and ``:``) of a list, ended by ``\n``:

1. ``["jiuye-package", "2", <unit code>, <week key YYYY-MM-N>, <导出时间>]``;
2. for each sheet in workbook order, ``["sheet", <sheet name>, <sheet digest>]``.

A sheet's digest is SHA-256 over lines too. For ``实名台账`` (streamed, large):
``["jiuye-package", "2", <unit code>, <week key>]``, the header row
(``LEDGER_HEADERS``), then one line per ledger row, its cells in column order
(an empty cell ``""``). For every other sheet (附件1, 说明, and whatever a later
version adds): one line per row that has a non-empty cell,
``[<row>, <first column>, <cell text> …]`` (1-based; trailing empty cells left
out), cells as text as the reader gets them (``read_cell``). The rows of 说明
whose key is one of ``SIGNATURE_KEYS`` (the digest, the signature, the key and
its fingerprint) are left out: they are what is computed from the rest.

The message signed is ``jiuye-package:2:<digest hex>``. Cell text is written
with line breaks as ``\n`` and without characters XML cannot hold, so what a
reader gets back is what was hashed. The receiver also checks 账表一致 (附件1
equals what the rows give) with the code that computes the weekly table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..domain import RECORD_FIELDS, REMOVAL_REASONS, Week, kind_name
from ..exports import annex1_form as form

FORMAT_NAME = "jiuye-package"
FORMAT_VERSION = 2
#: Packages of the previous version: unsigned, refused with a request to re-export.
UNSIGNED_VERSION = 1
ANNEX_SHEET, LEDGER_SHEET, NOTES_SHEET = form.ANNEX_LABEL, "实名台账", "说明"
TEMPLATE_HEADERS: tuple[str, ...] = tuple(h for _, h in RECORD_FIELDS)
STATUS_HEADERS = ("状态", "剔除原因", "剔除日期", "剔除说明")
#: Warnings of the record marked as checked (已核实, dismissals.py), one per line:
#: ``<finding key>：<reason>（<operator>，<time>）``.
CHECKED_HEADER = "核实说明"
LEDGER_HEADERS: tuple[str, ...] = TEMPLATE_HEADERS + STATUS_HEADERS + (CHECKED_HEADER,)
ACTIVE, REMOVED = "有效", "已剔除"
#: 剔除原因 as the sheet writes it -> the removal reason.
REASON_CODES = {kind_name(r): r.value for r in REMOVAL_REASONS}

Progress = Callable[[int, int], None]

# Keys of the 说明 sheet (column A); the value is in column B.
K_FORMAT, K_VERSION = "文件格式", "格式版本"
K_UNIT_CODE, K_UNIT_NAME, K_LEVEL = "单位代码", "单位名称", "级别"
K_WEEK, K_WEEK_KEY, K_START, K_END = "周次", "周次代码", "开始日期", "结束日期"
K_APP, K_WRITTEN = "程序版本", "导出时间"
K_ROWS, K_ACTIVE, K_REMOVED = "台账行数", "其中有效", "其中已剔除"
K_DIGEST = "摘要（SHA-256）"
K_FINGERPRINT, K_PUBLIC_KEY, K_SIGNATURE = "公钥指纹", "公钥（Ed25519）", "签名（Ed25519）"
#: Rows of 说明 the digest leaves out: they are computed from everything else.
SIGNATURE_KEYS = (K_DIGEST, K_FINGERPRINT, K_PUBLIC_KEY, K_SIGNATURE)
K_AREA = "地区"
AREA_SELF, AREA_SUB = "本级", "下属地区"


class PackageError(Exception):
    """A package cannot be written, opened or trusted; the message (Chinese) names the file."""


class KeyChanged(PackageError):
    """A package signed by another key than the one pinned for its unit (annex1.md):
    refused until a person accepts the new key (``signing.accept_key``)."""

    def __init__(self, message: str, path: Path, unit_code: str, pinned: str, offered: str) -> None:
        super().__init__(message)
        self.path = path
        self.unit_code = unit_code
        self.pinned = pinned
        self.offered = offered


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


def digest_line(values: Sequence[str | int]) -> bytes:
    return (_encode(list(values)) + "\n").encode()


def digest_start(unit_code: str, week_key: str) -> Any:
    """A SHA-256 object fed the first two lines of the canonical serialisation."""
    h = hashlib.sha256()
    h.update(digest_line([FORMAT_NAME, str(FORMAT_VERSION), unit_code, week_key]))
    h.update(digest_line(LEDGER_HEADERS))
    return h


def sheet_digest(grid: Sequence[Sequence[object]], start: tuple[int, int], *, skip: bool) -> str:
    """The digest of a sheet other than 实名台账, from its cells as the reader gets them
    (``start``: the 0-based row and column of ``grid[0][0]``); ``skip`` leaves out the
    rows of ``SIGNATURE_KEYS`` (说明)."""
    h = hashlib.sha256()
    r0, c0 = start
    for i, row in enumerate(grid):
        cells = [read_cell(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if skip and c0 == 0 and cells[0].strip() in SIGNATURE_KEYS:
            continue
        h.update(digest_line([r0 + i + 1, c0 + 1, *cells]))
    return str(h.hexdigest())


def package_digest(
    unit_code: str, week_key: str, written_at: str, sheets: Sequence[tuple[str, str]]
) -> str:
    """The digest the unit signs: its code, the week, 导出时间 and each sheet's digest in order."""
    h = hashlib.sha256()
    h.update(digest_line([FORMAT_NAME, str(FORMAT_VERSION), unit_code, week_key, written_at]))
    for name, sheet in sheets:
        h.update(digest_line(["sheet", name, sheet]))
    return str(h.hexdigest())


def signed_message(digest: str) -> bytes:
    """What the signature is over."""
    return f"{FORMAT_NAME}:{FORMAT_VERSION}:{digest}".encode()


def rows_digest(unit_code: str, week_key: str, rows: Iterable[Sequence[str]]) -> str:
    """The digest of the 实名台账 sheet from its rows (lists of cell texts in
    ``LEDGER_HEADERS`` order)."""
    h = digest_start(unit_code, week_key)
    for row in rows:
        h.update(digest_line(row))
    return str(h.hexdigest())


def read_cell(value: object) -> str:
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


def week_json(week: Week) -> dict[str, str]:
    return {
        "key": week.key,
        "label": week.label,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
    }


# --- Dismissed warnings (the 核实说明 column) ------------------------------------------------------

#: One dismissal: (finding key, reason, operator, time).
Checked = tuple[str, str, str, str]


def checked_text(items: Iterable[Checked]) -> str:
    """The 核实说明 cell of a record's dismissals."""
    return "\n".join(
        f"{key}：{_one_line(reason)}（{_one_line(op).replace('，', ',')}，{at}）"
        for key, reason, op, at in items
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def parse_checked(text: str) -> list[Checked] | None:
    """The dismissals a 核实说明 cell carries; None when a line is not of that form."""
    out: list[Checked] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, rest = line.partition("：")
        if not sep or not key or not rest.endswith("）") or "（" not in rest:
            return None
        reason, _, meta = rest[:-1].rpartition("（")
        op, sep, at = meta.rpartition("，")
        if not sep or not reason or not at:
            return None
        out.append((key, reason, op, at))
    return out

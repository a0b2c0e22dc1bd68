"""Opening a package: decrypting it, checking it is a workbook of this program, reading its 说明."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..domain import Level, Unit, Week
from ..signing import SigningError, decode_public, fingerprint
from ..weeks import week_from_key
from ..workbook import WorkbookRefused, inspect_workbook, read_workbook_file
from .format import (
    ANNEX_SHEET,
    AREA_SELF,
    AREA_SUB,
    FORMAT_NAME,
    FORMAT_VERSION,
    K_APP,
    K_DIGEST,
    K_FORMAT,
    K_LEVEL,
    K_PUBLIC_KEY,
    K_ROWS,
    K_SIGNATURE,
    K_UNIT_CODE,
    K_UNIT_NAME,
    K_VERSION,
    K_WEEK_KEY,
    K_WRITTEN,
    LEDGER_SHEET,
    NOTES_SHEET,
    SIGNATURE_KEYS,
    UNSIGNED_VERSION,
    PackageError,
    PasswordRequired,
    WrongPassword,
    read_cell,
    sheet_digest,
    week_json,
)
from .progress_sheet import PROGRESS_SHEET, ReportedProgress, read_progress_sheet

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
    K_PUBLIC_KEY,
    K_SIGNATURE,
)
#: 导出时间 may lie this far after the moment of the merge (clocks differ a little).
FUTURE_SLACK = dt.timedelta(days=1)

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
    public_key: bytes = b""  # the sender's Ed25519 key (raw), as the 说明 gives it
    signature: str = ""  # base64, over ``format.signed_message(digest)``
    sheets: tuple[tuple[str, str], ...] = ()  # digests of the sheets; 实名台账's is "" (streamed)
    progress: ReportedProgress | None = None  # what its 进度 sheet says, when it has one

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "unit": {
                "code": self.unit.code,
                "name": self.unit.name,
                "level": self.unit.level.value,
            },
            "week": week_json(self.week),
            "written_at": self.written_at,
            "rows": self.row_count,
            "fingerprint": self.fingerprint,
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


def open_package(
    path: Path | str, password: str | None = None, *, inspected_sha: str | None = None
) -> Package:
    """Open a package (decrypting it with ``password`` when it is encrypted) and read its 说明.

    ``inspected_sha``: the SHA-256 of a file this process or another of the same merge
    has already opened; when the file still has exactly those bytes, the workbook's
    container check (``inspect_workbook``, the costliest part of opening) is not
    repeated on them.

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
        if sha != inspected_sha:
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
    sheets: list[tuple[str, str]] = []
    reported = None
    for sheet_name in book.sheet_names:
        if sheet_name == LEDGER_SHEET:
            sheets.append((sheet_name, ""))
            continue
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            start = tuple(sheet.start or (0, 0))
            grid = sheet.to_python()
        except Exception as exc:  # noqa: BLE001 - calamine raises its own types
            raise PackageError(f"文件“{name}”的工作表“{sheet_name}”无法读取，文件被修改过") from exc
        digest = sheet_digest(grid, (int(start[0]), int(start[1])), skip=sheet_name == NOTES_SHEET)
        sheets.append((sheet_name, digest))
        if sheet_name == PROGRESS_SHEET:
            reported = read_progress_sheet(grid)
    return Package(path, replace(head, sheets=tuple(sheets), progress=reported), book)


def peek_package(path: str, password: str | None) -> Package | str:
    """``open_package`` for a worker process: the package without its workbook (which
    cannot cross processes), or the Chinese reason it cannot be opened."""
    try:
        return replace(open_package(path, password), book=None)
    except PackageError as exc:
        return str(exc)


def _read_head(book: Any, name: str, sha: str) -> PackageHead:
    rows = book.get_sheet_by_name(NOTES_SHEET).to_python()
    values: dict[str, str] = {}
    keys_seen: list[str] = []
    areas: list[tuple[str | None, str]] = []
    self_name = ""
    for row in rows:
        cells = [read_cell(v).strip() for v in row]
        if not cells or not cells[0]:
            continue
        key = cells[0]
        if key in (AREA_SELF, AREA_SUB) and len(cells) >= 3:
            if key == AREA_SELF:
                self_name = cells[2]
            else:
                areas.append((cells[1] or None, cells[2]))
        elif len(cells) >= 2:
            values.setdefault(key, cells[1])
        keys_seen.append(key)
    if values.get(K_FORMAT) != FORMAT_NAME:
        raise PackageError(f"文件“{name}”的“说明”工作表不是本程序写的，不是上报文件")
    try:
        version = int(values.get(K_VERSION, ""))
    except ValueError:
        version = -1
    if version == UNSIGNED_VERSION:
        raise PackageError(
            f"文件“{name}”由旧版本程序导出，没有签名，无法确认报送单位和内容，已拒绝。"
            "请让报送单位升级到本版本程序后重新导出上报文件"
        )
    missing = [k for k in _REQUIRED_KEYS if not values.get(k)]
    if missing and 1 <= version <= FORMAT_VERSION:
        raise PackageError(
            f"文件“{name}”的“说明”工作表不是本程序写的，不是上报文件（说明中缺少：{'、'.join(missing)}）"
        )
    twice = [k for k in SIGNATURE_KEYS if keys_seen.count(k) > 1]
    if twice:
        raise PackageError(f"文件“{name}”的“说明”中“{twice[0]}”出现了多次，文件被修改过")
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
    written_at = _written_at(values[K_WRITTEN], name)
    try:
        public_key = decode_public(values[K_PUBLIC_KEY])
    except SigningError as exc:
        raise PackageError(f"文件“{name}”的“说明”中的{exc}，文件被修改过") from exc
    return PackageHead(
        file_name=name,
        sha256=sha,
        unit=Unit(code, values[K_UNIT_NAME], level),
        week=week,
        written_at=written_at,
        app_version=values.get(K_APP, ""),
        row_count=row_count,
        digest=values[K_DIGEST].lower(),
        areas=tuple(areas),
        self_name=self_name or values[K_UNIT_NAME] + "本级",
        public_key=public_key,
        signature=values[K_SIGNATURE],
    )


def _written_at(text: str, name: str) -> str:
    """导出时间 as written (``YYYY-MM-DD HH:MM:SS``); one that cannot be read, or that lies
    more than ``FUTURE_SLACK`` after now, is refused."""
    try:
        when = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise PackageError(
            f"文件“{name}”的导出时间“{text}”无法识别（应为 YYYY-MM-DD HH:MM:SS），文件被修改过"
        ) from None
    if when > dt.datetime.now() + FUTURE_SLACK:
        raise PackageError(
            f"文件“{name}”的导出时间{text}晚于现在一天以上，不可信（文件被修改过，或对方电脑的"
            "日期不对），已拒绝；请让报送单位核对电脑日期后重新导出"
        )
    return when.isoformat(sep=" ")

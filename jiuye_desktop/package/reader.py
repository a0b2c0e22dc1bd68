"""Opening a package: decrypting it, checking it is a workbook of this program, reading its 说明."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..domain import Level, Unit, Week
from ..weeks import week_from_key
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
    K_ROWS,
    K_UNIT_CODE,
    K_UNIT_NAME,
    K_VERSION,
    K_WEEK_KEY,
    K_WRITTEN,
    LEDGER_SHEET,
    NOTES_SHEET,
    PackageError,
    PasswordRequired,
    WrongPassword,
    read_cell,
    week_json,
)

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

# --- Reading ----------------------------------------------------------------------------------

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNCOMPRESSED = 2 * 1024**3


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
            "week": week_json(self.week),
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
        data = path.read_bytes()
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
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED:
                raise PackageError(f"文件“{name}”解压后超过2GB（疑似压缩炸弹），已拒绝")
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PackageError:
        raise
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

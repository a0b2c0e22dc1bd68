"""The file that goes upward (annex1.md): its format and digest, writing, reading, verifying.

``format`` holds the sheets, the 说明 keys and the canonical digest; ``writer``
writes a package (``stream`` streams its 实名台账 rows into the file); ``reader``
opens (decrypts) one and reads its 说明; ``verify`` judges its rows and checks
账表一致. The rows a merge stores go in
through ``storage.packages_sql.store_rows``.
"""

from .format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LEDGER_HEADERS,
    TEMPLATE_HEADERS,
    KeyChanged,
    PackageError,
    PasswordRequired,
    WrongPassword,
    clean_text,
    rows_digest,
)
from .reader import Package, PackageHead, is_encrypted, open_package, password_ok
from .verify import (
    JudgedPackage,
    VerifiedPackage,
    check_table,
    judge_file,
    judge_package,
    verify_package,
)
from .writer import ExportResult, export_package, ledger_sheet_rows

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LEDGER_HEADERS",
    "TEMPLATE_HEADERS",
    "ExportResult",
    "JudgedPackage",
    "KeyChanged",
    "Package",
    "PackageError",
    "PackageHead",
    "PasswordRequired",
    "VerifiedPackage",
    "WrongPassword",
    "check_table",
    "clean_text",
    "export_package",
    "is_encrypted",
    "judge_file",
    "judge_package",
    "ledger_sheet_rows",
    "open_package",
    "password_ok",
    "rows_digest",
    "verify_package",
]

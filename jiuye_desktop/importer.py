"""Import a ledger workbook: read (calamine), find the header, judge, store, all or nothing.

A problem of a row becomes a self-check finding on the imported record; only a
row with no content at all is rejected. A file that cannot be a ledger is
refused as a whole with a Chinese message naming the file (and the row and
column where there is one), and the database is left unchanged.

The sheet is read in ``workbook``; its rows are judged in one or two processes
into staging tables (``import_rows``, ``import_schedule``); one transaction then copies them into
the ledger in workbook order.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import adjustments, import_rows, import_schedule
from .import_schedule import ChunkSchedule
from .records import UnitContext
from .service import Session
from .storage import ledger, staging
from .storage.db import StorageError, as_storage_error, is_known_sqlite_error
from .workbook import (
    ImportCancelled,
    ImportRefused,
    Progress,
    Rejected,
    SheetData,
    WorkbookRefused,
    check_container,
    column_letter,
    mapping_letters,
    preview,
    read_ledger_sheet,
    read_workbook_file,
)

__all__ = [
    "ImportCancelled",
    "ImportRefused",
    "ImportResult",
    "Rejected",
    "SheetData",
    "import_workbook",
    "mapping_letters",
    "preview",
    "read_ledger_sheet",
]


@dataclass
class ImportResult:
    file: str
    sheet: str
    imported: int
    rejected: list[Rejected] = field(default_factory=list)
    import_id: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # template header -> column letter
    header_row: int = 0
    helper_rows: int = 0  # rows judged by the helper process (0: all judged here)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "imported": self.imported,
            "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
        }


def import_workbook(
    session: Session,
    path: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    workers: int | None = None,
    reason: str | None = None,
) -> ImportResult:
    """Import a ledger workbook into the session's database, in one transaction.

    ``reason`` (调整原因) is needed when rows are registered in a submitted
    week (domain.md §9); without it the import is refused naming those rows.

    Rows are judged in chunks into staging tables (by this process, and for a
    large file by a helper process too: ``workers`` forces 1 or 2), then
    copied into the ledger in one transaction, so memory stays flat and a
    failure, a crash or a cancel leaves nothing behind.

    Raises:
        ImportRefused: the file is not a ledger, was imported before, or the
            import was cancelled.
        adjustments.ReasonRequired: rows in a submitted week and no reason.
        StorageError: the database could not be written (nothing was).
    """
    path = Path(path)
    session.db.refuse_if_readonly()
    try:
        data = read_workbook_file(path)
    except WorkbookRefused as exc:
        raise ImportRefused(str(exc)) from exc
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
    check_container(path, data)  # before a helper process is started for it
    ctx = session.context()
    helper = import_schedule.start_helper(path, digest, ctx, len(data), workers)
    try:
        # The backup of the ledger (seconds at a million records) is copied while the
        # workbook is read; it is complete before anything is written.
        backup = session.backup_in_background("import")
        try:
            sheet = read_ledger_sheet(path, data, checked=True)  # checked above
        except BaseException:
            if backup is not None:  # the file's refusal is what the clerk must read
                with contextlib.suppress(StorageError):
                    backup.wait()
            raise
        if backup is not None:
            backup.wait()
        del data
        staging.create(conn)
        if helper is not None:
            for k, slot in enumerate(helper.slots):
                staging.attach(conn, slot, f"stage{k}")
        with session.db.bulk_cache(), session.db.transaction(immediate=helper is None) as tx:
            result = _import_sheet(
                session, tx, path, digest, sheet, ctx, helper, progress, cancelled
            )
            # Read nothing before the rows are copied: a read would fix this connection's
            # snapshot of the helper's slot files. The import's ids are the last ones.
            after_id = adjustments.last_record_id(tx) - result.imported
            adjustments.after_import(
                tx, result.import_id or 0, after_id, reason=reason, operator=session.operator
            )
            return result
    except sqlite3.Error as exc:
        if is_known_sqlite_error(exc):
            raise as_storage_error(exc, session.db.path) from exc
        raise
    finally:
        try:
            staging.detach(conn)  # first: Windows cannot delete a file that is still open
            staging.drop(conn)
        finally:
            if helper is not None:
                helper.close()


def _import_sheet(
    session: Session,
    tx: sqlite3.Connection,
    path: Path,
    digest: str,
    sheet: SheetData,
    ctx: UnitContext,
    helper: import_schedule.Helper | None,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> ImportResult:
    """Judge, stage and copy the rows of the sheet (``ChunkSchedule``); the caller holds
    the transaction."""
    total = import_rows.data_rows(sheet)
    import_id = ledger.add_import(
        tx,
        file_name=path.name,
        sha256=digest,
        sheet=sheet.name,
        operator=session.operator,
        row_count=total,
    )
    copier = staging.Copier(tx, import_id=import_id, operator=session.operator)
    schedule = ChunkSchedule(sheet, helper, copier)

    def check() -> None:
        if progress:
            progress(min(schedule.handed() * import_rows.CHUNK, total), total)
        if cancelled and cancelled():
            raise ImportCancelled("导入已取消，数据库未做任何改动")

    def write(batch: list[tuple[int, ledger.RowAndFindings]]) -> None:
        staging.write(tx, batch)

    mine = schedule.run(ctx, write, check)
    theirs = schedule.theirs
    n = copier.copied
    if n != mine.count + theirs.count:
        raise RuntimeError(f"judged {mine.count + theirs.count} rows but copied {n}")
    if n == 0:
        raise ImportRefused(f"文件“{path.name}”的工作表“{sheet.name}”在表头下没有数据行")
    rejected = sorted(mine.rejected + theirs.rejected, key=lambda r: r.row)
    ledger.finish_import(tx, import_id, n, len(rejected))
    if progress:
        progress(total, total)
    return ImportResult(
        file=path.name,
        sheet=sheet.name,
        imported=n,
        rejected=rejected,
        import_id=import_id,
        mapping={h: column_letter(c + sheet.col_offset) for h, c in sheet.columns.items()},
        header_row=sheet.header_row + 1,
        helper_rows=theirs.count,
    )

"""Import a ledger workbook: read (calamine), find the header, judge, store, all or nothing.

A problem of a row becomes a self-check finding on the imported record; only a
row with no content at all is rejected. A file that cannot be a ledger is
refused as a whole with a Chinese message naming the file (and the row and
column where there is one), and the database is left unchanged.

The sheet is read in ``workbook``; its rows are judged in one or two processes
into staging tables (``import_rows``); one transaction then copies them into
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

from . import adjustments, import_rows
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
    check_container,
    column_letter,
    mapping_letters,
    preview,
    read_ledger_sheet,
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
    check_container(path, data)  # before a helper process is started for it
    ctx = session.context()
    helper = import_rows.start_helper(path, digest, ctx, len(data), workers)
    try:
        # The backup of the ledger (seconds at a million records) is copied while the
        # workbook is read; it is complete before anything is written.
        backup = session.backup_in_background("import")
        try:
            sheet = read_ledger_sheet(path, data)
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
    helper: import_rows.Helper | None,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> ImportResult:
    """Judge, stage and copy the rows of the sheet; the caller holds the transaction.

    Chunks go into the ledger strictly in workbook order, each as soon as it
    and every chunk before it are judged: this process's own from its temp
    stage, the helper's from its slot files once a slot is complete.
    """
    total = import_rows.data_rows(sheet)
    chunks = import_rows.chunk_count(sheet)
    signature = import_rows.sheet_signature(sheet)
    import_id = ledger.add_import(
        tx,
        file_name=path.name,
        sha256=digest,
        sheet=sheet.name,
        operator=session.operator,
        row_count=total,
    )
    copier = staging.Copier(tx, import_id=import_id, operator=session.operator)
    own: set[int] = set()  # chunks judged here, in the temp stage
    theirs = import_rows.Staged()  # the helper's rows that are in the ledger
    next_copy = [0]  # chunks before this one are in the ledger already
    if helper is not None:
        claim, handed = helper.claims(chunks)
    else:
        claim = iter(range(chunks + 1)).__next__
        handed = lambda: next_copy[0]  # noqa: E731 - everything is copied as it is judged

    def copy_ready() -> None:
        if helper is not None:
            helper.poll(signature)
        while next_copy[0] < chunks:
            chunk = next_copy[0]
            if chunk in own:
                copier.copy("temp", *import_rows.chunk_rows(sheet, chunk))
            elif helper is not None and chunk in helper.ready:
                schema, count, rejected = helper.ready[chunk]
                copier.copy(schema, *import_rows.chunk_rows(sheet, chunk))
                theirs.chunks.append(chunk)
                theirs.count += count
                theirs.rejected += rejected
            else:
                return
            next_copy[0] += 1

    def judged_here(chunk: int, _work: import_rows.Staged) -> None:
        own.add(chunk)
        copy_ready()

    def check() -> None:
        if progress:
            progress(min(handed() * import_rows.CHUNK, total), total)
        if cancelled and cancelled():
            raise ImportCancelled("导入已取消，数据库未做任何改动")

    def write(batch: list[tuple[int, ledger.RowAndFindings]]) -> None:
        staging.write(tx, batch)

    mine = import_rows.stage_chunks(sheet, ctx, claim, write, check=check, done=judged_here)
    if helper is not None and len(mine.chunks) < chunks:
        while not helper.finished:  # copy the helper's slots as they come
            helper.poll(signature, timeout=0.05)
            copy_ready()
            check()
        if helper.failure is not None:  # judge here what it had not completed
            rest = [
                c for c in range(next_copy[0], chunks) if c not in own and c not in helper.ready
            ]
            again = import_rows.stage_chunks(
                sheet, ctx, iter([*rest, chunks]).__next__, write, check=check,
                done=judged_here,
            )  # fmt: skip
            mine.count += again.count
            mine.rejected += again.rejected
        copy_ready()
    if next_copy[0] != chunks:
        raise RuntimeError(f"{chunks - next_copy[0]} chunks of the import were not copied")
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

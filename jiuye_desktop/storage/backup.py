"""Backups of the ledger database: made with SQLite's backup API (or the file itself when
that is a consistent snapshot), in the background while an import reads; the check when the
window opens a ledger; ``open_ledger``, which backs an existing ledger up before a migration.

Where backups live, their names and rotation are in ``backup_folder``; verifying and
restoring one in ``restore``. The names other modules use are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from .backup_folder import (
    KEEP_LAST,
    REASONS,
    BackupInfo,
    backup_dir,
    list_backups,
    reserve,
    rotate,
)
from .db import (
    SQLITE_FULL,
    Database,
    StorageError,
    as_storage_error,
    error_code,
    open_database,
)
from .restore import OtherUnit, latest_good_backup, restore_backup, verify_backup

__all__ = [
    "KEEP_LAST",
    "REASONS",
    "BackgroundBackup",
    "BackupInfo",
    "OtherUnit",
    "StartupCheck",
    "backup_dir",
    "before_migration",
    "check_and_back_up",
    "latest_good_backup",
    "list_backups",
    "make_backup",
    "open_ledger",
    "restore_backup",
    "rotate",
    "verify_backup",
]


def open_ledger(path: Path | str, *, create: bool = False, check: bool = False) -> Database:
    """``open_database`` as the program opens a ledger: backed up before a migration."""
    return open_database(path, create=create, check=check, before_migration=before_migration)


def before_migration(db: Database) -> None:
    """The backup hook of ``storage.db.migrate``: an existing ledger is copied before its
    schema changes (kept out of rotation)."""
    make_backup(db, "migration", rotate_after=False)


def make_backup(db: Database, reason: str = "manual", *, rotate_after: bool = True) -> Path:
    """Copy the open database consistently (even while in use) and rotate old copies.

    Outside a transaction the file itself is copied when that is a consistent
    snapshot (``_file_snapshot``); otherwise SQLite's backup API copies it.
    """
    file_copy = not db.conn.in_transaction
    return _backup(db.conn, db.path, reason, rotate_after=rotate_after, file_copy=file_copy)


class BackgroundBackup:
    """A backup taken by a thread with its own read connection, while this thread works on.

    SQLite's backup API copies without holding Python's lock, so the copy of a
    large ledger overlaps with, say, reading a workbook. ``wait()`` returns
    the backup's path or raises its ``StorageError``; nothing may be written
    to the database before it has returned (the copy is of the ledger as it
    was before).
    """

    def __init__(self, db_path: Path, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        self._path: Path | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(Path(db_path), reason), daemon=True)
        self._thread.start()

    def _run(self, db_path: Path, reason: str) -> None:
        try:
            conn = sqlite3.connect(db_path, timeout=5)  # it only reads
            try:
                self._path = _backup(conn, db_path, reason, rotate_after=True, file_copy=True)
            finally:
                conn.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            self._error = exc

    def wait(self) -> Path:
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, StorageError):
                raise self._error
            raise StorageError(f"备份数据库失败：{self._error}") from self._error
        assert self._path is not None
        return self._path


def _file_snapshot(conn: sqlite3.Connection, db_path: Path, dest: Path) -> bool:
    """Copy the database file itself when it alone is a consistent snapshot.

    After a checkpoint has emptied the write-ahead log, a read transaction
    keeps every later change in the log: the file cannot change while it is
    copied (by the kernel, twice as fast as the backup API). Returns False,
    having copied nothing, when the log still holds frames (another reader
    kept the checkpoint from finishing) or the copy fails: the caller then
    uses the backup API. ``conn`` must be outside any transaction.
    """
    try:
        timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout = 0")  # a reader in the way: do not wait for it
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        if busy:
            return False
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
            wal = Path(f"{db_path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                return False
            shutil.copyfile(db_path, dest)
            return True
        finally:
            conn.execute("COMMIT")
    except (OSError, sqlite3.Error):
        dest.unlink(missing_ok=True)
        return False


def _backup(
    conn: sqlite3.Connection,
    db_path: Path,
    reason: str,
    *,
    rotate_after: bool,
    file_copy: bool = False,
) -> Path:
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    folder = backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"无法建立备份文件夹 {folder}：{exc.strerror or exc}") from exc
    now = dt.datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    try:
        target = reserve(folder, db_path.stem, stamp, reason)
    except OSError as exc:
        raise StorageError(f"无法在 {folder} 中建立备份文件：{exc.strerror or exc}") from exc
    tmp = target.with_name(target.name + ".part")
    try:
        copied = file_copy and _file_snapshot(conn, db_path, tmp)
        dest = sqlite3.connect(tmp)
        try:
            if not copied:
                conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        if getattr(exc, "errno", None) == errno.ENOSPC or error_code(exc) == SQLITE_FULL:
            raise StorageError(f"磁盘空间不足，无法在 {folder} 中备份数据库") from exc
        if isinstance(exc, sqlite3.Error) and error_code(exc) != SQLITE_FULL:
            raise as_storage_error(exc, db_path) from exc
        raise StorageError(f"备份数据库失败：{getattr(exc, 'strerror', None) or exc}") from exc
    if rotate_after:
        rotate(db_path)
    return target


@dataclass(frozen=True, slots=True)
class StartupCheck:
    """What the window learns when it opens a ledger: is it sound, and its backup."""

    ok: bool
    detail: str
    backup: Path | None
    latest_good: BackupInfo | None


def check_and_back_up(db_path: Path) -> StartupCheck:
    """``PRAGMA integrity_check`` on the ledger, then a backup when it is sound.

    Runs on its own connection (the window calls it from a worker thread). A
    damaged ledger is not backed up (that would rotate good copies away); the
    newest good backup is named instead, as the way back.
    """
    try:
        db = open_ledger(db_path)
    except StorageError as exc:
        return StartupCheck(False, str(exc), None, latest_good_backup(db_path))
    try:
        ok, detail = db.integrity_ok()
        made = make_backup(db, "start") if ok and not db.readonly else None
    finally:
        db.close()
    return StartupCheck(ok, detail, made, None if ok else latest_good_backup(db_path))

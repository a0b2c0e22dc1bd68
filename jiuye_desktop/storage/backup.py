"""Backups of the ledger database: SQLite's backup API, rotation, verified restore.

Backups live in ``backups/`` beside the database, named
``<stem>-YYYYmmdd-HHMMSS-<reason>.sqlite``. Rotation keeps the newest
``KEEP_LAST`` and, older than those, the newest of each ISO week, so a year of
work is never more than a week away.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from .db import (
    SQLITE_FULL,
    Database,
    StorageError,
    as_storage_error,
    connect,
    error_code,
    open_database,
    schema_version,
)

KEEP_LAST = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}(?:-\d+)?)-(?P<reason>[a-z0-9-]+)\.sqlite$")

REASONS = {
    "start": "启动时",
    "import": "导入前",
    "merge": "汇总前",
    "migration": "升级前",
    "restore": "恢复前",
    "manual": "手动",
}


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / "backups"


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
    target = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite"
    n = 1
    while target.exists():
        target = folder / f"{db_path.stem}-{stamp}-{n}-{reason}.sqlite"
        n += 1
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
        if getattr(exc, "errno", None) == errno.ENOSPC or error_code(exc) == SQLITE_FULL:
            raise StorageError(f"磁盘空间不足，无法在 {folder} 中备份数据库") from exc
        if isinstance(exc, sqlite3.Error) and error_code(exc) != SQLITE_FULL:
            raise as_storage_error(exc, db_path) from exc
        raise StorageError(f"备份数据库失败：{getattr(exc, 'strerror', None) or exc}") from exc
    if rotate_after:
        rotate(db_path)
    return target


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of this database, newest first."""
    folder = backup_dir(db_path)
    found: list[tuple[dt.datetime, int, int, BackupInfo]] = []
    if not folder.is_dir():
        return []
    stem = Path(db_path).stem
    for path in folder.glob("*.sqlite"):
        m = _NAME.match(path.name)
        if not m or m["stem"] != stem:
            continue
        stamp = m["stamp"][:15]
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        serial = int(m["stamp"][16:] or 0)  # same second: -1, -2 … in order made
        st = path.stat()
        found.append(
            (taken, serial, st.st_mtime_ns, BackupInfo(path, taken, m["reason"], st.st_size))
        )
    found.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    return [b for _, _, _, b in found]


def rotate(db_path: Path, keep_last: int = KEEP_LAST) -> list[Path]:
    """Delete old backups: keep the newest ``keep_last`` and the newest of each older week."""
    backups = list_backups(db_path)
    keep = {b.path for b in backups[:keep_last]}
    weeks_seen: set[tuple[int, int]] = set()
    for b in backups[keep_last:]:
        week = b.taken_at.isocalendar()[:2]
        if week not in weeks_seen:
            weeks_seen.add(week)
            keep.add(b.path)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def verify_backup(path: Path) -> tuple[bool, str]:
    """Whether a file is a sound ledger database this program can open."""
    try:
        with Path(path).open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False, "不是SQLite数据库文件"
        conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                return False, "数据库已损坏：" + "; ".join(rows[:3])
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > schema_version():
                return False, f"由更新版本的程序建立（结构版本 {version}）"
            if (
                not conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unit'"
                ).fetchone()
                or not conn.execute("SELECT 1 FROM unit").fetchone()
            ):
                return False, "不是台账数据库（没有填报单位）"
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        return False, f"无法读取：{exc}"
    return True, "ok"


def restore_backup(db_path: Path, backup: Path) -> Path | None:
    """Put a verified backup in place of the database (which must not be open).

    The current database is itself backed up first when it can be read, so a
    restore can be undone. Returns that safety copy, if one was made.

    Raises:
        StorageError: the backup is not sound; nothing was changed.
    """
    db_path = Path(db_path)
    ok, why = verify_backup(backup)
    if not ok:
        raise StorageError(f"备份 {backup} 不能用于恢复：{why}")
    safety: Path | None = None
    if db_path.exists() and verify_backup(db_path)[0]:
        conn = connect(db_path)
        try:
            safety = make_backup(Database(conn, db_path), "restore", rotate_after=False)
        finally:
            conn.close()
    elif db_path.exists():
        # A damaged ledger is kept aside as it is, for whoever wants to look at it.
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = backup_dir(db_path) / f"{db_path.stem}-{stamp}.damaged.sqlite"
        safety.parent.mkdir(parents=True, exist_ok=True)
        os.replace(db_path, safety)
    tmp = db_path.with_name(db_path.name + ".restoring")
    src = sqlite3.connect(f"file:{Path(backup).as_posix()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(tmp)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, db_path)
    return safety


def latest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest backup that passes ``verify_backup``."""
    for b in list_backups(db_path):
        if verify_backup(b.path)[0]:
            return b
    return None


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

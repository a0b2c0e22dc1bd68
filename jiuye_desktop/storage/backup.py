"""Backups of the ledger database: SQLite's backup API, rotation, verified restore.

Backups live in ``backups/<ledger file name>/`` beside the database (one
folder per ledger file: two ledgers in one folder never share or mix their
backups), named ``<stem>-YYYYmmdd-HHMMSS[-N]-<reason>.sqlite``; a name is
reserved by creating it exclusively, so two backups in one second (even by two
processes) never collide. Rotation keeps the newest
``KEEP_LAST`` and, older than those, the newest of each ISO week, so a year of
work is never more than a week away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .db import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    Database,
    StorageError,
    as_storage_error,
    check_ours,
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
    """The backups of one ledger file: ``backups/<its file name>/`` beside it."""
    path = Path(db_path).resolve()
    return path.parent / "backups" / path.name


def _legacy_dir(db_path: Path) -> Path | None:
    """``backups/`` itself, where earlier versions put the backups of every ledger of the
    folder: read only when no other ledger file of the folder has the same stem."""
    path = Path(db_path).resolve()
    folder = path.parent / "backups"
    if not folder.is_dir():
        return None
    for other in path.parent.iterdir():
        if other != path and other.stem == path.stem and other.is_file():
            return None
    return folder


def _reserve(folder: Path, stem: str, stamp: str, reason: str) -> Path:
    """A new backup name, made exclusively (``-1``, ``-2`` … within one second)."""
    n = 0
    while True:
        name = (
            f"{stem}-{stamp}-{reason}.sqlite" if n == 0 else f"{stem}-{stamp}-{n}-{reason}.sqlite"
        )
        target = folder / name
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            n += 1
            continue
        os.close(fd)
        return target


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
        target = _reserve(folder, db_path.stem, stamp, reason)
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


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of this database, newest first."""
    found: list[tuple[dt.datetime, int, int, BackupInfo]] = []
    stem = Path(db_path).stem
    files = [
        p
        for folder in (backup_dir(db_path), _legacy_dir(db_path))
        if folder is not None and folder.is_dir()
        for p in folder.glob("*.sqlite")
    ]
    for path in files:
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
    """Whether a file is a sound ledger database of this program that it can open."""
    try:
        path = Path(path)
        if not path.is_file():
            return False, "不是普通文件"
        try:
            check_ours(path)
        except StorageError as exc:
            return False, str(exc)
        conn = _read_only(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                return False, "数据库已损坏：" + "; ".join(rows[:3])
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > schema_version():
                return False, f"由更新版本的程序建立（结构版本 {version}）"
            if _unit_of(conn) is None:
                return False, "不是台账数据库（没有填报单位）"
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        return False, f"无法读取：{exc}"
    return True, "ok"


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _unit_of(conn: sqlite3.Connection) -> tuple[str, str, str] | None:
    """(code, name, level) of the ledger's unit, or None."""
    try:
        row = conn.execute("SELECT code, name, level FROM unit").fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


class OtherUnit(StorageError):
    """The backup is of another unit (code or level) than the ledger it would replace;
    restoring it needs the user's confirmation (``other_unit_ok``)."""

    def __init__(self, message: str, current: tuple[str, str, str], backup: tuple[str, str, str]):
        super().__init__(message)
        self.current = current
        self.backup = backup


def _busy_message(db_path: Path) -> str:
    return (
        f"数据库 {db_path} 正被另一个程序（或本程序的另一个窗口）打开，不能恢复；"
        "请先关闭它，再重试。数据库未做任何改动"
    )


@contextlib.contextmanager
def _exclusive(db_path: Path) -> Iterator[sqlite3.Connection | None]:
    """Hold the ledger exclusively (SQLite's own locking) for the block, or refuse at once.

    Any other connection, in any process, that has the ledger open (a WAL
    ledger's readers hold a shared lock as long as they are open) or is
    writing it makes this fail before anything moves. A ledger too damaged for
    SQLite to lock (the case of a restore after a failed start check) gives
    None: it is then only moved aside and copied over, never read.
    """
    if not db_path.exists():
        yield None
        return
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=1)
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if error_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED):
                raise StorageError(_busy_message(db_path)) from exc
            if error_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
                conn.close()
                yield None
                return
            raise as_storage_error(exc, db_path) from exc
        yield conn
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()


def restore_backup(db_path: Path, backup: Path, *, other_unit_ok: bool = False) -> Path | None:
    """Put a verified backup in place of the ledger; the replaced file is kept as a backup.

    Nothing moves unless every check passes first: the backup is a sound
    ledger of this program, the ledger is a file of this program (never
    another program's), no other process has the ledger open or is writing
    it (``_exclusive``: the window closes its own connection first), and the
    backup is of the same unit (code and level) unless ``other_unit_ok``. The
    backup is copied beside the ledger and verified; the ledger file itself
    is kept in the ledger's backups folder (reason ``restore``; a damaged one
    as ``.damaged.sqlite``); the verified copy then replaces the ledger in one
    rename, and is verified again in place (should that fail, the kept file
    is put back).

    Returns:
        The kept (replaced) ledger file, or None when there was none.

    Raises:
        OtherUnit: the backup is of another unit and ``other_unit_ok`` is False.
        StorageError: the backup is not sound, the ledger is in use or not ours,
            or the copy failed; the ledger is unchanged.
    """
    db_path = Path(db_path)
    backup = Path(backup)
    ok, why = verify_backup(backup)
    if not ok:
        raise StorageError(f"备份 {backup} 不能用于恢复：{why}")
    if db_path.exists():
        if not db_path.is_file():
            raise StorageError(f"{db_path} 不是普通文件，不能用备份替换")
        if db_path.resolve() == backup.resolve():
            raise StorageError("备份文件就是数据库文件本身，无需恢复")
        check_ours(db_path)
    src = _read_only(backup)
    try:
        theirs = _unit_of(src)
    finally:
        src.close()
    assert theirs is not None  # verify_backup
    with _exclusive(db_path) as held:
        damaged = held is None or not _sound(held)
        mine = _unit_of(held) if held is not None and not damaged else None
        if mine is not None and mine[::2] != theirs[::2] and not other_unit_ok:
            raise OtherUnit(
                f"备份 {backup.name} 是{theirs[1]}（{theirs[0]}，{_LEVELS.get(theirs[2], theirs[2])}）"
                f"的台账，当前数据库是{mine[1]}（{mine[0]}，{_LEVELS.get(mine[2], mine[2])}）的台账；"
                "确认要用另一个单位的备份替换时，请明确确认（命令行加 --other-unit）。数据库未做任何改动",
                mine,
                theirs,
            )
        tmp = _restore_copy(backup, db_path)
        try:
            if held is not None and not damaged:
                # Everything into the file itself: the kept file alone is then complete.
                held.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                held.execute("PRAGMA journal_mode = DELETE")
            kept = _keep(db_path, damaged=damaged) if db_path.exists() else None
            if held is not None and os.name == "nt":
                held.close()  # Windows cannot rename over an open file
            os.replace(tmp, db_path)
        finally:
            tmp.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    ok, why = verify_backup(db_path)
    if not ok:  # pragma: no cover - the copy was verified before the rename
        if kept is not None:
            back = _restore_copy(kept, db_path)
            os.replace(back, db_path)
        raise StorageError(f"恢复后的数据库未通过检查（{why}），已放回原来的数据库")
    return kept


_LEVELS = {"county": "县级", "city": "市级", "province": "省级"}


def _sound(conn: sqlite3.Connection) -> bool:
    try:
        return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] == ["ok"]
    except sqlite3.Error:
        return False


def _restore_copy(source: Path, db_path: Path) -> Path:
    """A verified copy of ``source`` beside the ledger (same file system: the rename is atomic)."""
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.restoring")
    tmp.unlink(missing_ok=True)
    try:
        src = _read_only(source)
        try:
            dest = sqlite3.connect(tmp)
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        finally:
            src.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        if getattr(exc, "errno", None) == errno.ENOSPC or error_code(exc) == SQLITE_FULL:
            raise StorageError(
                f"磁盘空间不足，无法恢复数据库 {db_path}；数据库未做任何改动"
            ) from exc
        raise StorageError(
            f"复制备份失败：{getattr(exc, 'strerror', None) or exc}；数据库未做任何改动"
        ) from exc
    ok, why = verify_backup(tmp)
    if not ok:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"备份复制后未通过检查（{why}），数据库未做任何改动")
    return tmp


def _keep(db_path: Path, *, damaged: bool) -> Path:
    """Keep the ledger file about to be replaced in its backups folder (a hard link when the
    file system has them, else a copy): the restore can be undone."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if damaged:
        kept = folder / f"{db_path.stem}-{stamp}-{os.getpid()}.damaged.sqlite"
        shutil.copy2(db_path, kept)
        wal = Path(f"{db_path}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{kept}-wal"))
        return kept
    kept = _reserve(folder, db_path.stem, stamp, "restore")
    kept.unlink()
    try:
        os.link(db_path, kept)
    except OSError:
        shutil.copy2(db_path, kept)
    return kept


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

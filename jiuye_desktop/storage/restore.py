"""Putting a backup back: verified, refused while the ledger is in use, undoable.

``verify_backup`` says whether a file is a sound ledger of this program;
``restore_backup`` puts one in place of the ledger, keeping the replaced file
in the ledger's backups folder; ``latest_good_backup`` names the way back
when a ledger is damaged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from .backup_folder import BackupInfo, backup_dir, list_backups, reserve
from .db import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    StorageError,
    as_storage_error,
    check_ours,
    error_code,
    schema_version,
)


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
    kept = reserve(folder, db_path.stem, stamp, "restore")
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

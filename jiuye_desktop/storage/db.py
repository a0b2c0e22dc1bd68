"""The one owner of SQLite connections: opening, migrations, transactions, errors.

Errors a user can act on (file locked, disk full, not a database, made by a
newer program) become ``StorageError`` with a Chinese message; anything else
is a bug and propagates as is.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources as importlib_resources
from pathlib import Path

MIGRATIONS_PACKAGE = "jiuye_desktop.storage.migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

#: Page cache of a connection, and of one doing a bulk write (``Database.bulk_cache``), in MiB.
CACHE_MIB = 64
BULK_CACHE_MIB = 256


class StorageError(Exception):
    """A problem with the database file that the user must be told about."""


def _migrations() -> list[tuple[int, str, str]]:
    """Numbered migration steps shipped with the package, in order."""
    steps = []
    for entry in importlib_resources.files(MIGRATIONS_PACKAGE).iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            steps.append((int(m[1]), entry.name, entry.read_text(encoding="utf-8")))
    steps.sort()
    for expected, (number, name, _) in enumerate(steps, start=1):
        if number != expected:
            raise RuntimeError(f"migration {name} out of sequence")
    return steps


def schema_version() -> int:
    """The schema version this program writes."""
    return len(_migrations())


def _known_error(exc: sqlite3.Error, path: Path | str) -> StorageError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(f"数据库文件 {path} 正被另一个程序使用，请关闭后重试")
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(f"磁盘空间已满，无法写入数据库 {path}；本次操作未保存任何内容")
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return StorageError(f"文件 {path} 不是本程序的数据库，或数据库已损坏")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"数据库文件 {path} 是只读的，无法写入")
    if "unable to open" in text:
        return StorageError(f"无法打开数据库文件 {path}（文件夹不存在或没有权限）")
    return StorageError(f"数据库 {path} 出错：{exc}")


def _is_known(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(
        word in text
        for word in (
            "locked",
            "busy",
            "disk is full",
            "not a database",
            "malformed",
            "encrypted",
            "readonly",
            "read-only",
            "unable to open",
            "disk i/o",
        )
    )


class Database:
    """An open ledger database: one connection, owned by one thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; ROLLBACK on any error, which then propagates.

        ``immediate=False`` begins deferred (the write lock is taken by the
        first write): needed when an attached file must stay writable by
        another process (``staging.attach``).
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except sqlite3.OperationalError as exc:
            raise _known_error(exc, self.path) from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _known_error(exc, self.path) from exc

    @contextmanager
    def bulk_cache(self, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
        """A larger page cache for a bulk write (an import into a large ledger touches
        index pages all over the file); the usual size again afterwards."""
        before = int(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        self.conn.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {before}")

    def integrity_ok(self) -> tuple[bool, str]:
        """``PRAGMA integrity_check``: (True, 'ok') or (False, what it found)."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:  # too damaged to even list the damage
            return False, str(exc)
        return rows == ["ok"], "; ".join(rows[:5])


def now_text() -> str:
    """Local time as stored in the database (seconds)."""
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def connect(path: Path | str) -> sqlite3.Connection:
    path = Path(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=5)
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = DELETE")
        # FULL: a committed transaction survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = {-CACHE_MIB * 1024}")
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError as exc:
        raise _known_error(exc, path) from exc
    return conn


#: What runs on an existing database before its schema is migrated: the backup
#: (``storage.backup.before_migration``), passed in by whoever opens the ledger.
BeforeMigration = Callable[[Database], None]


def open_database(
    path: Path | str,
    *,
    create: bool = False,
    check: bool = False,
    before_migration: BeforeMigration | None = None,
) -> Database:
    """Open (or create) a ledger database and bring its schema up to date.

    Args:
        path: the database file.
        create: make the file when it does not exist.
        check: run ``PRAGMA integrity_check`` first.
        before_migration: called before pending migrations of an existing database.

    Raises:
        StorageError: the file is missing, locked, not a database, damaged, or
            was written by a newer version of the program.
    """
    path = Path(path)
    if not path.exists() and not create:
        raise StorageError(f"数据库文件 {path} 不存在，请先用 init 建立本单位的台账")
    if path.exists() and path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise StorageError(f"文件 {path} 不是本程序的数据库（不是 SQLite 文件）")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    db = Database(conn, path)
    try:
        if check:
            ok, detail = db.integrity_ok()
            if not ok:
                raise StorageError(f"数据库 {path} 已损坏（{detail}），请从备份恢复")
        migrate(db, before_migration)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _known_error(exc, path) from exc
    except BaseException:
        conn.close()
        raise
    return db


def migrate(db: Database, before: BeforeMigration | None = None) -> None:
    """Apply pending numbered migrations, each in its own transaction.

    ``before`` (the backup) runs first on an existing database. A database newer
    than the program is refused untouched.
    """
    steps = _migrations()
    current = db.conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(steps):
        raise StorageError(
            f"数据库 {db.path} 由更新版本的程序建立（结构版本 {current}，本程序支持到 "
            f"{len(steps)}），请升级程序后再打开"
        )
    if current == len(steps):
        return
    if current > 0 and before is not None:
        before(db)
    for number, _name, sql in steps[current:]:
        with db.transaction() as conn:
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


def _split_sql(sql: str) -> list[str]:
    """Statements of a migration file, comments removed (no triggers with inner
    semicolons, and no ``--`` inside string literals, in our migrations)."""
    text = re.sub(r"--[^\n]*", "", sql)
    statements, buf = [], ""
    for part in text.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                statements.append(buf.strip())
            buf = ""
    return statements


def is_known_sqlite_error(exc: sqlite3.Error) -> bool:
    return _is_known(exc)


def as_storage_error(exc: sqlite3.Error, path: Path | str) -> StorageError:
    return _known_error(exc, path)

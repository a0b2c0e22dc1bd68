"""The one owner of SQLite connections: opening, migrations, transactions, errors.

Errors a user can act on (file locked, disk full, not a database, made by a
newer program) become ``StorageError`` with a Chinese message; anything else
is a bug and propagates as is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
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


#: ``PRAGMA application_id`` of a ledger ("JYTZ", 就业台账): set by migration 0005.
APPLICATION_ID = int.from_bytes(b"JYTZ", "big")
#: The first migration that sets ``APPLICATION_ID``; older ledgers are recognised by their tables.
APPLICATION_ID_STEP = 5

# Primary result codes (``sqlite_errorcode & 0xFF``) of the failures a user can act on.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
KNOWN_CODES = frozenset(
    {
        SQLITE_BUSY,
        SQLITE_LOCKED,
        SQLITE_READONLY,
        SQLITE_IOERR,
        SQLITE_CORRUPT,
        SQLITE_FULL,
        SQLITE_CANTOPEN,
        SQLITE_NOTADB,
    }
)


def error_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error (None when SQLite gave none)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def _known_error(exc: sqlite3.Error, path: Path | str) -> StorageError:
    """The user-facing error of a SQLite failure, chosen by its result code."""
    code = error_code(exc)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageError(
            f"数据库文件 {path} 正被另一个程序使用，请关闭后重试；本次操作未保存任何内容"
        )
    if code == SQLITE_FULL:
        return StorageError(f"磁盘空间已满，无法写入数据库 {path}；本次操作未保存任何内容")
    if code == SQLITE_IOERR:
        return StorageError(
            f"读写数据库文件 {path} 时出错（磁盘或网络故障）；本次操作未保存任何内容"
        )
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return StorageError(f"文件 {path} 不是本程序的数据库，或数据库已损坏，请从备份恢复")
    if code == SQLITE_READONLY:
        return StorageError(f"数据库文件 {path} 是只读的，无法写入；本次操作未保存任何内容")
    if code == SQLITE_CANTOPEN:
        return StorageError(f"无法打开数据库文件 {path}（文件夹不存在或没有权限）")
    return StorageError(f"数据库 {path} 出错（错误代码 {code}）；本次操作未保存任何内容")


def _is_known(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and error_code(exc) in KNOWN_CODES


class Database:
    """An open ledger database: one connection, owned by one thread.

    ``readonly``: the file cannot be written (a file attribute, a read-only
    medium); it was opened for reading only and every transaction is refused
    with a Chinese message before anything is attempted.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refuse_if_readonly(self) -> None:
        """Raise the read-only ledger's message when the file cannot be written."""
        if self.readonly:
            raise StorageError(readonly_message(self.path))

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; ROLLBACK on any error, which then propagates.

        A SQLite failure anywhere inside (disk full, I/O error, read-only,
        busy/locked, corrupt: chosen by ``sqlite_errorcode``) rolls everything
        back and becomes one ``StorageError`` with a Chinese message; other
        SQLite errors are bugs and propagate as they are (after the rollback).

        ``immediate=False`` begins deferred (the write lock is taken by the
        first write): needed when an attached file must stay writable by
        another process (``staging.attach``).
        """
        self.refuse_if_readonly()
        try:
            self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except sqlite3.Error as exc:
            raise _known_error(exc, self.path) from exc
        try:
            yield self.conn
        except BaseException as exc:
            self._rollback()
            if _is_known(exc):
                assert isinstance(exc, sqlite3.Error)
                raise _known_error(exc, self.path) from exc
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _known_error(exc, self.path) from exc

    def _rollback(self) -> None:
        """ROLLBACK when a transaction is open (SQLite may already have rolled back, on a
        full disk or an I/O error); a failing rollback is left to SQLite's own recovery."""
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

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


def readonly_message(path: Path | str) -> str:
    return (
        f"数据库文件 {path} 是只读的（文件属性为只读，或在只读的介质上），"
        "只能查看，不能修改；如需修改，请先把文件复制到可写的文件夹"
    )


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the ledger's settings; ``readonly`` opens the file for reading only."""
    path = Path(path)
    conn: sqlite3.Connection | None = None
    try:
        if readonly:
            conn = _connect_readonly(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=5)
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode = DELETE")
            # FULL: a committed transaction survives a power cut, not only a crash.
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = {-CACHE_MIB * 1024}")
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()  # an open connection keeps its lock on the file
        raise _known_error(exc, path) from exc
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """``mode=ro``; on a read-only medium where SQLite cannot make its shared-memory
    file beside a WAL database, ``immutable=1`` (nothing can change it there)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        if error_code(exc) not in (SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR):
            raise
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1",
            uri=True,
            isolation_level=None,
            timeout=5,
        )
    return conn


def is_writable(path: Path) -> bool:
    """Whether this process may write the file (a file attribute such as ``chattr +i``
    and a read-only mount count even for the administrator)."""
    return os.access(path, os.W_OK)


_HEADER = 100
_LEDGER_TABLES = {"unit", "settings", "areas", "imports", "records", "history"}
_UNIT_COLUMNS = {"id", "code", "name", "level", "created_at"}


def check_ours(path: Path) -> None:
    """Refuse a SQLite file that is not a ledger of this program, before anything writes.

    A ledger has ``APPLICATION_ID`` (since migration 0005); an older one is
    recognised by its tables (``unit`` as 0001 made it, the ledger's tables).
    An empty database (no tables, no version) is a new ledger. The file is
    only read (its header, then, when needed, its schema through a read-only
    connection): a foreign file stays byte-identical.

    Raises:
        StorageError: another program's file, or not a SQLite file at all.
    """
    with path.open("rb") as fh:
        head = fh.read(_HEADER)
    if not head:
        return
    if head[:16] != b"SQLite format 3\x00" or len(head) < _HEADER:
        raise StorageError(f"文件 {path} 不是本程序的数据库（不是 SQLite 文件），未做任何改动")
    app_id = int.from_bytes(head[68:72], "big", signed=True)
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise StorageError(_foreign(path, "属于另一个程序"))
    # Older ledgers (and a ledger whose last changes are still in its write-ahead
    # log) are judged by what SQLite reads.
    try:
        conn = _connect_readonly(path)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            unit_columns = (
                {r[1] for r in conn.execute("PRAGMA table_info(unit)")}
                if "unit" in tables
                else set()
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _known_error(exc, path) from exc
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise StorageError(_foreign(path, "属于另一个程序"))
    if version == 0 and not tables:
        return  # an empty database: a new ledger
    if (
        0 < version < APPLICATION_ID_STEP
        and tables >= _LEDGER_TABLES
        and unit_columns == _UNIT_COLUMNS
    ):
        return  # a ledger of an earlier version: migration 0005 marks it
    raise StorageError(_foreign(path, "不是就业实名台账"))


def _foreign(path: Path, what: str) -> str:
    return f"文件 {path} 是SQLite数据库，但{what}，不是本程序的台账；已拒绝打开，文件未做任何改动"


#: What runs on an existing database before its schema is migrated: the backup
#: (``storage.backup.before_migration``), passed in by whoever opens the ledger.
BeforeMigration = Callable[[Database], None]


def open_database(
    path: Path | str,
    *,
    create: bool = False,
    check: bool = False,
    readonly: bool | None = None,
    before_migration: BeforeMigration | None = None,
) -> Database:
    """Open (or create) a ledger database and bring its schema up to date.

    Args:
        path: the database file.
        create: make the file when it does not exist.
        check: run ``PRAGMA integrity_check`` first.
        readonly: open for reading only; default: when the file cannot be written.
        before_migration: called before pending migrations of an existing database.

    Raises:
        StorageError: the file is missing, locked, not a database, another
            program's SQLite file, damaged, or was written by a newer version
            of the program (or needs an upgrade but cannot be written).
    """
    path = Path(path)
    memory = str(path) == ":memory:"
    if not memory and not path.exists() and not create:
        raise StorageError(f"数据库文件 {path} 不存在，请先用 init 建立本单位的台账")
    if not memory and path.exists():
        if not path.is_file():
            raise StorageError(f"{path} 不是普通文件（是文件夹或设备），不能作为数据库")
        check_ours(path)
        if readonly is None:
            readonly = not is_writable(path)
    readonly = bool(readonly)
    if create and not memory:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path, readonly=readonly)
    db = Database(conn, path, readonly=readonly)
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
    if db.readonly:
        raise StorageError(
            f"数据库 {db.path} 需要升级（结构版本 {current} → {len(steps)}），但文件是只读的；"
            "请先把文件复制到可写的文件夹"
        )
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

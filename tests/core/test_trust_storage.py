"""Issue 11, items 5–7: databases that are not ours stay untouched, read-only ledgers,
errors sorted by SQLite code, every argument checked, invisible characters stripped.

Written as an attacker or an unlucky user would: the command line in its own process,
real files, a second process holding the database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.selfcheck import remove_flagged
from jiuye_desktop.storage import db as storage_db
from jiuye_desktop.storage.backup import make_backup
from jiuye_desktop.storage.db import APPLICATION_ID, StorageError, open_database
from jiuye_desktop.storage.ledger import get_unit

from .helpers import make_id, new_row, write_book, xuchang
from .trust_helpers import assert_refused, immutable, run_cli, sha


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "台账.sqlite"
    done = run_cli(["demo", "--records", "300", "--db", path])
    assert done.returncode == 0, done.stderr
    return path


def _foreign_files(folder: Path) -> list[Path]:
    """Another program's SQLite file, one with a ``unit`` table of another design, one in WAL."""
    plain = folder / "other.sqlite"
    with sqlite3.connect(plain) as c:
        c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        c.execute("INSERT INTO notes (text) VALUES ('keep me')")
    c.close()
    unit = folder / "unit.sqlite"
    with sqlite3.connect(unit) as c:
        c.execute("PRAGMA user_version = 3")
        c.execute("CREATE TABLE unit (id INTEGER PRIMARY KEY, code TEXT, label TEXT)")
        c.execute("INSERT INTO unit VALUES (1, '411000', 'x')")
    c.close()
    other_app = folder / "app.sqlite"
    c = sqlite3.connect(other_app)
    c.execute("PRAGMA application_id = 1234")
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    return [plain, unit, other_app]


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["weekly", "--week", "2017-11-2"],
        ["remove", "--kind", "all", "--date", "2017-12-01"],
        ["backup"],
        ["demo", "--records", "10"],
        ["init", "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city"],
        ["history", "--record", "1"],
    ],
)
def test_a_foreign_sqlite_file_is_refused_and_left_byte_identical(
    tmp_path: Path, command: list[str]
) -> None:
    for path in _foreign_files(tmp_path):
        before = sha(path)
        siblings = sorted(p.name for p in tmp_path.iterdir())
        err = assert_refused(run_cli([*command, "--db", path]), 1)
        assert "不是本程序的台账" in err or "不是就业实名台账" in err, err
        assert sha(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no backups/, no journal


def test_import_into_a_foreign_file_changes_nothing(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book.xlsx", [new_row()])
    for path in _foreign_files(tmp_path):
        before = sha(path)
        assert_refused(run_cli(["import", book, "--db", path]), 1, "已拒绝")
        assert sha(path) == before


def test_init_marks_the_ledger_and_an_older_ledger_is_marked_on_upgrade(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite"
    xuchang(new).close()
    with sqlite3.connect(new) as c:
        assert c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    c.close()
    # A ledger of the previous version: migrations 0001–0004 only, no mark.
    old = tmp_path / "old.sqlite"
    c = sqlite3.connect(old, isolation_level=None)
    for number, _name, sql in storage_db._migrations()[:4]:
        c.execute("BEGIN")
        for statement in storage_db._split_sql(sql):
            c.execute(statement)
        c.execute(f"PRAGMA user_version = {number}")
        c.execute("COMMIT")
    c.execute("INSERT INTO unit VALUES (1, '411000', '许昌市', 'city', '2017-01-01 00:00:00')")
    c.close()
    db = open_database(old)
    try:
        assert db.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert get_unit(db.conn) is not None
    finally:
        db.close()


def test_a_directory_or_a_fifo_as_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    assert_refused(run_cli(["check", "--db", folder]), 1, "不是普通文件")
    fifo = tmp_path / "pipe.sqlite"
    import os

    os.mkfifo(fifo)
    assert_refused(run_cli(["check", "--db", fifo], timeout=30), 1, "不是普通文件")


# --- Read-only ledgers ------------------------------------------------------------------------


def test_a_read_only_ledger_reads_and_refuses_every_write(
    ledger_path: Path, tmp_path: Path
) -> None:
    book = write_book(tmp_path / "book.xlsx", [new_row()])
    before = sha(ledger_path)
    with immutable(ledger_path):
        assert run_cli(["check", "--json", "--db", ledger_path]).returncode == 0
        assert run_cli(["weekly", "--week", "2017-11-2", "--db", ledger_path]).returncode == 0
        for command in (
            ["remove", "--kind", "all", "--date", "2017-12-01"],
            ["import", book],
            ["submit", "--week", "2017-11-2"],
            ["demo", "--records", "5"],
        ):
            assert_refused(run_cli([*command, "--db", ledger_path]), 1, "只读")
    assert sha(ledger_path) == before


def test_a_read_only_ledger_in_the_core(ledger_path: Path) -> None:
    with immutable(ledger_path):
        db = open_database(ledger_path)
        try:
            assert db.readonly
            with pytest.raises(StorageError, match="只读"), db.transaction():
                pass
        finally:
            db.close()


# --- Errors by SQLite code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (5, "正被另一个程序使用"),
        (6, "正被另一个程序使用"),
        (13, "磁盘空间已满"),
        (10, "读写数据库文件"),
        (8, "只读"),
        (11, "已损坏"),
        (26, "不是本程序的数据库"),
        (13 | (1 << 8), "磁盘空间已满"),  # an extended code of the same primary code
    ],
)
def test_errors_are_sorted_by_code_not_by_message(code: int, words: str) -> None:
    exc = sqlite3.OperationalError("database is locked; disk is full; readonly")  # misleading text
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert words in str(storage_db.as_storage_error(exc, "x.sqlite"))


def test_a_full_disk_inside_a_transaction_rolls_back_with_one_message(tmp_path: Path) -> None:
    session = xuchang(tmp_path / "l.sqlite")
    session.auto_backup = False
    try:
        book = write_book(
            tmp_path / "b.xlsx",
            [new_row(公民身份号码=make_id(seq=f"{i:03d}"), 姓名=f"王{i}") for i in range(200)],
        )
        pages = session.db.conn.execute("PRAGMA page_count").fetchone()[0]
        before = session.db.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        session.db.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
        with pytest.raises(StorageError, match="磁盘空间已满"):
            import_workbook(session, book, workers=1)
        assert session.db.conn.execute("SELECT count(*) FROM records").fetchone()[0] == before
        session.db.conn.execute("PRAGMA max_page_count = 1000000")
        load_demo(session, 2000, year=2017, seed=3)
        before = session.db.conn.execute("SELECT count(*) FROM removals").fetchone()[0]
        pages = session.db.conn.execute("PRAGMA page_count").fetchone()[0]
        session.db.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageError, match="磁盘空间已满"):
            remove_flagged(session, "all", dt.date(2017, 12, 1))
        assert not session.db.conn.in_transaction
        after = session.db.conn.execute("SELECT count(*) FROM removals").fetchone()[0]
        assert after == before
        return
    finally:
        session.close()


def test_a_second_process_writing_makes_remove_wait_then_refuse(ledger_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time\n"
            f"c=sqlite3.connect({str(ledger_path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = sha(ledger_path)
        t0 = time.monotonic()
        err = assert_refused(
            run_cli(["remove", "--kind", "all", "--date", "2017-12-01", "--db", ledger_path]), 1
        )
        assert "另一个程序" in err
        assert time.monotonic() - t0 < 60
        assert sha(ledger_path) == before
    finally:
        holder.kill()
        holder.communicate()


def test_backup_into_a_full_disk_is_one_message(tmp_path: Path) -> None:
    session = xuchang(tmp_path / "l.sqlite")
    try:
        (tmp_path / "backups").write_text("a file where the folder should be")
        with pytest.raises(StorageError, match="备份"):
            make_backup(session.db, "manual")
    finally:
        session.close()


# --- Arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["weekly", "--date", "0001-01-01"],
        ["weekly", "--date", "9999-12-05"],
        ["weekly", "--week", "9999-12-5"],
        ["weekly", "--week", "0001-01-1"],
        ["weekly", "--date", "2017-02-29"],
        ["weekly", "--date", "2017-2-3"],
        ["remove", "--kind", "all", "--date", "2017-13-01"],
        ["history", "--record", str(2**64)],
        ["history", "--record", "0"],
        ["restore", "--record", str(2**63)],
        ["demo", "--year", "0"],
        ["demo", "--year", "99999"],
        ["demo", "--records", "-5"],
        ["export-annex1", "--date", "0001-01-01", "--out", "x.xlsx"],
    ],
)
def test_out_of_range_arguments_are_usage_errors(ledger_path: Path, command: list[str]) -> None:
    before = sha(ledger_path)
    assert_refused(run_cli([*command, "--db", ledger_path]), 2, "参数错误")
    assert sha(ledger_path) == before


# --- Invisible characters ---------------------------------------------------------------------------


def test_invisible_characters_are_stripped_from_ids_phones_codes_and_noted(tmp_path: Path) -> None:
    session = xuchang(tmp_path / "l.sqlite")
    session.auto_backup = False
    try:
        person = make_id()
        zw = "\u200b"
        row = new_row(
            公民身份号码=person[:6] + zw + person[6:] + "\ufeff",
            联系电话="151\u200d0002\u20601099",
            统一社会信用代码="91411000" + "\u200e" + "MA3X4PQR0L",
            所属地区="魏都\u200b区",
        )
        book = write_book(tmp_path / "b.xlsx", [row])
        import_workbook(session, book, workers=1)
        got = session.db.conn.execute(
            "SELECT id_number, id_ok, phone, uscc, area_id, id_note FROM records"
        ).fetchone()
        assert got[0] == person and got[1] == 1
        assert got[2] == "15100021099"
        assert got[3] == "91411000MA3X4PQR0L"
        assert got[4] is not None  # the area was recognised
        assert "不可见字符已去除" in got[5]
        assert "公民身份号码" in got[5] and "联系电话" in got[5] and "统一社会信用代码" in got[5]
    finally:
        session.close()

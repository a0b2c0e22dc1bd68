"""Backups: made before imports and migrations, rotated, verified, restored."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from jiuye_desktop.cli import main
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.service import open_session
from jiuye_desktop.storage import backup
from jiuye_desktop.storage.db import StorageError, open_database

from .helpers import db_fingerprint, new_row, write_book, xuchang


def test_import_is_preceded_by_a_backup_that_can_be_restored(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    session = xuchang(db)
    import_workbook(session, write_book(tmp_path / "a.xlsx", [new_row()]))
    first_state = db_fingerprint(db)
    import_workbook(session, write_book(tmp_path / "b.xlsx", [new_row(**{"姓名": "李娜"})]))
    session.close()
    items = backup.list_backups(db)
    assert [b.reason for b in items] == ["import", "import"]
    # The newer backup holds the ledger as it was just before the second import.
    restored = tmp_path / "copy.sqlite"
    backup.restore_backup(restored, items[0].path)
    assert db_fingerprint(restored) == first_state


def test_a_backup_that_cannot_be_written_refuses_the_import_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """The import's backup is taken by another thread while the workbook is read; its
    failure still stops the import before anything is written."""
    db = tmp_path / "l.sqlite"
    session = xuchang(db)
    backup.backup_dir(db).parent.mkdir(parents=True, exist_ok=True)
    backup.backup_dir(db).write_text("a file where the backups folder should be")
    before = db_fingerprint(db)
    with pytest.raises(StorageError, match="备份"):
        import_workbook(session, write_book(tmp_path / "a.xlsx", [new_row()]))
    session.close()
    assert db_fingerprint(db) == before


def _count_file_copies(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    copies: list[Path] = []
    real = backup.shutil.copyfile

    def copyfile(src, dst, **kw):  # type: ignore[no-untyped-def]
        copies.append(Path(src))
        return real(src, dst, **kw)

    monkeypatch.setattr(backup.shutil, "copyfile", copyfile)
    return copies


@pytest.mark.parametrize("how", ["in-the-background", "make_backup"])
def test_a_backup_copies_the_file_when_the_log_can_be_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    db = tmp_path / "l.sqlite"
    session = xuchang(db)
    import_workbook(session, write_book(tmp_path / "a.xlsx", [new_row()]))
    copies = _count_file_copies(monkeypatch)
    if how == "make_backup":
        path = backup.make_backup(session.db, "manual")
    else:
        path = backup.BackgroundBackup(db, "manual").wait()
    session.close()
    assert copies == [db]  # the log was emptied first, so the file itself was copied
    assert path.parent == backup.backup_dir(db)
    assert db_fingerprint(path) == db_fingerprint(db)
    assert backup.verify_backup(path)[0]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_background_backup_while_a_reader_keeps_changes_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another reader stops the checkpoint: the file alone is not the ledger, so the
    backup API copies it with the log's changes."""
    db = tmp_path / "l.sqlite"
    session = xuchang(db)
    import_workbook(session, write_book(tmp_path / "a.xlsx", [new_row()]))
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM records").fetchone()
    import_workbook(session, write_book(tmp_path / "b.xlsx", [new_row(姓名="李娜")]))
    copies = _count_file_copies(monkeypatch)
    path = backup.BackgroundBackup(db, "manual").wait()
    reader.execute("COMMIT")
    reader.close()
    session.close()
    assert copies == []
    assert db_fingerprint(path) == db_fingerprint(db)
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM records ORDER BY id")]
    assert names == ["王伟", "李娜"]


def test_rotation_keeps_the_last_ten_and_one_per_older_week(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    folder = backup.backup_dir(db)
    folder.mkdir(parents=True)
    start = dt.datetime(2017, 1, 2, 9, 0, 0)
    for i in range(40):  # two a day for twenty days
        t = start + dt.timedelta(hours=12 * i)
        (folder / f"l-{t:%Y%m%d-%H%M%S}-import.sqlite").write_bytes(b"x")
    backup.rotate(db)
    kept = backup.list_backups(db)
    newest_ten = sorted((start + dt.timedelta(hours=12 * i) for i in range(30, 40)), reverse=True)
    assert [b.taken_at for b in kept[:10]] == newest_ten
    older_weeks = {(start + dt.timedelta(hours=12 * i)).isocalendar()[:2] for i in range(30)}
    assert len(kept) == 10 + len(older_weeks)


def test_cli_backup_list_and_restore_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    xuchang(db).close()
    assert main(["backup", "--db", str(db), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)["backup"]
    assert Path(made).exists() and backup.verify_backup(Path(made)) == (True, "ok")
    good = db_fingerprint(db)
    # Damage the database: the integrity check says so, and restore brings it back.
    data = bytearray(db.read_bytes())
    for i in range(4096, min(len(data), 4096 * 6)):
        data[i] = 0xAB
    db.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        open_database(db, check=True).close()
    assert main(["restore", "--db", str(db), "--backup", "latest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["restored_from"] == made
    assert db_fingerprint(db) == good
    assert main(["backup", "--db", str(db), "--list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["backups"]) >= 1


def test_a_bad_backup_is_refused_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    xuchang(db).close()
    before = db_fingerprint(db)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database")
    assert main(["restore", "--db", str(db), "--backup", str(junk)]) == 1
    assert "不能用于恢复" in capsys.readouterr().err
    assert db_fingerprint(db) == before


def test_migration_is_preceded_by_a_backup(tmp_path: Path) -> None:
    from jiuye_desktop.storage import db as dbmod

    path = tmp_path / "old.sqlite"
    steps = dbmod._migrations()
    conn = sqlite3.connect(path)
    for statement in dbmod._split_sql(steps[0][2]):
        conn.execute(statement)
    conn.execute("INSERT INTO unit VALUES (1, '411000', '许昌市', 'city', '2017-01-01')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    opened = open_session(path).db  # as the program opens a ledger
    assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == len(steps)
    opened.close()
    reasons = [b.reason for b in backup.list_backups(path)]
    assert reasons == ["migration"]
    kept = backup.list_backups(path)[0].path
    assert sqlite3.connect(kept).execute("PRAGMA user_version").fetchone()[0] == 1


def _damage(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for i in range(4096, min(len(data), 4096 * 6)):
        data[i] = 0xAB
    db.write_bytes(bytes(data))


def test_startup_check_backs_up_a_sound_ledger_and_names_the_way_back(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    session = xuchang(db)
    import_workbook(session, write_book(tmp_path / "a.xlsx", [new_row()]))
    session.close()
    good = backup.check_and_back_up(db)
    assert good.ok and good.backup is not None and good.backup.exists()
    assert good.backup.name.endswith("-start.sqlite")
    before = {b.path for b in backup.list_backups(db)}
    _damage(db)
    bad = backup.check_and_back_up(db)
    assert not bad.ok and bad.backup is None
    assert {b.path for b in backup.list_backups(db)} == before  # nothing rotated away
    assert bad.latest_good is not None and bad.latest_good.path == good.backup
    kept = backup.restore_backup(db, bad.latest_good.path)
    assert kept is not None and kept.name.endswith(".damaged.sqlite") and kept.exists()
    assert backup.check_and_back_up(db).ok

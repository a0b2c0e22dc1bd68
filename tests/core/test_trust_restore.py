"""Issue 11, item 1: restore never loses data. A second process holding the ledger (open,
or writing), a backup of another unit, two ledgers in one folder, backups made in the
same second: each tried through the command line in its own process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jiuye_desktop.storage import backup

from .trust_helpers import assert_refused, run_cli, sha


def _ok(args: list[object]) -> str:
    done = run_cli([str(a) for a in args])
    assert done.returncode == 0, done.stderr
    return done.stdout


def _contact(db: Path) -> str:
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as c:
        row = c.execute("SELECT value FROM settings WHERE key = 'contact'").fetchone()
    c.close()
    return row[0] if row else ""


def _set_contact(db: Path, value: str) -> None:
    code = (
        "import sys\nfrom jiuye_desktop.service import open_session\n"
        f"s = open_session({str(db)!r}); s.set_profile({{'contact': {value!r}}}); s.close()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    db = tmp_path / "台账.sqlite"
    _ok(["demo", "--records", "100", "--db", db])
    _set_contact(db, "备份前")
    _ok(["backup", "--db", db])
    _set_contact(db, "备份后")
    return db


def _holder(db: Path, how: str) -> subprocess.Popen[str]:
    """A second process with the ledger open (``read``) or in the middle of a write."""
    stmt = "c.execute('BEGIN IMMEDIATE')" if how == "write" else "c.execute('SELECT 1 FROM unit')"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, time\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = WAL')\n"
            f"{stmt}\nprint('held', flush=True)\ntime.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.parametrize("how", ["read", "write"])
def test_restore_is_refused_while_another_process_holds_the_ledger(ledger: Path, how: str) -> None:
    holder = _holder(ledger, how)
    try:
        before = sha(ledger)
        files = sorted(p.name for p in ledger.parent.rglob("*"))
        assert_refused(
            run_cli(["restore", "--backup", "latest", "--db", ledger]), 1, "正被另一个程序"
        )
        assert sha(ledger) == before
        assert sorted(p.name for p in ledger.parent.rglob("*")) == files  # nothing moved
    finally:
        holder.kill()
        holder.communicate()
    assert _contact(ledger) == "备份后"


def test_a_restore_keeps_the_replaced_file(ledger: Path) -> None:
    out = json.loads(_ok(["restore", "--backup", "latest", "--json", "--db", ledger]))
    assert _contact(ledger) == "备份前"
    kept = Path(out["previous_saved_as"])
    assert kept.parent == backup.backup_dir(ledger)
    assert _contact(kept) == "备份后"  # the replaced ledger, whole, can be restored again
    _ok(["restore", "--backup", kept, "--db", ledger])
    assert _contact(ledger) == "备份后"
    assert backup.verify_backup(ledger)[0]


def test_a_backup_of_another_unit_needs_a_confirmation(ledger: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "weidu.sqlite"
    other.parent.mkdir()
    _ok(
        [
            "init",
            "--unit-code",
            "411002",
            "--unit-name",
            "魏都区",
            "--level",
            "county",
            "--db",
            other,
        ]
    )
    _ok(["backup", "--db", other])
    theirs = backup.list_backups(other)[0].path
    before = sha(ledger)
    err = assert_refused(
        run_cli(["restore", "--backup", theirs, "--db", ledger]), 1, "--other-unit"
    )
    assert "魏都区" in err and sha(ledger) == before
    _ok(["restore", "--backup", theirs, "--other-unit", "--db", ledger])
    assert "魏都区" in _ok(["weekly", "--week", "2017-11-2", "--db", ledger])


def test_restore_onto_another_programs_file_is_refused(ledger: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite"
    c = sqlite3.connect(foreign)
    c.execute("CREATE TABLE notes (x)")
    c.commit()
    c.close()
    before = sha(foreign)
    good = backup.list_backups(ledger)[0].path
    assert_refused(run_cli(["restore", "--backup", good, "--db", foreign]), 1)
    assert sha(foreign) == before


def test_two_ledgers_in_one_folder_never_mix_backups(tmp_path: Path) -> None:
    a, b = tmp_path / "台账.sqlite", tmp_path / "台账.db"
    _ok(["init", "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city", "--db", a])
    _ok(["init", "--unit-code", "411002", "--unit-name", "魏都区", "--level", "county", "--db", b])
    _ok(["backup", "--db", a])
    _ok(["backup", "--db", b])
    _ok(["backup", "--db", b])
    assert backup.backup_dir(a) != backup.backup_dir(b)
    assert len(backup.list_backups(a)) == 1 and len(backup.list_backups(b)) == 2
    listed = json.loads(_ok(["backup", "--list", "--json", "--db", a]))["backups"]
    assert [Path(x["path"]).parent for x in listed] == [backup.backup_dir(a)]


def test_backup_names_never_collide_within_a_second(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    _ok(["init", "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city", "--db", db])
    with ThreadPoolExecutor(4) as pool:  # four processes at once
        done = list(pool.map(lambda _: run_cli(["backup", "--json", "--db", db]), range(4)))
    paths = [json.loads(d.stdout)["backup"] for d in done if d.returncode == 0]
    assert len(paths) == 4 and len(set(paths)) == 4
    assert all(backup.verify_backup(Path(p))[0] for p in paths)

"""A process killed with SIGKILL in the middle of a 100,000-row import leaves a
database that passes integrity_check and holds none or all of that import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiuye_desktop.demo import generate_rows
from jiuye_desktop.demo_workbook import write_workbook

from .helpers import ledger_state, xuchang

PROJECT = Path(__file__).resolve().parents[2]
AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
ROWS = 100_000


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "ledger-100k.xlsx"
    write_workbook(generate_rows(ROWS, seed=3, areas=AREAS), path)
    return path


def _state(db: Path) -> tuple[str, int, int]:
    return ledger_state(db, "imports")


def _wait_for(
    proc: subprocess.Popen, db: Path, *, seconds: float | None, wal_bytes: int | None
) -> None:
    """Until the time has passed, or the write-ahead log holds that many bytes (the
    commit is being written), or the process has ended."""
    wal = Path(str(db) + "-wal")
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 120:
        if seconds is not None and time.monotonic() - start >= seconds:
            return
        if wal_bytes is not None and wal.exists() and wal.stat().st_size >= wal_bytes:
            return
        time.sleep(0.002)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seconds", "wal_bytes"),
    [(2.0, None), (3.5, None), (None, 1), (None, 4 << 20), (None, 24 << 20)],
    ids=["reading", "judging", "commit-start", "commit-4MB", "commit-24MB"],
)
def test_sigkill_mid_import(
    tmp_path: Path, big_book: Path, seconds: float | None, wal_bytes: int | None
) -> None:
    db = tmp_path / "l.sqlite"
    xuchang(db).close()
    wal = Path(str(db) + "-wal")
    wal.unlink(missing_ok=True)
    tmp = tmp_path / "tmp"  # where the helper process keeps its stage
    tmp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "main.py", "import", str(big_book), "--db", str(db)],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    _wait_for(proc, db, seconds=seconds, wal_bytes=wal_bytes)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    ok, records, imports = _state(db)
    assert ok == "ok"
    assert (records, imports) in {(0, 0), (ROWS, 1)}
    if not finished:
        assert proc.returncode == -signal.SIGKILL
    # The helper process notices that its parent is gone and removes its stage.
    deadline = time.monotonic() + 20
    while list(tmp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp.iterdir()) == []
    # The database still works: the same file imports completely afterwards.
    if records == 0:
        done = subprocess.run(
            [sys.executable, "main.py", "import", str(big_book), "--db", str(db)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert _state(db)[1:] == (ROWS, 1)

"""A process killed with SIGKILL in the middle of a merge leaves a city database that
passes integrity_check and holds none or all of that merge."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.domain import Level
from jiuye_desktop.package import export_package
from jiuye_desktop.service import init_database
from jiuye_desktop.weeks import week_from_key

from .helpers import ledger_state

PROJECT = Path(__file__).resolve().parents[2]
COUNTIES = [("411024", "鄢陵县"), ("411025", "襄城县"), ("411081", "禹州市")]
ROWS = 15_000


@pytest.fixture(scope="module")
def expected(packages: list[Path], tmp_path_factory: pytest.TempPathFactory) -> int:
    """Records a complete merge of the packages stores (measured on a city of its own)."""
    from jiuye_desktop.merge import merge_packages

    city = init_database(
        tmp_path_factory.mktemp("ref") / "city.sqlite",
        unit_code="411000",
        unit_name="许昌市",
        level=Level.CITY,
    )
    city.auto_backup = False
    merge_packages(city, packages, dry_run=False)
    n = city.db.conn.execute("SELECT count(*) FROM records").fetchone()[0]
    city.close()
    assert n > 0
    return int(n)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("counties")
    out = []
    for i, (code, name) in enumerate(COUNTIES):
        session = init_database(
            folder / f"{code}.sqlite",
            unit_code=code,
            unit_name=name,
            level=Level.COUNTY,
            areas=[(None, f"{name}城关镇")],
        )
        session.auto_backup = False
        load_demo(session, ROWS, seed=40 + i)
        path = folder / f"{code}.xlsx"
        export_package(session, week_from_key("2017-12-5"), path)
        session.close()
        out.append(path)
    return out


def _state(db: Path) -> tuple[str, int, int]:
    return ledger_state(db, "packages")


@pytest.mark.slow
@pytest.mark.parametrize("wal_bytes", [1, 2 << 20, 12 << 20], ids=["start", "2MB", "12MB"])
def test_sigkill_mid_merge(
    tmp_path: Path, packages: list[Path], expected: int, wal_bytes: int
) -> None:
    city = tmp_path / "city.sqlite"
    init_database(city, unit_code="411000", unit_name="许昌市", level=Level.CITY).close()
    wal = Path(str(city) + "-wal")
    wal.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "main.py", "merge", *map(str, packages), "--db", str(city)],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 120:
        if wal.exists() and wal.stat().st_size >= wal_bytes:
            break
        time.sleep(0.002)
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)  # the merge and its worker processes
    proc.wait()
    print(f"killed={not finished} wal={wal.stat().st_size if wal.exists() else 0}")
    ok, records, merged = _state(city)
    assert ok == "ok"
    assert (records, merged) in {(0, 0), (expected, len(COUNTIES))}
    if records == 0:  # the city still works: the same merge goes through afterwards
        done = subprocess.run(
            [sys.executable, "main.py", "merge", *map(str, packages), "--db", str(city)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert _state(city)[1:] == (expected, len(COUNTIES))
